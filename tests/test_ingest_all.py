"""`moocast ingest all` on the real inputs: every kind loads, counts reconcile, a re-run changes nothing."""

import shutil
from pathlib import Path
from typing import Any

import pytest

from pipelines.reports import validation_report_html
from pipelines.warehouse import connect
from tests.conftest import moocast_json as _moocast


@pytest.mark.slow
def test_ingest_all_real_inputs(tmp_path: Path, inputs: Path, ingested: tuple[Path, dict[str, Any]]) -> None:
    shutil.copy(ingested[0], tmp_path / "w.duckdb")
    base = ("--inputs", str(inputs), "--warehouse", str(tmp_path / "w.duckdb"))
    first = ingested[1]
    totals = first["totals"]
    assert totals["rows_read"] == totals["rows_loaded"] + totals["rows_quarantined"]
    assert {run["kind"] for run in first["runs"]} == {"taxonomy", "postings", "stats", "courses"}
    assert all(run["status"] == "loaded" for run in first["runs"])
    assert all(suite["success"] for run in first["runs"] for suite in run["validation"])

    counts = _moocast(*base, "status", "--json")["counts"]
    assert (counts["skills"], counts["occupations"], counts["occupation_skills"]) == (13_896, 3_007, 123_855)
    assert counts["postings"] == 2_372 and 0 < counts["postings_unique"] < counts["postings"]
    assert counts["courses"] == 1_000 + 1_007 + 974 + 3_672 + 263
    assert counts["labour_stats"] > 9_000_000
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        quarantined = con.execute("SELECT count(DISTINCT (file, line)) FROM quarantine").fetchall()[0][0]
        html = validation_report_html(con)
    assert counts["quarantine"] == quarantined == totals["rows_quarantined"]
    assert "esco.skills" in html and "FAILED" not in html

    again = _moocast(*base, "ingest", "all", "--json")
    assert {run["status"] for run in again["runs"]} == {"unchanged"}
    assert _moocast(*base, "status", "--json")["counts"] | {"ingest_runs": 0} == counts | {"ingest_runs": 0}
