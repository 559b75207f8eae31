"""What the catalogues already teach, per ESCO skill and skill group; and how far text extraction agrees with
the providers' own skill lists (pure polars).

A course counts once for each skill mapped to it, and once for each skill group that any of its skills reaches
(through the skill-group shares of features.skill_groups, the panel's hierarchy): courses are not split
between groups. Ratings are averaged and enrolments summed over the courses that state them.
"""

from __future__ import annotations

import polars as pl

from features.course_levels import LEVEL_SCALE
from features.course_skills import COURSE_KEY


def _supply(course_keys: pl.DataFrame, facts: pl.DataFrame, by: str) -> pl.DataFrame:
    courses = course_keys.select(*COURSE_KEY, by).unique().join(facts, on=list(COURSE_KEY))
    return (
        courses.group_by(by)
        .agg(
            pl.len().cast(pl.Int64).alias("courses"),
            pl.col("provider").unique().sort().alias("providers"),
            pl.col("language").unique().sort().alias("languages"),
            *((pl.col("level") == level).sum().cast(pl.Int64).alias(level) for level in LEVEL_SCALE),
            pl.col("rating").count().cast(pl.Int64).alias("rated_courses"),
            pl.col("rating").mean().alias("mean_rating"),
            pl.col("enrolment").count().cast(pl.Int64).alias("enrolled_courses"),
            pl.col("enrolment").sum().cast(pl.Int64).alias("enrolment"),
        )
        .with_columns(
            mean_rating=pl.col("mean_rating").round(3),
            enrolment=pl.when(pl.col("enrolled_courses") > 0).then(pl.col("enrolment")),
        )
        .sort(["courses", by], descending=[True, False])
    )


def skill_supply(course_skills: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """Per skill_uri: courses, providers, languages, courses per level (LEVEL_SCALE columns), rated_courses,
    mean_rating, enrolled_courses, enrolment (null when no course states one); most taught first.

    course_skills: provider, course_id, skill_uri; facts: provider, course_id, level, language, rating, enrolment."""
    return _supply(course_skills, facts, "skill_uri")


def group_supply(course_skills: pl.DataFrame, facts: pl.DataFrame, group_shares: pl.DataFrame) -> pl.DataFrame:
    """skill_supply per group_uri instead: a course counts once in every group any of its skills reaches.

    group_shares: skill_uri, group_uri, share (features.skill_groups.skill_group_shares)."""
    reached = group_shares.filter(pl.col("share") > 0).select("skill_uri", "group_uri")
    return _supply(course_skills.join(reached, on="skill_uri"), facts, "group_uri")


def method_agreement(course_skills: pl.DataFrame, reference: str, other: str) -> dict[str, float | int]:
    """How far `other` (e.g. literal extraction on the text) recovers the skills `reference` found (e.g. the own
    skill list), on the courses where `reference` found at least one: pooled precision and recall.

    course_skills: provider, course_id, skill_uri, found_by (list of methods)."""
    flagged = course_skills.select(
        *COURSE_KEY,
        "skill_uri",
        ref=pl.col("found_by").list.contains(reference),
        oth=pl.col("found_by").list.contains(other),
    )
    scored = flagged.join(flagged.filter(pl.col("ref")).select(*COURSE_KEY).unique(), on=list(COURSE_KEY))
    both = scored.filter(pl.col("ref") & pl.col("oth")).height
    found_ref, found_other = int(scored["ref"].sum()), int(scored["oth"].sum())
    return {
        "courses": scored.select(*COURSE_KEY).n_unique(),
        "reference_skills": found_ref,
        "other_skills": found_other,
        "both": both,
        "precision": round(both / found_other, 3) if found_other else 0.0,
        "recall": round(both / found_ref, 3) if found_ref else 0.0,
    }
