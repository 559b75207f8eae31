"""The supply side as priorities read it: which course teaches which ESCO skill, at what level, in which
language. The one place that reads the course mapping (table `course_skills`, filled by `moocast map-courses`)."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.warehouse import table_names

# courses.level as the importers store it -> the normalised course level
LEVELS = {"beginner": "introductory", "intermediate": "intermediate", "advanced": "advanced", "mixed": "mixed"}


def course_skill_rows(con: duckdb.DuckDBPyConnection, version: str) -> pl.DataFrame:
    """provider, course_id, title, url, skill, confidence, level (introductory | intermediate | advanced | mixed |
    unknown), language (ISO 639-1, null when the catalogue does not say): one row per course and skill of ESCO
    `version`. ValueError when the mapping has not been made."""
    if (
        "course_skills" not in table_names(con)
        or not con.execute("SELECT count(*) FROM course_skills WHERE taxonomy_version = ?", [version]).fetchall()[0][0]
    ):
        raise ValueError(
            f"no course is mapped to ESCO {version} skills (table course_skills): run `moocast map-courses` first"
        )
    rows = con.sql(
        "SELECT m.provider, m.course_id, c.title, c.url, m.skill_uri AS skill, max(m.confidence) AS confidence, "
        "c.level AS raw_level, c.language FROM course_skills m JOIN courses c USING (provider, course_id) "
        "WHERE m.taxonomy_version = ? GROUP BY ALL ORDER BY m.provider, m.course_id, skill",
        params=[version],
    ).pl()
    return rows.with_columns(
        level=pl.col("raw_level").replace_strict(LEVELS, default="unknown", return_dtype=pl.String)
    ).drop("raw_level")
