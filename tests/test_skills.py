"""features.skills: the literal matcher on tiny literal lexicons."""

import sys

import polars as pl

from features.skills import (
    PYTHON_WHITESPACE,
    common_words,
    label_automaton,
    label_entries,
    normalized_label,
    ordinary_words,
    skill_matches,
    with_named_heads,
)

LABELS = pl.DataFrame(
    {
        "uri": ["s:py", "s:py", "s:ml", "s:learn", "s:data", "s:stats", "s:amb1", "s:amb2", "s:fr", "s:the"],
        "lang": ["en", "en", "en", "en", "en", "en", "en", "en", "fr", "en"],
        "label_type": [
            "preferred",
            "alt",
            "preferred",
            "preferred",
            "preferred",
            "alt",
            "alt",
            "alt",
            "preferred",
            "alt",
        ],
        "label": [
            "Python (computer programming)",
            "python",
            "machine learning",
            "learning",
            "data analysis",
            "data",
            "Excel",
            "excel",
            "gestion de projet",
            "the",
        ],
        "reuse_level": [
            "sector-specific",
            "sector-specific",
            "cross-sector",
            "transversal",
            "cross-sector",
            "cross-sector",
            "occupation-specific",
            "transversal",
            None,
            None,
        ],
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


NAMED = pl.DataFrame(
    {
        "uri": ["s:scratch", "s:scratch", "s:less", "s:less", "s:did", "s:sql", "s:sql", "s:polish", "s:polish"],
        "lang": ["en"] * 9,
        "label_type": ["preferred", "alt", "preferred", "alt", "alt", "preferred", "alt", "preferred", "alt"],
        "label": ["Scratch (computer programming)", "Scratch", "LESS", "LESS", "DID", "SQL", "SQL", "Polish", "Polish"],
        "reuse_level": ["sector-specific"] * 9,
    }
)
ORDINARY = frozenset({"scratch", "less", "did", "polish"})  # "sql" is not an ordinary word


def _named(text: str) -> list[str]:
    automaton = label_automaton(label_entries(NAMED, "en", ordinary=ORDINARY))
    return [m.matched_text for m in skill_matches(text, automaton)]


def test_names_that_are_ordinary_words_match_only_as_written_where_case_tells() -> None:
    assert _named("Create a website from scratch") == []
    assert _named("Learn Python From Scratch") == []  # title case: capitals tell nothing
    assert _named("Teach children to program in Scratch, a visual language") == ["Scratch"]
    assert _named("Scratch is taught here") == []  # a capital starting a sentence tells nothing
    assert _named("it takes less than a day") == [] and _named("we did it") == []
    assert _named("styles written in LESS or plain CSS") == ["LESS"]
    assert _named("route DID numbers to the desk") == ["DID"]
    assert _named("DO MORE WITH LESS") == []  # capitals around it
    assert _named("you will polish the report") == [] and _named("fluent English; Polish is a plus") == ["Polish"]


def test_acronyms_that_are_no_ordinary_words_match_in_any_case() -> None:
    assert _named("Strong SQL skills") == ["SQL"]
    assert _named("mysql, sql and python") == ["sql"]


def test_ordinary_words_are_function_words_or_written_in_lower_case_in_prose() -> None:
    prose = pl.Series(
        [
            "Fix a scratch with paint. Teach paradigms in Scratch.",
            "Swift is a language. Write apps in Swift.",
            "Reply in a swift way.",
            "Python scripts run in Python.",
            None,
        ]
    )
    words = ordinary_words(prose)
    assert {"scratch", "paint", "swift", "did", "less"} <= words  # "swift": lower case once, named once
    assert "python" not in words  # only capitalised, once inside a sentence


LOOSE = pl.DataFrame(
    {
        "uri": ["s:assert", "s:assert", "s:trouble", "s:trouble", "s:prog", "s:prog", "s:lead", "s:lead"],
        "lang": ["en"] * 8,
        "label_type": ["preferred", "alt", "preferred", "alt", "preferred", "hidden", "preferred", "hidden"],
        "label": [
            "assertiveness",
            "confidence",
            "troubleshoot",
            "troubleshooting",
            "computer programming",
            "PowerShell",
            "lead others",
            "leadership",
        ],
        "reuse_level": [
            "cross-sector",
            "cross-sector",
            "cross-sector",
            "cross-sector",
            "cross-sector",
            "cross-sector",
            "transversal",
            "transversal",
        ],
    }
)


def test_loose_synonyms_that_are_ordinary_words_are_left_out() -> None:
    ordinary = frozenset({"confidence", "troubleshooting", "powershell", "leadership"})
    entries = label_entries(LOOSE, "en", ordinary=ordinary)
    assert "confidence" not in entries  # an everyday word unrelated in form to "assertiveness"
    assert entries["troubleshooting"].skill_uri == "s:trouble"  # shares the stem of "troubleshoot"
    assert entries["powershell"].skill_uri == "s:prog"  # a product name, written with capitals
    assert entries["leadership"].skill_uri == "s:lead"  # a transversal skill's quality noun
    assert "confidence" in label_entries(LOOSE, "en")  # without ordinary words (other languages, the floor)


def test_a_qualified_preferred_label_names_its_skill_by_its_head() -> None:
    labels = pl.DataFrame(
        {
            "uri": ["s:saas", "s:soa", "s:soa"],
            "lang": ["en"] * 3,
            "label_type": ["preferred", "preferred", "alt"],
            "label": ["SaaS (service-oriented modelling)", "service-oriented modelling", "saas"],
            "reuse_level": ["sector-specific"] * 3,
        }
    )
    assert label_entries(labels, "en")["saas"].skill_uri == "s:soa"
    entries = label_entries(with_named_heads(labels), "en")
    assert entries["saas"].skill_uri == "s:saas"  # ranked before another skill's alternative label
    assert "saas (service-oriented modelling)" in entries
