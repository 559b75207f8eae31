"""The DuckDB warehouse: connections and the migrations of schema.sql."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

_MIGRATION_HEADER = re.compile(r"^-- migration (\d+): (.+)$", re.MULTILINE)


def migrations() -> list[tuple[int, str, str]]:
    """(version, title, sql) of every migration in schema.sql, in order."""
    text = resources.files("pipelines").joinpath("schema.sql").read_text(encoding="utf-8")
    heads = list(_MIGRATION_HEADER.finditer(text))
    found = []
    for head, nxt in zip(heads, [*heads[1:], None], strict=True):
        body = text[head.end() : nxt.start() if nxt else len(text)]
        found.append((int(head.group(1)), head.group(2).strip(), body))
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"schema.sql migrations must be numbered 1..n in order, found {versions}")
    return found


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An open, migrated warehouse (read-only connections are not migrated)."""
    if read_only:
        if not path.exists():
            raise FileNotFoundError(f"warehouse {path} does not exist yet: run `moocast ingest all` first")
        return _quiet(duckdb.connect(str(path), read_only=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _quiet(duckdb.connect(str(path)))
    migrate(con)
    return con


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar (DuckDB writes it to stdout, where it would mix with --json output); bounded memory."""
    con.execute("SET enable_progress_bar = false")
    con.execute("SET memory_limit = '1GB'")  # DuckDB spills beyond this; moocast's own frames come on top
    return con


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations not yet applied; returns the versions applied now."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, title VARCHAR, applied_at TIMESTAMP DEFAULT current_timestamp)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, title, sql in migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, title) VALUES (?, ?)", [version, title])
        applied.append(version)
    return applied


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when anything (even ^C) escapes it."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame, skip_existing: bool = False) -> None:
    """Insert a frame's rows into `table` by column name (`skip_existing`: rows whose key is there are skipped)."""
    con.register("new_rows", rows.to_arrow())
    try:
        con.execute(f'INSERT {"OR IGNORE " if skip_existing else ""}INTO "{table}" BY NAME SELECT * FROM new_rows')
    finally:
        con.unregister("new_rows")


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in version.split("."))


def latest_version(con: duckdb.DuckDBPyConnection, table: str, column: str = "version", **equal: str) -> str | None:
    """The highest version in `table`.`column` among the rows where each `equal` column has its value, compared
    number by number (1.10 above 1.9, which max() over strings gets wrong); None when there is none."""
    where = " AND ".join(f'"{name}" = ?' for name in equal) or "TRUE"
    rows = con.execute(f'SELECT DISTINCT "{column}" FROM "{table}" WHERE {where}', list(equal.values())).fetchall()
    versions = [str(row[0]) for row in rows if row[0] is not None]
    return max(versions, key=_version_key) if versions else None


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the warehouse's tables."""
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")
    return {row[0] for row in rows.fetchall()}
