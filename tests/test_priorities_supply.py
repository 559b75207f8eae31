"""What priorities read of the course mapping (pipelines/course_supply.py), on literal rows."""

import duckdb
import pytest

from pipelines.course_supply import catalogue_providers, course_skill_rows


def test_course_skill_rows_read_level_and_language(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match=r"run `moocast map-courses` first"):
        course_skill_rows(con, "1.1.1")
    with pytest.raises(ValueError, match=r"run `moocast map-courses` first"):
        catalogue_providers(con)
    con.execute(
        "INSERT INTO course_facts (provider, course_id, title, level, language, url, language_method, "
        "language_confidence, merged_ids, input_rows, has_description) SELECT *, 'given', 1.0, [], 1, false "
        "FROM (VALUES ('edx', 'c1', 'Pflege', 'introductory', 'de', 'https://x/c1'), "
        "('udemy', 'c2', 'Care', 'unknown', 'und', NULL), ('udemy', 'c3', 'Unmapped', 'mixed', 'en', NULL))"
    )
    with pytest.raises(ValueError, match=r"no course is mapped to ESCO 1.1.1"):
        course_skill_rows(con, "1.1.1")
    con.execute(
        "INSERT INTO course_skills SELECT *, [method] FROM (VALUES ('udemy', 'c2', '1.1.1', 's2', 0.5, 'literal', "
        "'care'), ('edx', 'c1', '1.1.1', 's1', 0.9, 'own_list', 'Pflege'), "
        "('edx', 'c1', '1.0.9', 's1', 1.0, 'literal', NULL)) t(provider, course_id, v, s, c, method, m)"
    )
    rows = course_skill_rows(con, "1.1.1")
    assert rows.rows() == [
        ("edx", "c1", "Pflege", "https://x/c1", "s1", 0.9, "introductory", "de"),
        ("udemy", "c2", "Care", None, "s2", 0.5, "unknown", None),  # an undetermined language is unknown
    ]
    assert catalogue_providers(con) == ["edx", "udemy"]
