"""`moocast map-courses` and `moocast supply` (registered on the app by pipelines/cli.py)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from features.course_levels import LEVEL_SCALE
from pipelines.cli_common import fail, progress_bar, shown
from pipelines.settings import Settings
from pipelines.warehouse import connect

VERSION_HELP = "ESCO version [default: latest]"


def map_courses(
    ctx: typer.Context,
    taxonomy_version: Annotated[str | None, typer.Option(help=VERSION_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Map every course not yet mapped for the ESCO version to ESCO skills, with confidence (incremental).

    Own skill lists (Coursera) are matched to ESCO labels; titles and descriptions are read by the literal
    extractor in the course's language (stated, else detected, else 'und'). Levels are normalised to
    introductory | intermediate | advanced | mixed | unknown. One transaction: re-running changes nothing;
    a course that changed in the catalogue is mapped again."""
    from pipelines.courses import map_courses as mapped_counts

    settings: Settings = ctx.obj
    progress = progress_bar(as_json)
    with connect(settings.warehouse) as con, progress:
        task = progress.add_task("map courses", total=None)
        try:
            counts = mapped_counts(con, taxonomy_version,
                                   lambda done, total: progress.update(task, completed=done, total=total))  # fmt: skip
        except ValueError as error:
            raise fail(str(error), 2) from None
    shown(counts, as_json)


def supply(
    ctx: typer.Context,
    skill_group: Annotated[
        str | None, typer.Option(help="A skill group URI: its skills instead of the groups", show_default=False)
    ] = None,
    provider: Annotated[str | None, typer.Option(help="Courses of this provider only", show_default=False)] = None,
    top: Annotated[int | None, typer.Option(min=1, help="Only the N most taught", show_default=False)] = None,
    taxonomy_version: Annotated[str | None, typer.Option(help=VERSION_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What the catalogues already teach, per ESCO skill group (or per skill of one group): courses, providers,
    languages, courses per level, mean rating and total enrolment where known. Run `moocast map-courses` first.

    A course counts once in every group any of its skills reaches."""
    from pipelines.courses import supply_table

    settings: Settings = ctx.obj
    with connect(settings.warehouse, read_only=True) as con:
        try:
            table = supply_table(con, taxonomy_version, skill_group, provider)
        except ValueError as error:
            raise fail(str(error), 2) from None
    if top is not None:
        table = table.head(top)
    if as_json:
        shown({"rows": table.to_dicts()}, as_json)
        return
    key = "skill group" if skill_group is None else "skill"
    out = Table(title=f"course supply per {key}" + (f" ({provider})" if provider else ""))
    columns = ["code", key] if skill_group is None else [key]
    for column in [*columns, "courses", "providers", "languages", *LEVEL_SCALE, "rating", "enrolment"]:
        out.add_column(column, justify="left" if column in {*columns, "providers", "languages"} else "right")
    for row in table.iter_rows(named=True):
        out.add_row(
            *([row["code"]] if skill_group is None else []),
            row["label"] or (row.get("group_uri") or row.get("skill_uri")),
            f"{row['courses']:,}",
            ", ".join(row["providers"]),
            ", ".join(row["languages"]),
            *(f"{row[level]:,}" for level in LEVEL_SCALE),
            "" if row["mean_rating"] is None else f"{row['mean_rating']:.2f} ({row['rated_courses']})",
            "" if row["enrolment"] is None else f"{row['enrolment']:,} ({row['enrolled_courses']})",
        )
    Console().print(out)
