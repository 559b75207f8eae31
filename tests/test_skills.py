"""features.skills: the literal matcher on tiny literal lexicons."""

import sys

import polars as pl

from features.skills import (
    PYTHON_WHITESPACE,
    common_words,
    label_automaton,
    label_entries,
    normalized_label,
    skill_matches,
)

LABELS = pl.DataFrame(
    {
        "uri": ["s:py", "s:py", "s:ml", "s:learn", "s:data", "s:stats", "s:amb1", "s:amb2", "s:fr", "s:the"],
        "lang": ["en", "en", "en", "en", "en", "en", "en", "en", "fr", "en"],
        "label_type": ["preferred", "alt", "preferred", "preferred", "preferred", "alt", "alt", "alt", "preferred",
                       "alt"],
        "label": ["Python (computer programming)", "python", "machine learning", "learning", "data analysis",
                  "data", "Excel", "excel", "gestion de projet", "the"],
        "reuse_level": ["sector-specific", "sector-specific", "cross-sector", "transversal", "cross-sector",
                        "cross-sector", "occupation-specific", "transversal", None, None],
    }
)


def _matches(text: str, lang: str = "en", common: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    automaton = label_automaton(label_entries(LABELS, lang, common))
    return [(m.skill_uri, m.matched_text) for m in skill_matches(text, automaton)]


def test_literal_match_on_word_boundaries_only() -> None:
    assert _matches("Senior Python developer") == [("s:py", "Python")]
    assert _matches("Pythonista wanted") == []
    assert _matches("We use python, pandas") == [("s:py", "python")]


def test_longest_span_wins_over_contained_labels() -> None:
    assert _matches("experience in machine learning") == [("s:ml", "machine learning")]
    assert _matches("keen on learning") == [("s:learn", "learning")]


def test_stop_word_labels_never_match_and_common_alt_words_can_be_dropped() -> None:
    assert _matches("the data team") == [("s:stats", "data")]
    assert _matches("the data team", common=frozenset({"data"})) == []
    assert _matches("data analysis and data", common=frozenset({"data"})) == [("s:data", "data analysis")]


def test_ambiguous_label_keeps_the_more_reusable_skill_at_lower_confidence() -> None:
    entries = label_entries(LABELS, "en")
    assert entries["excel"].skill_uri == "s:amb2"  # transversal before occupation-specific
    assert entries["excel"].confidence < entries["python"].confidence


def test_confidence_orders_preferred_long_labels_first() -> None:
    entries = label_entries(LABELS, "en")
    assert entries["machine learning"].confidence > entries["learning"].confidence > entries["data"].confidence


def test_french_labels_match_french_text_only() -> None:
    assert _matches("Expérience en gestion de projet", lang="fr") == [("s:fr", "gestion de projet")]
    assert _matches("Expérience en gestion de projet", lang="en") == []


def test_spans_point_into_the_original_text() -> None:
    text = "Need MACHINE\nLEARNING"  # a line break between words still matches; offsets stay exact
    automaton = label_automaton(label_entries(LABELS, "en"))
    (match,) = skill_matches(text, automaton)
    assert text[match.span_start : match.span_end] == match.matched_text == "MACHINE\nLEARNING"


def test_common_words_are_those_in_many_descriptions() -> None:
    descriptions = pl.Series(["manage data well", "store data", "Data and SQL", None])
    assert common_words(descriptions, 0.5) == frozenset({"data"})


def test_label_keys_are_normalized_label_of_each_label() -> None:
    odd = ["  Data\tAnalysis ", "ΟΔΟΣ ΣΟΦΙΑ", "İzmir logistics", "a\x1cb\u2003c", "\x1fcloud\u3000", "Data  analysis"]
    labels = pl.DataFrame(
        {
            "uri": [f"s:{i}" for i in range(len(odd))],
            "lang": "en",
            "label_type": "preferred",
            "label": odd,
            "reuse_level": pl.Series([None] * len(odd), dtype=pl.String),
        }
    )
    assert set(label_entries(labels, "en")) == {normalized_label(label) for label in odd}
    assert set(PYTHON_WHITESPACE) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}


def test_unusual_white_space_and_case_keep_offsets() -> None:
    text = "İ\u2003MACHINE\x1cLEARNING\tand\u00a0python"
    automaton = label_automaton(label_entries(LABELS, "en"))
    found = [(m.skill_uri, text[m.span_start : m.span_end]) for m in skill_matches(text, automaton)]
    assert found == [("s:ml", "MACHINE\x1cLEARNING"), ("s:py", "python")]
