"""`moocast map-courses` and `moocast supply` on the real catalogues: every course mapped or counted as having no
skill, a second run maps nothing, a duplicated (provider, course_id) from another file is merged and re-mapped."""

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from features.course_levels import LEVEL_SCALE
from pipelines.cli import app
from pipelines.extract import EXTRACTOR
from pipelines.importers import format_named
from pipelines.orchestrate import ingest_sources
from pipelines.warehouse import connect


def _one(con: duckdb.DuckDBPyConnection, sql: str, *params: str) -> Any:
    return con.execute(sql, list(params)).fetchall()[0][0]


def _moocast(warehouse: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_map_courses_on_real_data(tmp_path: Path, ingested: tuple[Path, dict[str, Any]]) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(ingested[0], warehouse)
    first = _moocast(warehouse, "map-courses")
    with connect(warehouse, read_only=True) as con:
        keys = _one(con, "SELECT count(DISTINCT (provider, course_id)) FROM courses")
        courses = _one(con, "SELECT count(*) FROM course_facts")
        assert first["courses"] == first["processed"] == courses
        # every input course_id is a course or one of a course's merged ids (the Coursera scrapes overlap)
        assert courses + _one(con, "SELECT sum(len(merged_ids)) FROM course_facts") == keys
        assert 600 < first["merged_rows"] < 700
        totals = first["totals"]
        assert totals["mapped"] + totals["no_skill"] == courses == _one(con, "SELECT count(*) FROM course_mapping")
        assert totals["mapped"] == _one(con, "SELECT count(DISTINCT (provider, course_id)) FROM course_skills")
        assert _one(con, "SELECT count(*) FROM course_mapping m JOIN course_skills s USING (provider, course_id) "
                   "WHERE m.status = 'no_skill'") == 0  # fmt: skip
        assert totals["by_provider"]["coursera"]["mapped"] > 0.8 * totals["by_provider"]["coursera"]["courses"]
        assert set(totals["skills_by_method"]) == {"own_list", "literal"}
        levels = {row[0] for row in con.execute("SELECT DISTINCT level FROM course_facts").fetchall()}
        assert levels <= set(LEVEL_SCALE)
        assert _one(con, "SELECT count(*) FROM course_facts WHERE (language = 'und') <> "
                   "(language_method = 'undetermined')") == 0  # fmt: skip
        assert _one(con, "SELECT count(*) FROM course_facts f JOIN courses c USING (provider, course_id) "
                   "WHERE c.language IS NOT NULL AND f.language <> c.language") == 0  # fmt: skip
        own = totals["own_list"]
        assert own["items_exact"] <= own["items_mapped"] <= own["items"]
        duplicated = _one(con, "SELECT course_id FROM course_facts WHERE provider = 'coursera' AND input_rows = 1 "
                         "ORDER BY course_id LIMIT 1")  # fmt: skip
    second = _moocast(warehouse, "map-courses")
    assert second["processed"] == 0 and second["removed"] == 0 and second["totals"] == totals
    with connect(warehouse) as con:  # courses mapped by an older extractor are mapped again, and only those
        assert _one(con, "SELECT count(*) FROM course_mapping WHERE extractor <> ?", EXTRACTOR) == 0
        con.execute("UPDATE course_mapping SET extractor = 'literal-1' WHERE provider = 'udacity'")
        udacity = _one(con, "SELECT count(*) FROM course_mapping WHERE extractor = 'literal-1'")
    remapped = _moocast(warehouse, "map-courses")
    assert 0 < udacity == remapped["processed"] and remapped["removed"] == 0 and remapped["totals"] == totals

    catalogue = tmp_path / "more_courses.csv"
    catalogue.write_text(f"provider,course_id,title,skills\ncoursera,{duplicated},Same course again,SQL; Haskell\n")
    with connect(warehouse) as con:
        ingest_sources(con, [(format_named("generic_courses"), catalogue)])
    third = _moocast(warehouse, "map-courses")
    assert (third["courses"], third["merged_rows"], third["processed"]) == (courses, first["merged_rows"] + 1, 1)
    with connect(warehouse, read_only=True) as con:
        assert _one(con, "SELECT count(*) FROM course_facts") == courses
        assert _one(con, "SELECT input_rows FROM course_facts WHERE course_id = ?", duplicated) == 2

    groups = _moocast(warehouse, "supply")["rows"]
    assert len(groups) > 20 and max(g["courses"] for g in groups) <= third["totals"]["mapped"]
    assert {"S5", "T4"} <= {g["code"] for g in groups}
