"""The warehouse's migrations, on real DuckDB files."""

from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse import connect, migrations

POSTING = ("gen:1", "1", "gen", "Data engineer", "Build pipelines in Python. " * 40, "2025-01-02", "DE",
           1, [1, 2], "postings.csv", 1)  # fmt: skip


def _warehouse_at(path: Path, version: int) -> None:
    """A warehouse file with migrations 1..version applied, as an older moocast left it."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, title VARCHAR, "
                "applied_at TIMESTAMP DEFAULT current_timestamp)")  # fmt: skip
    for number, title, sql in migrations()[:version]:
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations (version, title) VALUES (?, ?)", [number, title])
    columns = (
        "posting_key, posting_id, source, title, description, posted_at, country, text_hash, minhash, file, record"
    )
    con.execute(f"INSERT INTO postings ({columns}) VALUES ({', '.join('?' * len(POSTING))})", list(POSTING))
    con.close()


def test_postings_descriptions_move_to_zstd_with_every_row_kept(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    _warehouse_at(path, 15)
    con = connect(path)
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (len(migrations()),)
    row = con.execute("SELECT posting_key, description, minhash FROM postings").fetchall()
    assert row == [("gen:1", POSTING[4], [1, 2])]
    ddl = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'postings'").fetchone()[0]  # type: ignore[index]
    assert "description VARCHAR USING COMPRESSION ZSTD" in ddl
    con.execute("INSERT INTO postings SELECT 'gen:' || i, i::VARCHAR, 'gen', 'Title', repeat('text ', 200) || i, "
                "DATE '2025-01-02', 'DE', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, i, [i], NULL, NULL, "
                "'postings.csv', i FROM range(2, 5000) r(i)")  # fmt: skip
    con.execute("CHECKPOINT")
    stored = con.execute("SELECT DISTINCT compression FROM pragma_storage_info('postings') "
                         "WHERE column_name = 'description' AND segment_type = 'VARCHAR'").fetchall()  # fmt: skip
    assert stored == [("ZSTD",)]
    with pytest.raises(duckdb.ConstraintException):  # the primary key survived the rebuild
        con.execute("INSERT INTO postings SELECT * FROM postings WHERE posting_key = 'gen:1'")


def test_extraction_and_codes_of_an_older_warehouse_are_taken_as_of_todays_text(tmp_path: Path) -> None:
    from pipelines.coding import CODING_INPUT
    from pipelines.extract import EXTRACTION_INPUT

    path = tmp_path / "warehouse.duckdb"
    _warehouse_at(path, 16)
    with duckdb.connect(str(path)) as old:
        old.execute("INSERT INTO extraction_status VALUES ('gen:1', '1.1.1', 'literal-2', 'extracted', 3, now())")
        old.execute("INSERT INTO posting_codes (posting_key, country, coded_at) VALUES ('gen:1', 'DE', now())")
    con = connect(path)
    for table, expression in (("extraction_status", EXTRACTION_INPUT), ("posting_codes", CODING_INPUT)):
        same = con.execute(f"SELECT e.input_hash = {expression} FROM {table} e JOIN postings p USING (posting_key)")
        assert same.fetchall() == [(True,)], table  # the backfill and the code compute the same hash


def test_latest_version_compares_numbers(tmp_path: Path) -> None:
    from pipelines.warehouse import latest_version

    con = connect(tmp_path / "warehouse.duckdb")
    assert latest_version(con, "taxonomy_versions") is None
    for taxonomy, version in (("esco", "1.9.0"), ("esco", "1.10.0"), ("esco", "1.1.1"), ("onet", "29.2")):
        con.execute("INSERT INTO taxonomy_versions (taxonomy, version, languages, file) VALUES (?, ?, ['en'], 'x')",
                    [taxonomy, version])  # fmt: skip
    assert latest_version(con, "taxonomy_versions", taxonomy="esco") == "1.10.0"  # max() over strings: 1.9.0
    assert latest_version(con, "taxonomy_versions") == "29.2"
