"""STAND-IN for `moocast map-courses` (branch `courses`, migration 11) until it is merged: the contracted table
`course_skills` filled by an exact, case-insensitive match of each course's listed skills and of its title
against ESCO English skill labels (preferred and alternative). Used by the priorities tests only; the lead
replaces it by `moocast map-courses` when merging."""

from __future__ import annotations

import duckdb

from pipelines.warehouse import table_names

COURSE_SKILLS = """CREATE TABLE course_skills (
    provider VARCHAR NOT NULL,
    course_id VARCHAR NOT NULL,
    taxonomy_version VARCHAR NOT NULL,
    skill_uri VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL,
    method VARCHAR NOT NULL,
    matched_text VARCHAR
)"""


def create_course_skills(con: duckdb.DuckDBPyConnection) -> None:
    """The contracted table, empty, unless it exists."""
    if "course_skills" not in table_names(con):
        con.execute(COURSE_SKILLS)


def standin_course_skills(con: duckdb.DuckDBPyConnection) -> int:
    """Fill course_skills with exact label matches (listed skill: confidence 1, title: 0.8); returns rows."""
    create_course_skills(con)
    con.execute("DELETE FROM course_skills")
    con.execute(
        "INSERT INTO course_skills SELECT DISTINCT c.provider, c.course_id, l.version, l.uri, "
        "CASE WHEN c.kind = 'skill' THEN 1.0 ELSE 0.8 END, 'literal', c.text FROM ("
        "  SELECT provider, course_id, unnest(skills) AS text, 'skill' AS kind FROM courses"
        "  UNION ALL SELECT provider, course_id, title, 'title' FROM courses) c "
        "JOIN concept_labels l ON l.concept_kind = 'skill' AND l.lang = 'en' "
        "AND lower(trim(c.text)) = lower(l.label) "
        "WHERE l.version = (SELECT max(version) FROM skills)"
    )
    return int(con.execute("SELECT count(*) FROM course_skills").fetchall()[0][0])
