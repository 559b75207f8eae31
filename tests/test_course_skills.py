"""features.course_skills: merged courses, languages, own skill lists, text matches and the merge, on tiny
literal frames with hand-computed confidences."""

import polars as pl
import pytest

from features.course_skills import (
    best_course_skills,
    course_facts,
    merged_courses,
    own_list_counts,
    own_list_matches,
    own_list_skills,
    resolved_languages,
    text_label_languages,
    text_skills,
)
from features.skills import Match, label_automaton, label_entries

LABELS = pl.DataFrame(
    {
        "uri": ["s:py", "s:py", "s:team", "s:sql1", "s:sql2"],
        "lang": ["en"] * 5,
        "label_type": ["preferred", "alt", "preferred", "preferred", "preferred"],
        "label": ["Python (computer programming)", "Python", "manage a team", "SQL", "SQL"],
        "reuse_level": ["sector-specific", "sector-specific", "transversal", "cross-sector", "transversal"],
    }
)
AUTOMATON = label_automaton(label_entries(LABELS, "en"))


def _courses(**columns: list[object]) -> pl.DataFrame:
    base: dict[str, list[object]] = {
        "provider": ["p", "p", "q", "p", "p"],
        "course_id": ["1", "1", "2", "3", "4"],
        "title": ["First title", "Second title", "Other", "first  TITLE", "Second title"],
        "description": [None, "text", "about SQL", None, None],
        "skills": [["Python", "SQL"], ["SQL", "Excel"], None, ["R"], []],
        "language": [None, None, "en", None, None],
        "level": ["Beginner", "advanced", None, None, None],
        "url": [None, None, None, None, None],
        "organization": ["Org", None, None, "org", "X"],
        "subject": [None, None, None, None, None],
        "rating": [None, 3.0, None, 4.5, None],
        "enrolment": [10, None, 5, None, None],
        "file": ["a.csv", "b.csv", "a.csv", "b.csv", "c.csv"],
        "record": [1, 0, 2, 5, 0],
    }
    schema = {"skills": pl.List(pl.String), "rating": pl.Float64, "enrolment": pl.Int64, "record": pl.Int64}
    return pl.DataFrame(base | columns, schema_overrides=schema)


def test_rows_of_one_course_merge_by_id_or_by_title_and_organisation() -> None:
    merged = merged_courses(_courses())
    assert merged.select("provider", "course_id", "merged_ids", "input_rows").rows() == [
        ("p", "1", ["3"], 3),  # "1" twice, and "3" with the same title and organisation as the first row
        ("p", "4", [], 1),  # same title as the second row, but the second row states no organisation
        ("q", "2", [], 1),
    ]
    first = merged.row(0, named=True)
    assert (first["title"], first["description"], first["level"], first["rating"]) == (
        "First title", "text", "Beginner", 3.0,  # each fact from the earliest row that states it
    )  # fmt: skip
    assert first["skills"] == ["Python", "SQL", "Excel", "R"]
    again = merged_courses(_courses())
    changed = merged_courses(_courses(title=["First title", "Second title", "Changed", "first  TITLE", "Second title"]))
    assert again["fingerprint"].to_list() == merged["fingerprint"].to_list()
    assert changed["fingerprint"][:2].to_list() == merged["fingerprint"][:2].to_list()
    assert changed["fingerprint"][2] != merged["fingerprint"][2]


def test_languages_are_given_detected_or_undetermined_never_assumed() -> None:
    languages = resolved_languages(["es", None, None, None], [("fr", 0.9), ("en", 0.3), (None, 0.0)])
    assert languages.rows() == [("es", "given", 1.0), ("fr", "detected", 0.9), ("und", "undetermined", 0.3),
                                ("und", "undetermined", 0.0)]  # fmt: skip


def test_text_is_read_in_the_course_language_or_english_when_undetermined() -> None:
    assert text_label_languages(["en", "fr", "und", "es"], {"en", "fr"}) == ["en", "fr", "en", None]
    assert text_label_languages(["und"], {"fr"}) == [None]


def test_own_list_items_map_exactly_or_by_the_labels_inside_them() -> None:
    courses = pl.DataFrame(
        {"provider": ["p"], "course_id": ["1"],
         "skills": [["Manage a  Team", "Python Programming", "SQL", "manage a team", "Basket weaving"]]}
    )  # fmt: skip
    matches = own_list_matches(courses, AUTOMATON)
    rows = {(r["item"], r["skill_uri"], r["confidence"], r["exact"]) for r in matches.iter_rows(named=True)}
    assert rows == {
        ("Manage a  Team", "s:team", 0.975, True),  # preferred, 3 words: 0.9 -> 1 - 0.1 x 0.25
        ("Python Programming", "s:py", 0.45, False),  # alt label "python" inside: 0.75 x 0.6, as in free text
        ("SQL", "s:sql2", 0.8175, True),  # shared by 2 skills: 0.9 x 0.6 / 2 = 0.27 -> 1 - 0.73 x 0.25
        ("Basket weaving", None, None, False),
    }
    assert own_list_counts(matches).row(0) == ("p", "1", 4, 2, 3)
    skills = own_list_skills(matches)
    assert set(skills["method"]) == {"own_list"} and skills.height == 3


def test_best_method_wins_and_confidences_combine_across_methods() -> None:
    keys = pl.DataFrame({"provider": ["p", "q"], "course_id": ["1", "2"]})
    literal = text_skills(
        keys,
        [
            [(Match("s:py", 0.5, 0, 6, "python", "python"), "literal")],
            [
                (Match("s:sql", 0.3, 0, 3, "SQL", "sql"), "literal"),
                (Match("s:sql", 0.6, 9, 12, "sql", "sql"), "literal"),
            ],
        ],
    )
    own = pl.DataFrame(
        {"provider": ["p"], "course_id": ["1"], "skill_uri": ["s:py"], "confidence": [0.8], "method": ["own_list"],
         "matched_text": ["Python"]}
    )  # fmt: skip
    best = best_course_skills(pl.concat([literal, own]))
    assert best.rows() == [
        ("p", "1", "s:py", pytest.approx(0.9), "own_list", "Python", ["own_list", "literal"]),  # 1 - 0.2 x 0.5
        ("q", "2", "s:sql", 0.6, "literal", "sql", ["literal"]),  # the best literal match only
    ]


def test_course_facts_normalise_levels_and_keep_the_resolved_language() -> None:
    merged = merged_courses(_courses())
    facts = course_facts(merged, resolved_languages(merged["language"].to_list(), [("en", 0.2), ("fr", 0.8)]))
    assert facts.select("course_id", "level", "language", "language_method", "has_description").rows() == [
        ("1", "introductory", "und", "undetermined", True),
        ("4", "unknown", "fr", "detected", False),
        ("2", "unknown", "en", "given", True),
    ]
