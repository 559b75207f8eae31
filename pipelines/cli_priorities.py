"""`moocast priorities` (registered on the app by pipelines/cli.py)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipelines.cli_common import err, fail, step_spinner
from pipelines.settings import Settings
from pipelines.warehouse import connect


def priorities(
    ctx: typer.Context,
    provider: Annotated[
        str | None,
        typer.Option(
            help="Rank what is missing from this provider's own catalogue (e.g. coursera); without it, "
            "what is missing from all catalogues together",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Only courses for this language (ISO 639-1, e.g. de)", show_default=False)
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            help="Only demand in this region: a country (DE), a BA district (09162 = Munich) or a district "
            "code prefix (09 = Bavaria)",
            show_default=False,
        ),
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="How many topics to print and export")] = 10,
    source: Annotated[str, typer.Option(help="Panel source whose champion forecasts are ranked")] = "ba",
    every_provider: Annotated[
        bool, typer.Option("--every-provider", help="Rank for every provider in the catalogues and all together")
    ] = False,
    report: Annotated[
        bool,
        typer.Option(
            "--report", help="Also write CSV, JSON and a printable HTML page per provider to <reports>/priorities/"
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entries as JSON")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the entries as CSV")] = False,
) -> None:
    """Rank course topics to produce next: groups of ESCO skills with forecast demand that the catalogue does not
    teach in the region's language.

    Each entry's score = demand x momentum x need x entry_weight x uncovered:

      demand        forecast demand for the topic's skills over the horizon, mean per period (e.g. vacancies a year)

      momentum      forecast / last observed value, bounded to 0.5-1.5

      need          the share of jobseekers among jobseekers and openings in its regions and skill groups, against
                    the national share, bounded to 0.5-2

      entry_weight  1 + 0.5 x the share of its demand in entry-level occupations (ISCO major groups 4-9)

      uncovered     the share of its demand no course serves (1 = none; one fitting course halves it)

    Adding courses that teach a topic's skills never raises its score. Needs the champion's forecasts
    (`moocast train --source ba`, `moocast forecast --source ba`) and the course mapping (`moocast map-courses`).
    The full ranked list is stored in the warehouse table `priorities`, the gap of every skill and skill group
    (by region and sector) in `gaps`.

    Examples: moocast priorities --provider edx --top 5 --report;  moocast priorities --region 09 --json
    """
    from pipelines.course_supply import catalogue_providers
    from pipelines.priorities import Selection
    from pipelines.priorities import priorities as ranked_priorities
    from pipelines.priorities_export import priorities_csv, priorities_json, written_reports

    if as_json and as_csv:
        raise fail("--json and --csv print to the same place: give one", 2)
    if as_csv and every_provider:
        raise fail("--csv prints one list: give --provider, or --every-provider --report for a CSV file each", 2)
    settings: Settings = ctx.obj
    progress = step_spinner(False)
    try:
        with connect(settings.warehouse) as con, progress:
            task = progress.add_task("priorities", total=None)
            providers: list[str | None] = [None]
            if every_provider:
                providers += catalogue_providers(con)
            elif provider is not None:
                providers = [provider]
            selections = [Selection(p, language, region) for p in providers]
            results = ranked_priorities(
                con, settings, source, selections, lambda stage: progress.update(task, description=stage)
            )
    except ValueError as error:
        raise fail(str(error), 2) from None
    if report:
        for result in results:
            for path in written_reports(result, settings.reports / "priorities", top):
                err.print(f"wrote {path}")
    if as_json:
        shown = [priorities_json(result, top) for result in results]
        print(json.dumps(shown if every_provider else shown[0], indent=2, ensure_ascii=False))
        return
    if as_csv:
        sys.stdout.write("".join(priorities_csv(result["entries"][:top]) for result in results))
        return
    for result in results:
        key, meta = result["selection"], result["meta"]
        table = Table(
            title=f"priorities for {key['provider'] if key['provider'] != 'ALL' else 'all providers'}",
            caption=f"{meta['model_name']} v{meta['model_version']}, {meta['horizon']}; language {key['language']}, "
            f"region {key['region']}",
        )
        for column in ("rank", "topic", "skills", "score", "demand (80%)", "growth", "coverage", "level"):
            table.add_column(column, justify="right" if column in {"rank", "skills", "score", "coverage"} else "left")
        for e in result["entries"][:top]:
            d = e["demand"]
            table.add_row(str(e["rank"]), e["topic"], str(len(e["skills"])), f"{e['score']:,.0f}",
                          f"{d['value']:,.0f} ({d['lo_80']:,.0f}-{d['hi_80']:,.0f})", f"{d['growth']:+.1%}",
                          f"{e['coverage']['coverage']:.2f}", e["level"])  # fmt: skip
        Console().print(table)
        for e in result["entries"][:top]:
            Console().print(f"{e['rank']}. {e['explanation']}", highlight=False)
