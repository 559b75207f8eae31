"""Postings: the real EURES sample, the generic formats, quarantine and duplicate links."""

import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.importers import format_named
from pipelines.orchestrate import ingest_sources
from pipelines.readers import InputError

HEADER = "posting_id,title,posted_at,country,description,language,url\n"
TEXT = (
    "Senior data engineer to build pipelines in Python and SQL for our logistics platform, with Airflow, "
    "dbt and cloud warehouses; you will model data, review code, run on-call rotations, talk to analysts "
    "and product managers, improve data quality checks and documentation, and mentor junior colleagues"
)


def _ingest(con: duckdb.DuckDBPyConnection, fmt: str, path: Path):  # type: ignore[no-untyped-def]
    return ingest_sources(con, [(format_named(fmt), path)])[0]


def test_real_eures_sample_loads_every_posting(con: duckdb.DuckDBPyConnection, inputs: Path) -> None:
    path = inputs / "postings/eures_2025_sample/european_jobs_batch2_original_language.csv.gz"
    report = _ingest(con, "eures", path)
    assert report.rows_read == 2372 == report.rows_loaded + report.rows_quarantined
    assert con.execute("SELECT count(*) FROM postings").fetchone()[0] == report.rows_loaded  # type: ignore[index]
    row = con.execute(
        "SELECT title, title_en, country, posted_at::VARCHAR FROM postings WHERE posting_id = 'BG3'"
    ).fetchone()
    assert row == ("Инженер, инвеститорски контрол", "Engineer, investor control", "BG", "2025-11-06") or row[1:] == (
        "Engineer, investor control",
        "BG",
        "2025-11-06",
    )  # type: ignore[index]
    # English titles belong to the same ad (the translated file reuses job ids for other ads)
    english = dict(con.execute("SELECT posting_id, title_en FROM postings WHERE posting_id IN ('BG24', 'BG31')")
                   .fetchall())  # fmt: skip
    assert english == {"BG24": "Developer, software", "BG31": "Programmer, software applications"}
    assert con.execute("SELECT count(title_en) FROM postings").fetchall()[0][0] > 1000
    links = con.execute(
        "SELECT count(*) FILTER (duplicate_of IS NOT NULL), "
        "count(*) FILTER (near_duplicate_of IS NOT NULL) FROM postings"
    ).fetchone()
    assert links is not None and links[0] >= 1 and links[1] >= 1
    again = _ingest(con, "eures", path)
    assert again.status == "unchanged"
    assert con.execute("SELECT count(*) FROM postings").fetchone()[0] == report.rows_loaded  # type: ignore[index]


def test_bad_rows_are_quarantined_with_line_and_field(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        HEADER
        + f'p1,Data engineer,2025-03-01,DE,"{TEXT}",en,https://example.org/1\n'
        + 'p2,Nurse,2025-13-45,FR,"multi\nline description",fr,\n'  # bad date; record spans 2 lines
        + "p3,Welder,2025-03-02,XX,,,\n"  # unknown country
        + "p4,,2025-03-02,DE,,,\n"  # missing title
        + "p1,Repeat,2025-03-03,DE,,,\n"  # duplicate id
        + "p5,Driver,2025-03-04,UK,,english,ftp://x\n",  # UK->GB ok; bad language and url
        encoding="utf-8",
    )
    report = _ingest(con, "generic_csv", path)
    assert report.rows_read == 6
    assert report.rows_loaded == 1
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    rows = con.execute("SELECT line, field, reason FROM quarantine ORDER BY line, field").fetchall()
    assert (3, "posted_at", "cannot parse as an ISO date (YYYY-MM-DD)") in rows
    assert (5, "country", "unknown ISO 3166-1 alpha-2 country code") in rows  # physical line 5
    assert (6, "title", "required value is missing") in rows
    assert any(line == 7 and field == "posting_id" for line, field, _ in rows)
    assert {(8, "language"), (8, "url")} <= {(line, field) for line, field, _ in rows}


def test_generic_jsonl_and_parquet_and_cross_file_links(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(
        json.dumps(
            {
                "posting_id": "1",
                "title": "Data engineer",
                "posted_at": "2025-01-02",
                "country": "de",
                "description": TEXT,
                "source": "board",
            }
        )
        + "\n"
        + "{not json\n"
        + json.dumps(["a list"])
        + "\n",
        encoding="utf-8",
    )
    report = _ingest(con, "generic_jsonl", jsonl)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 1, 2)
    parquet = tmp_path / "b.parquet"
    pl.DataFrame(
        {
            "posting_id": ["1", "2", "3"],
            "title": ["Data engineer"] * 3,
            "posted_at": ["2025-02-01", "2025-02-02", "2025-02-03"],
            "country": ["DE"] * 3,
            "description": [TEXT, TEXT.replace("junior colleagues", "junior staff"), "Cook in a busy kitchen"],
            "source": ["board", "other", "other"],
        }
    ).write_parquet(parquet)
    report = _ingest(con, "generic_parquet", parquet)
    assert (report.rows_loaded, report.rows_quarantined) == (2, 1)  # board:1 is already loaded from a.jsonl
    reason = con.execute("SELECT reason FROM quarantine WHERE field = 'posting_key'").fetchone()
    assert reason is not None and str(jsonl) in reason[0]
    links = dict(con.execute("SELECT posting_key, coalesce(duplicate_of, near_duplicate_of) FROM postings").fetchall())
    assert links["other:2"] == "board:1"
    assert links["other:3"] is None


def test_a_changed_file_loaded_again_replaces_its_rows(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + f'1,Data engineer,2025-01-02,DE,"{TEXT}",en,\n2,Cook,2025-01-03,DE,Cook,en,\n',
                    encoding="utf-8")  # fmt: skip
    assert _ingest(con, "generic_csv", feed).rows_loaded == 2
    feed.write_text(HEADER + "3,Baker,2025-02-01,DE,Bread every morning,en,\n", encoding="utf-8")
    again = _ingest(con, "generic_csv", feed)  # DuckDB 2 failed here: the checksum query's result was left open
    assert (again.status, again.rows_loaded) == ("loaded", 1)
    assert con.execute("SELECT list(posting_id) FROM postings").fetchall() == [(["3"],)]
    assert _ingest(con, "generic_csv", feed).status == "unchanged"


@pytest.mark.parametrize(
    "content,problem",
    [
        (b"posting_id,title,posted_at\n1,a,2025-01-01\n", "missing required column(s) country"),
        (b"posting_id,title,posted_at,country\n1,caf\xe9,2025-01-01,DE\n", "not valid UTF-8"),
        (b"", "the file is empty"),
    ],
)
def test_unreadable_files_stop_with_a_clear_error(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=re.escape(problem)) as error:
        _ingest(con, "generic_csv", path)
    assert str(path) in str(error.value)
    assert con.execute("SELECT count(*) FROM postings").fetchone()[0] == 0  # type: ignore[index]
    assert con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0] == 0  # type: ignore[index]


def test_truncated_gzip_is_a_clear_error(con: duckdb.DuckDBPyConnection, tmp_path: Path, inputs: Path) -> None:
    whole = (inputs / "postings/eures_2025_sample/european_jobs_batch2_original_language.csv.gz").read_bytes()
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="not a complete gzip file"):
        _ingest(con, "eures", path)
