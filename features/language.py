"""Language of posting text: py3langid's fast naive-Bayes model, then lingua's detector where it is unsure, both
offline and limited to the languages of European job ads (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from py3langid.langid import MODEL_FILE, LanguageIdentifier

# The languages job ads in the EU and EEA are written in: the EU's official languages (but Maltese, which lingua
# does not know), Norwegian (Bokmål, Nynorsk) and Icelandic of the other EEA countries (Switzerland's are among
# the EU's), and Russian, Ukrainian, Serbian and Macedonian, read in ads for workers from outside the EU. lingua
# weighs only the languages written in a text's script, so these four cost nothing on Latin or Greek text.
# Bosnian, Albanian, Turkish, Catalan, Basque and Welsh were candidates until 2026-11-27: each Latin-script
# language costs time on every Latin text, and on the 2,372 EURES ads they were only ever wrong (6 Croatian ads
# read as Bosnian, a Romanian one as Welsh).
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
    "RUSSIAN",
    "UKRAINIAN",
    "SERBIAN",
    "MACEDONIAN",
]
MIN_CONFIDENCE = 0.3
# Detection cost grows with the sample's length and the number of languages of its script, so each text is first
# read on its first FIRST_SAMPLE_CHARS characters by lingua's low-accuracy mode (trigrams only, which lingua says
# keeps its accuracy from 120 characters on; its high-accuracy mode reads such a sample with 1- to 5-grams, 5x
# slower); only when the best language's confidence there is below SURE (or nothing is found) is the decision taken
# again on the first SAMPLE_CHARS. A text shorter than FIRST_SAMPLE_CHARS is read whole in high-accuracy mode.
# Against the previous detector (high accuracy, 36 languages, 300 then 1,000 characters) on the 2,372 EURES ads
# (2026-11-27): see the README.
FIRST_SAMPLE_CHARS = 120
SAMPLE_CHARS = 1000
SURE = 0.99
BATCH = 1000  # texts per call into lingua (which runs on every core the process may use)
# Before lingua, a text of at least FIRST_SAMPLE_CHARS is read on that many characters by py3langid (langid.py's
# model, byte n-grams, numpy; ~10x faster than lingua's low-accuracy mode on such a sample), whose probability
# over the same languages is kept when it reaches QUICK_SURE; otherwise lingua decides as above. On the 2,372
# EURES ads (2026-11-27) py3langid reaches 0.95 on 2,090 and differs from lingua on 7 of them (2 read right
# now, 4 bilingual Greek-English ads now Greek, 1 English ad with a Greek aside now Greek); on generated
# English ads it reaches 0.95 on 98.9% (0.999 on 53%; see the README).
QUICK_SURE = 0.95
QUICK_CODES = {"BOKMAL": "no"}  # py3langid's code where it is not lingua's ISO 639-1 code


@cache
def _detector(low_accuracy: bool) -> LanguageDetector:
    builder = LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in EUROPEAN))
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


@cache
def _quick_languages() -> dict[str, Language]:
    """The candidate languages by py3langid's code."""
    return {QUICK_CODES.get(name, _iso(getattr(Language, name))): getattr(Language, name) for name in EUROPEAN}


@cache
def _quick_identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(_quick_languages()))
    return identifier


def _iso(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


def _quick_best(samples: list[str]) -> list[tuple[Language, float]]:
    """py3langid's top language and its probability (normalised over EUROPEAN) per sample."""
    if not samples:  # loading the model takes 0.5 s: not for postings that all state their language
        return []
    languages, identifier = _quick_languages(), _quick_identifier()
    return [(languages[code], float(p)) for code, p in map(identifier.classify, samples)]


def _best(samples: list[str], low_accuracy: bool) -> list[tuple[Language | None, float]]:
    """Top language and its confidence per sample ((None, 0.0) for a blank one); repeated samples read once."""
    if not samples:
        return []
    distinct = list(dict.fromkeys(sample if sample.strip() else "" for sample in samples))
    found: dict[str, tuple[Language | None, float]] = {}
    detector = _detector(low_accuracy)
    for start in range(0, len(distinct), BATCH):
        batch = distinct[start : start + BATCH]
        for sample, ranked in zip(batch, detector.compute_language_confidence_values_in_parallel(batch), strict=True):
            found[sample] = (ranked[0].language, ranked[0].value) if ranked and ranked[0].value > 0 else (None, 0.0)
    return [found[sample if sample.strip() else ""] for sample in samples]


def detected_languages(texts: Iterable[str]) -> list[tuple[str | None, float]]:
    """(ISO 639-1 code, confidence) per text; (None, confidence) when no language reaches MIN_CONFIDENCE."""
    given = list(texts)
    best: list[tuple[Language | None, float]] = [(None, 0.0)] * len(given)
    long = [i for i, text in enumerate(given) if len(text) >= FIRST_SAMPLE_CHARS]
    short = [i for i, text in enumerate(given) if len(text) < FIRST_SAMPLE_CHARS]
    for i, quick in zip(long, _quick_best([given[i][:FIRST_SAMPLE_CHARS] for i in long]), strict=True):
        best[i] = quick
    undecided = [i for i in long if best[i][1] < QUICK_SURE]
    for indices, samples, low_accuracy in (
        (undecided, [given[i][:FIRST_SAMPLE_CHARS] for i in undecided], True),
        (short, [given[i] for i in short], False),
    ):
        for i, found in zip(indices, _best(samples, low_accuracy), strict=True):
            best[i] = found
    unsure = [i for i in undecided if best[i][1] < SURE and len(given[i]) > FIRST_SAMPLE_CHARS]
    for i, again in zip(unsure, _best([given[i][:SAMPLE_CHARS] for i in unsure], True), strict=True):
        best[i] = again
    return [
        (
            _iso(language) if language is not None and value >= MIN_CONFIDENCE else None,
            round(value, 4),
        )
        for language, value in best
    ]
