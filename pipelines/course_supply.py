"""The supply side as priorities read it: which course teaches which ESCO skill, at what level, in which
language. The one place that reads the course mapping made by `moocast map-courses` (tables `course_skills`
and `course_facts`, migration 12)."""

from __future__ import annotations

import duckdb
import polars as pl

UNDETERMINED = "und"  # course_facts.language when the catalogue does not say and detection was not confident


def _check_mapped(con: duckdb.DuckDBPyConnection, version: str) -> None:
    if not con.execute("SELECT count(*) FROM course_skills WHERE taxonomy_version = ?", [version]).fetchall()[0][0]:
        raise ValueError(
            f"no course is mapped to ESCO {version} skills (tables course_skills, course_facts): "
            "run `moocast map-courses` first"
        )


def course_skill_rows(con: duckdb.DuckDBPyConnection, version: str) -> pl.DataFrame:
    """provider, course_id, title, url, skill, confidence, level (introductory | intermediate | advanced | mixed |
    unknown), language (ISO 639-1, null when undetermined): one row per course and skill of ESCO `version`.
    ValueError when the mapping has not been made."""
    _check_mapped(con, version)
    return con.sql(
        "SELECT m.provider, m.course_id, f.title, f.url, m.skill_uri AS skill, m.confidence, f.level, "
        "nullif(f.language, ?) AS language FROM course_skills m JOIN course_facts f USING (provider, course_id) "
        "WHERE m.taxonomy_version = ? ORDER BY m.provider, m.course_id, skill",
        params=[UNDETERMINED, version],
    ).pl()


def catalogue_providers(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every provider with a course in the mapped catalogues, sorted."""
    providers = [row[0] for row in con.execute("SELECT DISTINCT provider FROM course_facts ORDER BY 1").fetchall()]
    if not providers:
        raise ValueError("no course facts (table course_facts is empty): run `moocast map-courses` first")
    return providers
