"""`moocast publish` and `moocast serve` (registered on the app by pipelines/cli.py)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from pipelines.cli_common import err, fail
from pipelines.settings import Settings
from pipelines.warehouse import connect


def publish(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the snapshot's path and row counts as JSON")] = False,
) -> None:
    """Copy the results the service serves (forecasts with their series' history, backtest scorecards,
    priorities, gaps, labels, regions, sectors, freshness) from the warehouse into a new snapshot
    <serving_dir>/results-<timestamp>.duckdb and point <serving_dir>/current at it; a running `moocast serve`
    switches to it within a second. Keeps the newest `serving_keep` snapshots. The last stage of `moocast run`
    and `moocast retrain`."""
    from pipelines.publish import published

    settings: Settings = ctx.obj
    with connect(settings.warehouse) as con:
        try:
            result = published(con, settings)
        except ValueError as error:
            raise fail(str(error), 2) from None
    if as_json:
        print(json.dumps(result))
    else:
        print(f"published {result['snapshot']} ({result['rows']['forecasts']:,} forecast rows); "
              f"removed {len(result['removed'])} old snapshot(s)")  # fmt: skip


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on [setting host, default 127.0.0.1]", show_default=False)
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port [setting port, default 8000]", show_default=False)
    ] = None,
    access_log: Annotated[bool, typer.Option(help="Log every request (method, path, status)")] = True,
) -> None:
    """Serve the API (OpenAPI at /docs) and the planners' dashboard on the published results (`moocast publish`),
    never the warehouse, so batch jobs can write it meanwhile. Provider feeds and admin actions need the setting
    api_key (MOOCAST_API_KEY)."""
    import uvicorn

    from pipelines.publish import CURRENT
    from serving.app import create_app

    settings: Settings = ctx.obj
    host, port = host or settings.host, port or settings.port
    if not (settings.serving_dir / CURRENT).exists():
        raise fail(f"nothing published in {settings.serving_dir}: run `moocast publish` (or `moocast run`) first", 2)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"dashboard: http://{shown}:{port}/   API docs: http://{shown}:{port}/docs")
    # Queries run in worker threads that release the GIL inside DuckDB; a 1 ms switch interval (default 5 ms)
    # hands it back to the event loop sooner (uncached requests ~2x faster at low load on 2 cores).
    sys.setswitchinterval(0.001)
    uvicorn.run(create_app(settings), host=host, port=port, access_log=access_log, log_level="info")
