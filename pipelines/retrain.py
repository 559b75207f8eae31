"""`moocast retrain`: the batch job. New data in, extraction, coding, panel, course mapping, then per source
train (backtest, gate, promote) and forecast, then priorities; one log line per stage with its timing.

Safe from cron: a second run while one holds the lock exits at once (LockedError). Resumable: a run that
crashed is picked up by the next one, which skips the stages it had finished (every stage is idempotent
anyway, so a stage cut midway is simply run again)."""

from __future__ import annotations

import fcntl
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from pipelines.backtest import DEFAULT_MODELS
from pipelines.coding import code_postings
from pipelines.course_supply import catalogue_providers
from pipelines.courses import map_courses
from pipelines.extract import extract_postings
from pipelines.orchestrate import ingest_sources, planned_sources
from pipelines.panel import build_panel
from pipelines.priorities import Selection, priorities
from pipelines.priorities_export import written_reports
from pipelines.publish import published
from pipelines.settings import Settings
from pipelines.training import champion_forecasts, train
from pipelines.warehouse import connect


class LockedError(RuntimeError):
    """Another retrain holds the lock."""


@contextmanager
def retrain_lock(path: Path) -> Iterator[None]:
    """An exclusive, non-blocking lock on `path` for the duration (released by the OS if the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise LockedError(f"another `moocast retrain` holds {path}; try again when it has finished") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_id(con: duckdb.DuckDBPyConnection) -> tuple[str, set[str]]:
    """The unfinished run to resume (and its finished stages), else a new run."""
    rows = con.execute(
        "SELECT run_id FROM retrain_runs WHERE finished_at IS NULL ORDER BY started_at DESC LIMIT 1"
    ).fetchall()
    if rows:
        done = con.execute("SELECT stage FROM retrain_stages WHERE run_id = ?", [rows[0][0]]).fetchall()
        return str(rows[0][0]), {row[0] for row in done}
    run_id = uuid.uuid4().hex[:12]
    con.execute("INSERT INTO retrain_runs VALUES (?, ?, NULL)", [run_id, datetime.now()])
    return run_id, set()


def stages(settings: Settings) -> list[tuple[str, Callable[[duckdb.DuckDBPyConnection], dict[str, Any]]]]:
    """(name, step) in order; each step is idempotent on the warehouse."""

    def ingest(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        reports = ingest_sources(con, planned_sources(settings.inputs, "all", [], None))
        return {"files": len(reports), "loaded": sum(r.status == "loaded" for r in reports)}

    found: list[tuple[str, Callable[[duckdb.DuckDBPyConnection], dict[str, Any]]]] = [
        ("ingest", ingest), ("extract", partial(extract_postings, semantic=settings.semantic_extraction)),
        ("code", code_postings), ("panel", build_panel),
        ("map-courses", _mapped),
    ]  # fmt: skip
    for source in settings.retrain_sources:
        found.append((f"train:{source}", partial(_trained, settings=settings, source=source)))
        found.append((f"forecast:{source}", partial(_forecast, settings=settings, source=source)))
    if settings.priorities_source in settings.retrain_sources:
        found.append(("priorities", partial(_priorities, settings=settings)))
    found.append(("publish", partial(_published, settings=settings)))
    return found


def _mapped(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return {k: v for k, v in map_courses(con).items() if k != "totals"}


def _trained(con: duckdb.DuckDBPyConnection, settings: Settings, source: str) -> dict[str, Any]:
    """Train the candidates on the source's panel (the backtest gate decides promotion); the result sans scores."""
    result = train(con, settings, source, None, settings.retrain_models or DEFAULT_MODELS, None, 2)
    return {k: v for k, v in result.items() if k != "backtest"}


def _priorities(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, Any]:
    """Rank for all providers together and for each one; write their CSV, JSON and HTML reports."""
    selections = [Selection(), *(Selection(provider) for provider in catalogue_providers(con))]
    results = priorities(con, settings, settings.priorities_source, selections)
    folder = settings.reports / "priorities"
    written = [path for result in results for path in written_reports(result, folder, settings.priorities_top)]
    first = results[0]["entries"][0]["topic"] if results[0]["entries"] else None
    return {"lists": len(results), "reports": len(written), "folder": str(folder), "top_topic": first}


def _published(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, Any]:
    """A new results snapshot for the service (`moocast publish`)."""
    result = published(con, settings)
    return {"snapshot": result["snapshot"], "forecasts": result["rows"]["forecasts"], "removed": len(result["removed"])}


def _forecast(con: duckdb.DuckDBPyConnection, settings: Settings, source: str) -> dict[str, Any]:
    return champion_forecasts(con, settings, source, None)


def retrain(settings: Settings, log: Callable[[str], None]) -> dict[str, Any]:
    """Run (or resume) the batch job under the lock; returns the run id and each stage's result."""
    with retrain_lock(settings.warehouse.with_suffix(".retrain.lock")), connect(settings.warehouse) as con:
        run_id, finished = _run_id(con)
        results: dict[str, Any] = {}
        for name, step in stages(settings):
            if name in finished:
                log(f"retrain {run_id} {name}: done before the crash, skipped")
                continue
            started = time.perf_counter()
            detail = step(con)
            seconds = time.perf_counter() - started
            con.execute("INSERT INTO retrain_stages VALUES (?, ?, ?, ?, ?)",
                        [run_id, name, seconds, json.dumps(detail, default=str), datetime.now()])  # fmt: skip
            results[name] = detail
            log(f"retrain {run_id} {name}: {seconds:.1f} s {json.dumps(detail, default=str)}")
        con.execute("UPDATE retrain_runs SET finished_at = ? WHERE run_id = ?", [datetime.now(), run_id])
    return {"run_id": run_id, "resumed_after": sorted(finished), "stages": results}
