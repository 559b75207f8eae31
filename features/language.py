"""Language of posting text: lingua's offline detector limited to the languages of European job ads (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

EUROPEAN = [
    "BULGARIAN",
    "CROATIAN",
    "CZECH",
    "DANISH",
    "DUTCH",
    "ENGLISH",
    "ESTONIAN",
    "FINNISH",
    "FRENCH",
    "GERMAN",
    "GREEK",
    "HUNGARIAN",
    "IRISH",
    "ITALIAN",
    "LATVIAN",
    "LITHUANIAN",
    "POLISH",
    "PORTUGUESE",
    "ROMANIAN",
    "SLOVAK",
    "SLOVENE",
    "SPANISH",
    "SWEDISH",
    "BOKMAL",
    "NYNORSK",
    "ICELANDIC",
    "UKRAINIAN",
    "RUSSIAN",
    "SERBIAN",
    "BOSNIAN",
    "MACEDONIAN",
    "ALBANIAN",
    "TURKISH",
    "CATALAN",
    "BASQUE",
    "WELSH",
]
MIN_CONFIDENCE = 0.3
SAMPLE_CHARS = 1000  # the first characters of title and description are enough and keep detection fast


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in EUROPEAN)).build()


def detected_languages(texts: Iterable[str]) -> list[tuple[str | None, float]]:
    """(ISO 639-1 code, confidence) per text; (None, confidence) when no language reaches MIN_CONFIDENCE."""
    found: list[tuple[str | None, float]] = []
    for text in texts:
        ranked = _detector().compute_language_confidence_values(text[:SAMPLE_CHARS]) if text.strip() else []
        if not ranked or ranked[0].value < MIN_CONFIDENCE:
            found.append((None, round(ranked[0].value, 4) if ranked else 0.0))
        else:
            found.append((ranked[0].language.iso_code_639_1.name.lower(), round(ranked[0].value, 4)))
    return found
