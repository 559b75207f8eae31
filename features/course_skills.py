"""Courses to ESCO skills (pure): merged course rows, resolved languages, own skill lists, text matches, and one
row per course x skill with the best method.

- Rows of one provider are one course when they share the course_id, or the normalised title and organisation
  (organisation stated: the Coursera 2023 and 2024 scrapes hold 660 courses twice under different ids), linked
  transitively. The earliest row by (file, record) gives the course_id (the others are kept in merged_ids); each
  fact is the earliest row's that states it; the own skill lists of all rows are joined (order kept, no repeats).
- Language: the stated one; else the detected one when the detector's confidence reaches
  LANGUAGE_MIN_CONFIDENCE; else 'und' (undetermined). Never assumed to be English.
- Own skill list: an item equal to an ESCO label (normalised) maps to that label's skill with confidence
  1 - (1 - c) * OWN_LIST_DOUBT, c the label's literal-match confidence: the provider's own listing removes most
  of the doubt a match in free text has. An item that is no label maps to the labels found inside it ("Python
  Programming" -> python), with their literal-match confidence.
- Merge: per course x skill, the best method (own_list, then literal, then semantic) gives method and matched
  text; confidence = 1 - prod(1 - c_m) over the best confidence c_m of each method that found the skill.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

import ahocorasick
import polars as pl

from features.course_levels import normalized_levels
from features.skills import Match, normalized_label, skill_matches

COURSE_KEY = ("provider", "course_id")
OWN_LIST = "own_list"
METHOD_RANK = {OWN_LIST: 0, "literal": 1, "semantic": 2}
OWN_LIST_DOUBT = 0.25
UNDETERMINED = "und"
# Chosen on edX, whose catalogue states each course's language: on titles alone, detection at >= 0.5 decides
# 685 of 974 courses and agrees with the stated language on 98.1% of them (0.3: 867 decided, 97.1%).
LANGUAGE_MIN_CONFIDENCE = 0.5
FACT_COLUMNS = ("title", "description", "skills", "language", "level", "url", "organization", "subject", "rating",
                "enrolment")  # fmt: skip
MATCH_SCHEMA = {
    "provider": pl.String,
    "course_id": pl.String,
    "skill_uri": pl.String,
    "confidence": pl.Float64,
    "method": pl.String,
    "matched_text": pl.String,
}


def _fingerprint(row: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()


def _same_course(ordered: pl.DataFrame) -> pl.Series:
    """Per row, the position of the first row of its course (see the module docstring), rows in order."""

    def key(column: str) -> pl.Expr:
        return pl.col(column).str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")

    rows = ordered.select(
        "provider", "course_id", title=key("title"), org=key("organization"), course=pl.int_range(pl.len())
    )
    while True:
        linked = rows.with_columns(pl.col("course").min().over("provider", "course_id")).with_columns(
            pl.when(pl.col("org").is_not_null())
            .then(pl.col("course").min().over("provider", "title", "org"))
            .otherwise(pl.col("course"))
        )
        if linked["course"].equals(rows["course"]):
            return rows["course"]
        rows = linked


def merged_courses(courses: pl.DataFrame) -> pl.DataFrame:
    """One row per course with provider, course_id, FACT_COLUMNS, merged_ids (the other ids of its rows),
    input_rows and fingerprint (sha256 of the merged course: it changes when the course does).

    courses: provider, course_id, FACT_COLUMNS, file, record (the warehouse's `courses`)."""
    ordered = courses.sort("provider", "file", "record")
    merged = (
        ordered.with_columns(course=_same_course(ordered))
        .group_by("course", maintain_order=True)
        .agg(
            *(pl.col(c).first() for c in COURSE_KEY),
            *(pl.col(c).drop_nulls().first() for c in FACT_COLUMNS if c != "skills"),
            pl.col("skills").explode().drop_nulls().unique(maintain_order=True),
            merged_ids=pl.col("course_id").unique(maintain_order=True).slice(1),
            input_rows=pl.len().cast(pl.Int32),
        )
        .drop("course")
        .sort(COURSE_KEY)
    )
    fields = merged.select(*COURSE_KEY, *FACT_COLUMNS, "merged_ids")
    prints = [_fingerprint(row) for row in fields.iter_rows(named=True)]
    return merged.with_columns(fingerprint=pl.Series(prints, dtype=pl.String))


def resolved_languages(given: Sequence[str | None], detected: Iterable[tuple[str | None, float]]) -> pl.DataFrame:
    """language, language_method (given | detected | undetermined) and language_confidence per course.

    `detected` holds the detector's (code, confidence) of each course whose language is not given, in order."""
    pending = iter(detected)
    rows: list[tuple[str, str, float]] = []
    for language in given:
        if language is not None:
            rows.append((language, "given", 1.0))
            continue
        code, confidence = next(pending)
        if code is not None and confidence >= LANGUAGE_MIN_CONFIDENCE:
            rows.append((code, "detected", confidence))
        else:
            rows.append((UNDETERMINED, "undetermined", confidence))
    schema = {"language": pl.String, "language_method": pl.String, "language_confidence": pl.Float64}
    return pl.DataFrame(rows, orient="row", schema=schema)


def own_list_matches(courses: pl.DataFrame, automaton: ahocorasick.Automaton) -> pl.DataFrame:
    """provider, course_id, item, skill_uri, confidence, exact: each own-list item's skills, one row per item and
    skill (an item that maps to no skill: one row with a null skill_uri). Items are compared normalised, once
    per course. `automaton`: a label automaton of features.skills (its keys are the normalised labels)."""
    items = (
        courses.select(*COURSE_KEY, item=pl.col("skills"))
        .explode("item")
        .drop_nulls("item")
        .with_columns(key=pl.col("item").map_elements(normalized_label, return_dtype=pl.String))
        .unique([*COURSE_KEY, "key"], keep="first", maintain_order=True)
    )
    mapped: list[tuple[str, str | None, float | None, bool]] = []
    for key in items["key"].unique(maintain_order=True):
        exact = automaton.get(key, None)
        if exact is not None:
            entry = exact[1]
            mapped.append((key, entry.skill_uri, round(1 - (1 - entry.confidence) * OWN_LIST_DOUBT, 4), True))
            continue
        inside = skill_matches(key, automaton)
        mapped += [(key, m.skill_uri, m.confidence, False) for m in inside] or [(key, None, None, False)]
    schema = {"key": pl.String, "skill_uri": pl.String, "confidence": pl.Float64, "exact": pl.Boolean}
    skills = pl.DataFrame(mapped, orient="row", schema=schema)
    return items.join(skills, on="key", how="left", maintain_order="left").drop("key")


def own_list_counts(matches: pl.DataFrame) -> pl.DataFrame:
    """provider, course_id, own_items, own_items_exact, own_items_mapped (equal to or containing a label)."""
    per_item = matches.group_by(*COURSE_KEY, "item").agg(
        exact=pl.col("exact").any(), mapped=pl.col("skill_uri").is_not_null().any()
    )
    return per_item.group_by(*COURSE_KEY).agg(
        own_items=pl.len().cast(pl.Int32),
        own_items_exact=pl.col("exact").sum().cast(pl.Int32),
        own_items_mapped=pl.col("mapped").sum().cast(pl.Int32),
    )


def own_list_skills(matches: pl.DataFrame) -> pl.DataFrame:
    """The skill rows (MATCH_SCHEMA) of own-list matches: method own_list, matched_text the item."""
    return matches.drop_nulls("skill_uri").select(
        *COURSE_KEY, "skill_uri", "confidence", method=pl.lit(OWN_LIST), matched_text="item"
    )


def text_skills(keys: pl.DataFrame, found: Sequence[Sequence[tuple[Match, str]]]) -> pl.DataFrame:
    """The skill rows (MATCH_SCHEMA) of text matches: `found` holds (match, method) per course of `keys`
    (provider, course_id), as pipelines.extract.extracted returns them."""
    rows = [
        (provider, course_id, match.skill_uri, match.confidence, method, match.matched_text)
        for (provider, course_id), matches in zip(keys.select(*COURSE_KEY).iter_rows(), found, strict=True)
        for match, method in matches
    ]
    return pl.DataFrame(rows, orient="row", schema=MATCH_SCHEMA)


def best_course_skills(found: pl.DataFrame) -> pl.DataFrame:
    """One row per course x skill: provider, course_id, skill_uri, confidence, method, matched_text, found_by.

    found: rows of MATCH_SCHEMA from every method (several per course x skill allowed)."""
    key = [*COURSE_KEY, "skill_uri"]
    best_per_method = (
        found.with_columns(rank=pl.col("method").replace_strict(METHOD_RANK, return_dtype=pl.Int32))
        .sort([*key, "rank", "confidence", "matched_text"], descending=[False, False, False, False, True, False])
        .unique([*key, "method"], keep="first", maintain_order=True)
    )
    return (
        best_per_method.group_by(key, maintain_order=True)
        .agg(
            confidence=(1 - (1 - pl.col("confidence")).product()).round(4),
            method=pl.col("method").first(),
            matched_text=pl.col("matched_text").first(),
            found_by=pl.col("method"),
        )
        .sort(key)
    )


def text_label_languages(languages: Iterable[str], available: set[str]) -> list[str | None]:
    """The ESCO label language to read each course's text with: its own when the warehouse has skill labels in
    it; English for an undetermined language (mostly short English titles of tech courses that name tools);
    None (text not read) for any other language."""
    return [lang if lang in available else "en" if lang == UNDETERMINED and "en" in available else None
            for lang in languages]  # fmt: skip


def course_facts(courses: pl.DataFrame, languages: pl.DataFrame) -> pl.DataFrame:
    """course_facts rows: merged courses (merged_courses) with their resolved languages (resolved_languages,
    same order), the level on LEVEL_SCALE and whether a description was there to read."""
    return pl.concat([courses.drop("language"), languages], how="horizontal").select(
        *COURSE_KEY,
        "title",
        normalized_levels(pl.col("level")).alias("level"),
        "language",
        "language_method",
        "language_confidence",
        "organization",
        "subject",
        "url",
        "rating",
        "enrolment",
        "merged_ids",
        "input_rows",
        has_description=pl.col("description").str.strip_chars().str.len_chars().fill_null(0) > 0,
    )
