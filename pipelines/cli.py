"""The `moocast` command: thin subcommands over the library."""

from __future__ import annotations

import atexit
import gc
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from pipelines.cli_backtest import backtest
from pipelines.cli_common import err, fail, progress_bar
from pipelines.cli_courses import map_courses, supply
from pipelines.cli_forecast import forecast, models_app, retrain, train
from pipelines.cli_priorities import priorities
from pipelines.cli_serve import publish, serve
from pipelines.cli_skills import code, eval_extraction, eval_occupations, extract, panel
from pipelines.readers import InputError
from pipelines.reports import validation_report_path
from pipelines.settings import INPUT_COMMANDS, Settings
from pipelines.status import warehouse_status
from pipelines.warehouse import connect

if TYPE_CHECKING:
    from pipelines.ingest import RunReport

app = typer.Typer(
    help="moocast: forecast skills demand from job postings and labour statistics, and rank the MOOCs "
    "to produce next.\n\nTypical use: `moocast run` (everything on the default inputs), or step by step "
    "`moocast ingest all`, then `moocast status`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class Kind(StrEnum):
    taxonomy = "taxonomy"
    postings = "postings"
    stats = "stats"
    courses = "courses"
    all = "all"


@app.callback()
def main(
    ctx: typer.Context,
    inputs: Annotated[
        Path | None,
        typer.Option(
            help="Inputs folder laid out like ../shared/data [env MOOCAST_INPUTS; default data/inputs/ if "
            "present, else ../shared/data]",
            show_default=False,
        ),
    ] = None,
    warehouse: Annotated[
        Path | None,
        typer.Option(
            help="DuckDB warehouse file [env MOOCAST_WAREHOUSE; default data/warehouse.duckdb]", show_default=False
        ),
    ] = None,
) -> None:
    """Global options; settings are validated here, before any work."""
    # At exit Python's collector walks every object still alive, again and again as modules are torn down (a
    # second for an ingest, whose GX leaves many): frozen objects are left out. Registered once per process.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    given: dict[str, Any] = {k: v for k, v in {"inputs": inputs, "warehouse": warehouse}.items() if v is not None}
    try:
        ctx.obj = Settings(**given)
    except ValidationError as error:
        for problem in error.errors():
            err.print(f"[red]setting {'.'.join(map(str, problem['loc']))}:[/red] {problem['msg']}")
        raise typer.Exit(2) from None
    if ctx.invoked_subcommand in INPUT_COMMANDS and (problem := ctx.obj.inputs_problem()):
        err.print(f"[red]setting inputs:[/red] {problem}")
        raise typer.Exit(2)


def _print_reports(reports: list[RunReport]) -> None:
    table = Table(title="ingest runs")
    for column in ("kind", "format", "source", "status", "read", "loaded", "quarantined", "s"):
        table.add_column(column, justify="right" if column in {"read", "loaded", "quarantined", "s"} else "left")
    for r in reports:
        table.add_row(
            r.kind,
            r.format,
            Path(r.source).name,
            r.status,
            f"{r.rows_read:,}",
            f"{r.rows_loaded:,}",
            f"{r.rows_quarantined:,}",
            f"{r.duration_s:.1f}",
        )
    Console().print(table)


def run_ingest(
    settings: Settings, kind: str, paths: list[Path], format_name: str | None, quiet: bool
) -> list[RunReport]:
    """Ingest with a progress bar on stderr; InputError and bad arguments become clear exits."""
    from pipelines.orchestrate import ingest_sources, planned_sources  # the importers, only where they are used

    try:
        sources = planned_sources(settings.inputs, kind, paths, format_name)
    except (ValueError, FileNotFoundError) as error:
        raise fail(str(error), 2) from None
    if not sources:
        raise fail(f"nothing to ingest for {kind} under {settings.inputs}", 2)
    con = connect(settings.warehouse)
    progress = progress_bar(quiet)
    try:
        with progress:
            task = progress.add_task(f"ingest {kind}", total=len(sources))

            def done(report: RunReport) -> None:
                progress.update(task, advance=1, description=f"{report.format}: {Path(report.source).name}")
                if not err.is_terminal and not quiet:
                    err.print(
                        f"{report.status:9} {report.format:16} {report.source} "
                        f"read={report.rows_read} loaded={report.rows_loaded} "
                        f"quarantined={report.rows_quarantined}"
                    )

            return ingest_sources(con, sources, done)
    except InputError as error:
        raise fail(f"{error} (nothing of this file was loaded; the warehouse is as it was)") from None
    finally:
        con.close()


@app.command()
def ingest(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help="What to ingest; `all` walks taxonomies/, postings/, stats/, courses/")],
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to ingest instead of the whole inputs folder")
    ] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help="Importer to use for PATHs (see `moocast formats`); detected when omitted"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with every run")] = False,
) -> None:
    """Load inputs into the warehouse, validated: every row is loaded or quarantined with its reason.

    Each source is one transaction: a file that cannot be read stops the command with an error naming
    the file, line and field, and leaves the warehouse as it was. Re-ingesting an unchanged file changes
    nothing. Examples:

      moocast ingest all

      moocast ingest postings my_postings.jsonl --format generic_jsonl --json
    """
    reports = run_ingest(ctx.obj, kind.value, paths or [], format, quiet=as_json)
    if as_json:
        totals = {k: sum(getattr(r, k) for r in reports) for k in ("rows_read", "rows_loaded", "rows_quarantined")}
        print(json.dumps({"runs": [r.as_dict() for r in reports], "totals": totals}, indent=2))
    else:
        _print_reports(reports)


@app.command()
def formats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the input formats moocast reads, by kind."""
    from pipelines.importers import FORMATS

    rows = [{"name": f.name, "kind": f.kind, "description": f.description} for f in FORMATS]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title="input formats")
    for column in ("kind", "name", "description"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["kind"], row["name"], row["description"])
    Console().print(table)


@app.command()
def status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """What the warehouse holds: row counts, taxonomy versions, statistics, the latest run per source."""
    settings: Settings = ctx.obj
    try:
        con = connect(settings.warehouse, read_only=True)
    except FileNotFoundError as error:
        raise fail(str(error), 2) from None
    with con:
        report = warehouse_status(con)
    if as_json:
        print(json.dumps(report, indent=2, default=str))
        return
    table = Table(title=f"warehouse {settings.warehouse}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in report["counts"].items():
        table.add_row(name, f"{count:,}")
    Console().print(table)
    for version in report["taxonomies"]:
        Console().print(f"taxonomy {version['taxonomy']} {version['version']} ({', '.join(version['languages'])})")


@app.command("validation-report")
def validation_report(ctx: typer.Context) -> None:
    """Write an HTML page of every validation suite's latest result and quarantine reasons; print its path."""
    settings: Settings = ctx.obj
    with connect(settings.warehouse, read_only=True) as con:
        print(validation_report_path(con, settings.reports))


@app.command()
def run(ctx: typer.Context) -> None:
    """The whole chain on the default inputs: ingest everything, extract skills, code postings, build the
    skill-demand panel, map the course catalogues to skills, train and forecast each source in the setting
    retrain_sources (default ba, ons; MLflow under mlruns/), rank the course topics to produce (reports in
    <reports>/priorities/), publish the results the service reads (`moocast serve`), then report what the
    warehouse holds. Every step is incremental or idempotent, so a
    second run only does what is new (training runs again: the backtest gate decides whether the new model
    is promoted). `moocast retrain` runs the same stages under a lock, resumable, for cron."""
    import time

    from pipelines.retrain import stages

    settings: Settings = ctx.obj
    reports = run_ingest(settings, "all", [], None, quiet=False)
    _print_reports(reports)
    with connect(settings.warehouse) as con:
        for name, step in stages(settings):
            if name == "ingest":
                continue
            started = time.perf_counter()
            err.print(f"{name} ...")
            counts = step(con)
            shown = {k: v for k, v in counts.items() if not isinstance(v, dict)}
            err.print(f"{name}: {shown} ({time.perf_counter() - started:.1f} s)")
        report_path = validation_report_path(con, settings.reports)
    ctx.invoke(status, ctx=ctx, as_json=False)
    print(f"warehouse: {settings.warehouse}\nvalidation report: {report_path}\n"
          f"priorities: {settings.reports / 'priorities'} (moocast priorities --help)\n"
          f"results for the service: {settings.serving_dir / 'current'} (moocast serve: dashboard and API at "
          f"http://{settings.host}:{settings.port}/)")  # fmt: skip


for command in (extract, code, panel, backtest, train, forecast, retrain, priorities, publish, serve):
    app.command()(command)
app.command("eval-extraction")(eval_extraction)
app.command("eval-occupations")(eval_occupations)
app.command("map-courses")(map_courses)
app.command()(supply)
app.add_typer(models_app, name="models")

if __name__ == "__main__":
    sys.exit(app())
