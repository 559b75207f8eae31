"""STAND-IN for `moocast map-courses` (branch `courses`, migration 11) until it is merged: the contracted tables
`course_facts` (normalised level, language or 'und') and `course_skills`, the latter filled by an exact,
case-insensitive match of each course's listed skills and of its title against ESCO English skill labels
(preferred and alternative). Used by the priorities tests only; the lead replaces it by `moocast map-courses`
when merging."""

from __future__ import annotations

import duckdb

from pipelines.warehouse import table_names

TABLES = {
    "course_facts": """CREATE TABLE course_facts (
        provider VARCHAR NOT NULL, course_id VARCHAR NOT NULL, title VARCHAR NOT NULL,
        level VARCHAR NOT NULL, language VARCHAR NOT NULL, url VARCHAR, PRIMARY KEY (provider, course_id))""",
    "course_skills": """CREATE TABLE course_skills (
        provider VARCHAR NOT NULL, course_id VARCHAR NOT NULL, taxonomy_version VARCHAR NOT NULL,
        skill_uri VARCHAR NOT NULL, confidence DOUBLE NOT NULL, method VARCHAR NOT NULL, matched_text VARCHAR,
        PRIMARY KEY (provider, course_id, taxonomy_version, skill_uri))""",
}


def create_mapping_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The contracted tables, empty, unless they exist."""
    for table, sql in TABLES.items():
        if table not in table_names(con):
            con.execute(sql)


def standin_course_skills(con: duckdb.DuckDBPyConnection) -> int:
    """Fill course_facts from `courses` and course_skills with exact label matches (listed skill: confidence 1,
    title: 0.8); returns the course_skills rows."""
    create_mapping_tables(con)
    con.execute("DELETE FROM course_facts")
    con.execute("DELETE FROM course_skills")
    con.execute(
        "INSERT INTO course_facts SELECT provider, course_id, first(title ORDER BY record), "
        "coalesce(CASE first(level ORDER BY record) WHEN 'beginner' THEN 'introductory' "
        "ELSE first(level ORDER BY record) END, 'unknown'), coalesce(first(language ORDER BY record), 'und'), "
        "first(url ORDER BY record) FROM courses GROUP BY provider, course_id"
    )
    con.execute(
        "INSERT INTO course_skills SELECT c.provider, c.course_id, l.version, l.uri, "
        "max(CASE WHEN c.kind = 'skill' THEN 1.0 ELSE 0.8 END), 'literal', min(c.text) FROM ("
        "  SELECT provider, course_id, unnest(skills) AS text, 'skill' AS kind FROM courses"
        "  UNION ALL SELECT provider, course_id, title, 'title' FROM courses) c "
        "JOIN concept_labels l ON l.concept_kind = 'skill' AND l.lang = 'en' "
        "AND lower(trim(c.text)) = lower(l.label) "
        "WHERE l.version = (SELECT max(version) FROM skills) GROUP BY ALL"
    )
    return int(con.execute("SELECT count(*) FROM course_skills").fetchall()[0][0])
