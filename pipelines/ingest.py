"""Loading parsed inputs into the warehouse: validate, quarantine, replace, record; all in one transaction."""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path

import duckdb
import polars as pl

from pipelines.readers import FILE, LINE, InputError, physical_lines
from pipelines.validation import QUARANTINE_COLUMNS, Rule, SuiteResult, rejected_rows, suite_result

CHUNK_ROWS = 100_000
DERIVE_THREADS = 2  # chunks derived at once: fingerprints are the loading loop's longest step
CHECK_ROWS = 250_000  # rows per GX suite: a suite costs ~0.2 s whatever its size, ~0.35 s more per 100,000 rows


@dataclass
class Staged:
    """Rows for one warehouse table, with `_file` and `_line` columns and the rules they must meet.

    `counted` tables hold one row per input record; derived tables (e.g. labels exploded from a skill row)
    are loaded only for records that were not quarantined. Rules run on the whole frame; `derive` and the insert
    run on chunks of CHUNK_ROWS rows, the GX suite on chunks of CHECK_ROWS, which bounds the memory of large
    files."""

    table: str
    frame: pl.DataFrame
    rules: Sequence[Rule] = ()
    raw_columns: Sequence[str] = ()
    counted: bool = True
    min_rows: int = 1
    key: str | None = None  # a column unique across files: rows whose key another file loaded are quarantined
    derive: Callable[[pl.DataFrame], pl.DataFrame] | None = None  # columns computed per chunk, after validation


@dataclass
class Batch:
    """Everything one importer read from one source (a file, or a folder such as an ESCO export)."""

    kind: str
    format: str
    source: str
    files: list[Path]
    checksum: str
    staged: list[Staged]
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=QUARANTINE_COLUMNS))
    after_load: Callable[[duckdb.DuckDBPyConnection], None] | None = None


@dataclass(frozen=True)
class RunReport:
    run_id: str
    kind: str
    format: str
    source: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    duration_s: float
    suites: tuple[SuiteResult, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "format": self.format,
            "source": self.source,
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "duration_s": round(self.duration_s, 3),
            "validation": [{"suite": s.suite, "success": s.success, "failed": s.failed} for s in self.suites],
        }


def unchanged_since_last_load(con: duckdb.DuckDBPyConnection, batch: Batch) -> bool:
    """True when the last loaded run of this source had the same checksum."""
    rows = con.execute(
        "SELECT checksum FROM ingest_runs WHERE kind = ? AND source = ? AND status = 'loaded' "
        "ORDER BY started_at DESC LIMIT 1",
        [batch.kind, batch.source],
    ).fetchall()  # fetched to the end: DuckDB refuses other work on a connection with a result left open
    return bool(rows) and rows[0][0] == batch.checksum


def _quarantine_with_lines(frame: pl.DataFrame) -> pl.DataFrame:
    """Replace record numbers by the physical line each record starts on, per file."""
    if frame.is_empty():
        return frame
    parts = []
    for (name,), part in frame.group_by("file", maintain_order=True):
        lines = physical_lines(Path(str(name)), set(part["line"].drop_nulls().to_list()))
        parts.append(part.with_columns(pl.col("line").replace_strict(lines, default=pl.col("line"))))
    return pl.concat(parts)


def _key_conflicts(con: duckdb.DuckDBPyConnection, staged: Staged, source: str) -> pl.DataFrame:
    """Quarantine rows of `staged` whose key was already loaded from another source."""
    if staged.key is None:
        return pl.DataFrame(schema=QUARANTINE_COLUMNS)
    keys = staged.frame.select(pl.col(staged.key).alias("key"))
    con.register("candidate_keys", keys.to_arrow())
    taken = con.sql(
        f'SELECT t."{staged.key}", t.file FROM "{staged.table}" t JOIN candidate_keys c ON t."{staged.key}" = c.key '
        "WHERE t.file <> ?",
        params=[source],
    ).pl()
    con.unregister("candidate_keys")
    if taken.is_empty():
        return pl.DataFrame(schema=QUARANTINE_COLUMNS)
    taken.columns = [staged.key, "other"]
    return (
        staged.frame.join(taken, on=staged.key)
        .select(
            pl.col(FILE).alias("file"),
            pl.col(LINE).alias("line"),
            pl.lit(staged.key).alias("field"),
            (pl.lit("key already loaded from ") + pl.col("other")).alias("reason"),
            pl.col(staged.key).cast(pl.String).alias("raw"),
        )
        .cast(QUARANTINE_COLUMNS)  # type: ignore[arg-type]
    )


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch, known_tables: set[str]) -> RunReport:
    """Validate, quarantine and load a batch atomically; re-loading the same source replaces its rows."""
    started, clock = datetime.now(), time.perf_counter()
    run_id = uuid.uuid4().hex
    if unchanged_since_last_load(con, batch):
        report = RunReport(run_id, batch.kind, batch.format, batch.source, "unchanged", 0, 0, 0, 0.0)
        _record_run(con, report, batch.checksum, started)
        return report

    rejected = [batch.rejects]
    for staged in batch.staged:
        if staged.counted:
            rejected += [
                rejected_rows(staged.frame, staged.rules, staged.raw_columns),
                _key_conflicts(con, staged, batch.source),
            ]
    quarantine = pl.concat(rejected)
    bad_keys = quarantine.select(pl.col("file").alias(FILE), pl.col("line").alias(LINE)).unique()
    kept = [
        staged.frame.join(bad_keys, on=[FILE, LINE], how="anti") if bad_keys.height else staged.frame
        for staged in batch.staged
    ]
    rows_read = sum(s.frame.height for s in batch.staged if s.counted) + batch.rejects.height
    rows_loaded = sum(rows.height for s, rows in zip(batch.staged, kept, strict=True) if s.counted)
    quarantine = _quarantine_with_lines(quarantine)
    con.execute("BEGIN TRANSACTION")
    try:
        for table in {staged.table for staged in batch.staged}:
            if table not in known_tables:
                raise ValueError(f"importer {batch.format} targets unknown table {table}")
            con.execute(f'DELETE FROM "{table}" WHERE file = ?', [batch.source])
        suites = tuple(
            _insert_validated(con, batch, staged, rows) for staged, rows in zip(batch.staged, kept, strict=True)
        )
        con.execute("DELETE FROM quarantine WHERE source = ?", [batch.source])
        con.register(
            "quarantined", quarantine.with_columns(run_id=pl.lit(run_id), source=pl.lit(batch.source)).to_arrow()
        )
        con.execute("INSERT INTO quarantine BY NAME SELECT * FROM quarantined")
        con.unregister("quarantined")
        for suite in suites:
            con.execute(
                "INSERT INTO validation_results VALUES (?, ?, ?, ?, ?, ?)",
                [run_id, suite.suite, suite.success, suite.evaluated, suite.failed, suite.result_json],
            )
        if batch.after_load is not None:
            batch.after_load(con)
        report = RunReport(
            run_id,
            batch.kind,
            batch.format,
            batch.source,
            "loaded",
            rows_read,
            rows_loaded,
            bad_keys.height,
            time.perf_counter() - clock,
            suites,
        )
        _record_run(con, report, batch.checksum, started)
        con.execute("COMMIT")
    except duckdb.ConstraintException as error:
        con.execute("ROLLBACK")
        raise InputError(
            batch.source,
            f"{error}: these rows were already loaded from another source (the same ESCO version from another "
            "folder, say); load a new version, or the same source again",
        ) from None
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report


def _derived_chunks(rows: pl.DataFrame, derive: Callable[[pl.DataFrame], pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """`derive(chunk)` of each chunk of CHUNK_ROWS rows, in order, computed by DERIVE_THREADS worker threads that
    keep as many chunks ahead of the caller (which inserts the current one: polars, numpy and DuckDB release the
    GIL meanwhile)."""
    chunks = rows.iter_slices(CHUNK_ROWS) if rows.height else iter([rows])
    with ThreadPoolExecutor(DERIVE_THREADS, "derive") as deriving:
        ahead = deque(deriving.submit(derive, chunk) for chunk in islice(chunks, DERIVE_THREADS))
        while ahead:
            derived = ahead.popleft().result()
            ahead.extend(deriving.submit(derive, chunk) for chunk in islice(chunks, 1))
            yield derived


def _passed(checks: Iterable[Future[SuiteResult]], name: str, source: str) -> list[SuiteResult]:
    """The results of `checks`; InputError (which rolls the whole load back) at the first failing suite."""
    results = [check.result() for check in checks]
    for result in results:
        if not result.success:
            raise InputError(
                source,
                f"validation suite {name} failed after quarantine "
                f"({result.failed} of {result.evaluated} expectations): {result.result_json[:500]}",
            )
    return results


def _insert_validated(con: duckdb.DuckDBPyConnection, batch: Batch, staged: Staged, rows: pl.DataFrame) -> SuiteResult:
    """Insert `rows` chunk by chunk, derived first, while a worker thread runs the GX suite (on the columns its
    rules read, which exist before `derive`) on chunks of CHECK_ROWS rows, one at a time; the suites' results
    merged. A failing suite raises InputError, which rolls the whole load back: it is raised at the first chunk
    inserted after the suite ended, or once every chunk is inserted."""
    name, columns = f"{batch.format}.{staged.table}", _columns(con, staged.table)
    parts = rows.iter_slices(CHECK_ROWS) if rows.height else [rows]
    checking = ThreadPoolExecutor(1, "check")
    try:
        checks = [
            checking.submit(suite_result, name, part, staged.rules, staged.min_rows if index == 0 else 0)
            for index, part in enumerate(parts)
        ]
        for derived in _derived_chunks(rows, staged.derive or (lambda chunk: chunk)):
            _passed((check for check in checks if check.done()), name, batch.source)
            insert = derived.rename({LINE: "record"}).with_columns(file=pl.lit(batch.source))
            insert = insert.select(c for c in insert.columns if c in columns)
            # the newest Arrow layout hands strings over as views of the frame's buffers, not as copies
            con.register("staged_rows", insert.to_arrow(compat_level=pl.CompatLevel.newest()))
            con.execute(f'INSERT INTO "{staged.table}" BY NAME SELECT * FROM staged_rows')
            con.unregister("staged_rows")
        results = _passed(checks, name, batch.source)
    finally:
        checking.shutdown(cancel_futures=True)
    return SuiteResult(name, True, sum(r.evaluated for r in results), 0, results[0].result_json)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])
    return {row[0] for row in rows.fetchall()}


def _record_run(con: duckdb.DuckDBPyConnection, report: RunReport, checksum: str, started: datetime) -> None:
    con.execute(
        "INSERT INTO ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report.run_id,
            report.kind,
            report.format,
            report.source,
            checksum,
            report.rows_read,
            report.rows_loaded,
            report.rows_quarantined,
            started,
            report.duration_s,
            report.status,
        ],
    )
