"""The `moocast` command: thin subcommands over the library."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from features.skills import COMMON_WORD_SHARE
from pipelines.cli_forecast import backtest
from pipelines.ingest import RunReport
from pipelines.orchestrate import ingest_sources, planned_sources
from pipelines.readers import InputError
from pipelines.reports import validation_report_path
from pipelines.settings import Settings
from pipelines.status import warehouse_status
from pipelines.warehouse import connect

app = typer.Typer(
    help="moocast: forecast skills demand from job postings and labour statistics, and rank the MOOCs "
    "to produce next.\n\nTypical use: `moocast run` (everything on the default inputs), or step by step "
    "`moocast ingest all`, then `moocast status`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)


class Kind(StrEnum):
    taxonomy = "taxonomy"
    postings = "postings"
    stats = "stats"
    courses = "courses"
    all = "all"


@app.callback()
def main(
    ctx: typer.Context,
    inputs: Annotated[Path | None, typer.Option(
        help="Inputs folder laid out like ../shared/data [env MOOCAST_INPUTS; default data/inputs/ if "
        "present, else ../shared/data]", show_default=False)] = None,
    warehouse: Annotated[Path | None, typer.Option(
        help="DuckDB warehouse file [env MOOCAST_WAREHOUSE; default data/warehouse.duckdb]",
        show_default=False)] = None,
) -> None:
    """Global options; settings are validated here, before any work."""
    given: dict[str, Any] = {k: v for k, v in {"inputs": inputs, "warehouse": warehouse}.items() if v is not None}
    try:
        ctx.obj = Settings(**given)
    except ValidationError as error:
        for problem in error.errors():
            err.print(f"[red]setting {'.'.join(map(str, problem['loc']))}:[/red] {problem['msg']}")
        raise typer.Exit(2) from None


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def _print_reports(reports: list[RunReport]) -> None:
    table = Table(title="ingest runs")
    for column in ("kind", "format", "source", "status", "read", "loaded", "quarantined", "s"):
        table.add_column(column, justify="right" if column in {"read", "loaded", "quarantined", "s"} else "left")
    for r in reports:
        table.add_row(r.kind, r.format, Path(r.source).name, r.status, f"{r.rows_read:,}", f"{r.rows_loaded:,}",
                      f"{r.rows_quarantined:,}", f"{r.duration_s:.1f}")
    Console().print(table)


def run_ingest(settings: Settings, kind: str, paths: list[Path], format_name: str | None,
               quiet: bool) -> list[RunReport]:
    """Ingest with a progress bar on stderr; InputError and bad arguments become clear exits."""
    try:
        sources = planned_sources(settings.inputs, kind, paths, format_name)
    except (ValueError, FileNotFoundError) as error:
        raise _fail(str(error), 2) from None
    if not sources:
        raise _fail(f"nothing to ingest for {kind} under {settings.inputs}", 2)
    con = connect(settings.warehouse)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal)
    try:
        with progress:
            task = progress.add_task(f"ingest {kind}", total=len(sources))

            def done(report: RunReport) -> None:
                progress.update(task, advance=1, description=f"{report.format}: {Path(report.source).name}")
                if not err.is_terminal and not quiet:
                    err.print(f"{report.status:9} {report.format:16} {report.source} "
                              f"read={report.rows_read} loaded={report.rows_loaded} "
                              f"quarantined={report.rows_quarantined}")

            return ingest_sources(con, sources, done)
    except InputError as error:
        raise _fail(f"{error} (nothing of this file was loaded; the warehouse is as it was)") from None
    finally:
        con.close()


@app.command()
def ingest(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help="What to ingest; `all` walks taxonomies/, postings/, stats/, courses/")],
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Files or folders to ingest instead of the whole inputs folder")] = None,
    format: Annotated[str | None, typer.Option(
        "--format", help="Importer to use for PATHs (see `moocast formats`); detected when omitted")] = None,
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
        raise _fail(str(error), 2) from None
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
def extract(
    ctx: typer.Context,
    taxonomy_version: Annotated[str | None, typer.Option(help="ESCO version to extract for [default: latest]")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Extract ESCO skills from every posting not yet processed for the taxonomy version (incremental).

    Languages with ESCO skill labels in the warehouse are extracted natively; others are recorded as
    unsupported, never read as English. One transaction: re-running changes nothing."""
    from pipelines.extract import extract_postings

    settings: Settings = ctx.obj
    progress = Progress(TextColumn("extract"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TimeElapsedColumn(), console=err, disable=as_json or not err.is_terminal)
    with connect(settings.warehouse) as con, progress:
        task = progress.add_task("extract", total=None)
        try:
            counts = extract_postings(con, taxonomy_version,
                                      lambda done, total: progress.update(task, completed=done, total=total))
        except ValueError as error:
            raise _fail(str(error), 2) from None
    if as_json:
        print(json.dumps(counts, indent=2))
    else:
        Console().print(counts)


@app.command()
def panel(
    ctx: typer.Context,
    taxonomy_version: Annotated[str | None, typer.Option(help="ESCO version of the skill mixes [default: latest]")]
    = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Rebuild the skill-demand panel: the long series table (series_id, ds, y), its series attributes and the
    exogenous features, from postings (skills counted per region x sector x month) and official statistics
    (BA vacancies spread over ESCO skills through occupation profiles; ONS and Indeed by sector).

    Run after `moocast extract` (and `moocast code`); one transaction, so re-running gives the same panel."""
    from pipelines.panel import build_panel

    settings: Settings = ctx.obj
    with connect(settings.warehouse) as con:
        try:
            counts = build_panel(con, taxonomy_version, lambda stage: None if as_json else err.print(f"panel: {stage}"))
        except ValueError as error:
            raise _fail(str(error), 2) from None
    if as_json:
        print(json.dumps(counts, indent=2))
    else:
        Console().print(counts)


@app.command("eval-extraction")
def eval_extraction(
    ctx: typer.Context,
    files: Annotated[list[Path] | None, typer.Argument(help="Gold files in the Decorte format (sentence, span, "
                                                       "sub_span, label), e.g. ../shared/data/benchmarks/"
                                                       "skill_extraction/decorte_esco/*_validation_annotations.csv",
                                                       show_default=False)] = None,
    spans: Annotated[Path | None, typer.Option("--spans", help="Also score character spans against the Skill "
                                               "mentions of a CoNLL NER file, e.g. ../shared/data/benchmarks/"
                                               "skill_extraction/green_2022_ner/testset_conll.txt",
                                               show_default=False)] = None,
    floor: Annotated[bool, typer.Option("--floor", help="Score the literal-match floor instead: every ESCO label, "
                                        "no common-word filter")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Precision, recall and F1 of skill extraction, micro-averaged over sentences, per file and pooled.

    For each sentence the gold set is its labels other than LABEL NOT PRESENT; the prediction is the set of
    ESCO preferred labels extracted from that sentence alone. With --spans, the extracted character spans of
    each CoNLL sentence (tokens joined by spaces) are scored against its gold Skill spans, strict (same span)
    and lenient (overlapping). The lexicon comes from the warehouse."""
    from pipelines.evaluate import conll_span_scores, extraction_scores
    from pipelines.extract import latest_esco_version, literal_extractor

    settings: Settings = ctx.obj
    if not files and spans is None:
        raise _fail("give Decorte gold FILEs, --spans FILE, or both", 2)
    for path in [*(files or []), *([spans] if spans else [])]:
        if not path.is_file():
            raise _fail(f"{path}: no such gold file", 2)
    with connect(settings.warehouse, read_only=True) as con:
        extractor = literal_extractor(con, "en", None if floor else COMMON_WORD_SHARE, latest_esco_version(con))
    try:
        scores: dict[str, Any] = extraction_scores(files, extractor) if files else {}
        if spans is not None:
            scores["spans"] = {"file": str(spans), **conll_span_scores(spans, extractor)}
    except InputError as error:
        raise _fail(str(error)) from None
    if as_json:
        print(json.dumps(scores, indent=2))
        return
    title = " (literal floor)" if floor else ""
    if files:
        table = Table(title="skill extraction" + title)
        for column in ("file", "sentences", "precision", "recall", "F1"):
            table.add_column(column, justify="left" if column == "file" else "right")
        rows = {**scores["files"], "pooled": scores["pooled"]}
        for name, s in rows.items():
            table.add_row(Path(name).name, f"{s['sentences']:.0f}", f"{s['precision']:.3f}", f"{s['recall']:.3f}",
                          f"{s['f1']:.3f}")
        Console().print(table)
    if spans is not None:
        found = scores["spans"]
        table = Table(title=f"skill spans{title}: {spans.name}", caption=f"{found['sentences']} sentences, "
                      f"{found['gold_spans']} gold spans, {found['predicted_spans']} predicted")
        for column in ("match", "precision", "recall", "F1"):
            table.add_column(column, justify="left" if column == "match" else "right")
        for match in ("strict", "lenient"):
            s = found[match]
            table.add_row(match, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}")
        Console().print(table)


@app.command()
def code(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Code every posting not yet coded with its ESCO occupation (ISCO-08 group), region and NACE section.

    The title is matched with the ESCO occupation labels of the posting's language, or EURES's English title
    when that language has none. One transaction: re-running codes only new postings."""
    from pipelines.coding import code_postings

    with connect(ctx.obj.warehouse) as con:
        try:
            counts = code_postings(con)
        except ValueError as error:
            raise _fail(str(error), 2) from None
    if as_json:
        print(json.dumps(counts, indent=2))
    else:
        Console().print(counts)


@app.command("eval-occupations")
def eval_occupations(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Accuracy of title -> occupation coding on O*NET alternate titles, through the ESCO-O*NET crosswalk.

    A title counts as right when its predicted occupation's ISCO-08 group is one of those of the ESCO
    occupations crosswalked to its O*NET code; also: exact-occupation accuracy, coverage, and the accuracy of
    always predicting the most often right ISCO group (a trivial baseline)."""
    from pipelines.coding import occupation_accuracy

    with connect(ctx.obj.warehouse, read_only=True) as con:
        try:
            scores = occupation_accuracy(con)
        except ValueError as error:
            raise _fail(str(error), 2) from None
    if as_json:
        print(json.dumps(scores, indent=2))
        return
    table = Table(title="title -> occupation on O*NET alternate titles")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in scores.items():
        table.add_row(name, f"{value:.4f}" if isinstance(value, float) else str(value))
    Console().print(table)


@app.command()
def run(ctx: typer.Context) -> None:
    """The whole chain on the default inputs: ingest everything, extract skills, code postings, build the
    skill-demand panel, then report what the warehouse holds. Every step is incremental or idempotent, so a
    second run only does what is new."""
    import time

    from pipelines.coding import code_postings
    from pipelines.extract import extract_postings
    from pipelines.panel import build_panel

    settings: Settings = ctx.obj
    reports = run_ingest(settings, "all", [], None, quiet=False)
    _print_reports(reports)
    with connect(settings.warehouse) as con:
        for name, step in (("extract", extract_postings), ("code", code_postings), ("panel", build_panel)):
            started = time.perf_counter()
            counts = step(con)
            shown = {k: v for k, v in counts.items() if not isinstance(v, dict)}
            err.print(f"{name}: {shown} ({time.perf_counter() - started:.1f} s)")
        report_path = validation_report_path(con, settings.reports)
    ctx.invoke(status, ctx=ctx, as_json=False)
    print(f"warehouse: {settings.warehouse}\nvalidation report: {report_path}")


app.command()(backtest)

if __name__ == "__main__":
    sys.exit(app())
