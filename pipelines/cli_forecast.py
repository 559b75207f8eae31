"""`moocast train`, `forecast`, `models` and `retrain` (registered on the app by pipelines/cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipelines.cli_backtest import (
    DEFAULT_MODELS,
    OTHER_MODELS,
    SERIES_FILE_HELP,
    Freq,
    How,
    Models,
    Season,
    Windows,
    forecast_series,
)
from pipelines.cli_common import err, fail, given_options, shown, step_spinner
from pipelines.readers import InputError
from pipelines.settings import Settings
from pipelines.warehouse import connect

SERIES_ONLY = ("freq", "how", "season", "windows", "models", "output", "chart")  # forecast's options for --series
RegisteredSource = Annotated[str, typer.Option(help="Panel source of the registered model <prefix>-<source>")]


def train(
    ctx: typer.Context,
    source: Annotated[str, typer.Option(help="Panel source to train on (one registered model per source)")] = "ons",
    level: Annotated[str | None, typer.Option(help="Only this hierarchy level (e.g. sector)")] = None,
    horizon: Annotated[
        int | None, typer.Option(help="Periods per backtest window [default: from the frequency]", min=1)
    ] = None,
    windows: Annotated[int, typer.Option(help="Scored backtest windows", min=1)] = 2,
    models: Annotated[str, typer.Option(help=f"Comma-separated candidates; also: {OTHER_MODELS}")] = DEFAULT_MODELS,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Backtest the candidates on the panel, fit them on all of it, log parameters, data snapshot, metrics and
    the model to MLflow (mlruns/ or MLFLOW_TRACKING_URI) and register a version of <prefix>-<source>. It
    becomes @champion only if its selected MASE beats the champion's configuration on the same backtest. The
    backtest's per-series scorecard and served forecasts are saved in the warehouse (backtest_runs,
    backtest_scores, backtest_forecasts), stamped with the version. Its forecasts are coherent over the panel's
    hierarchies: the sums (districts to states and Germany, skill groups to all skills, sectors to the total) by the
    reconciliation chosen on the backtest (bottom-up unless another beats it; --json: backtest.reconciliation),
    then Germany's skill series split from their skill groups (backtest.reconciliation.split scores that against
    the skills' own forecasts)."""
    from pipelines.training import train as train_model

    settings: Settings = ctx.obj
    chosen = [m.strip() for m in models.split(",") if m.strip()]
    try:
        with connect(settings.warehouse) as con, step_spinner(as_json) as progress:
            task = progress.add_task(f"train {source}", total=None)
            result = train_model(con, settings, source, level, chosen, horizon, windows,
                                 lambda step: progress.update(task, description=f"train {source}: {step}"))  # fmt: skip
    except ValueError as error:
        raise fail(str(error), 2) from None
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        Console().print({k: v for k, v in result.items() if k != "backtest"})


def forecast(
    ctx: typer.Context,
    source: Annotated[str, typer.Option(help="Panel source whose champion forecasts")] = "ons",
    horizon: Annotated[int | None, typer.Option(help="Periods ahead [default: from the frequency]", min=1)] = None,
    series: Annotated[
        Path | None,
        typer.Option(
            help=f"{SERIES_FILE_HELP} to forecast instead of the panel: backtested first, then every model "
            "refit on all of it; nothing is registered or written to the warehouse",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    freq: Freq = None,
    how: How = "mean",
    season: Season = None,
    windows: Windows = 2,
    models: Models = DEFAULT_MODELS,
    output: Annotated[
        Path | None, typer.Option(help="With --series: write the forecasts here (.csv, .parquet, .json or .jsonl)")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option(help="With --series: an HTML chart of the series and their forecasts (.html)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Forecasts with 80% and 95% intervals from the @champion of <prefix>-<source> for every series it knows,
    written to the warehouse table `forecasts` stamped with the model version.

    With --series, forecasts of your own series file as `moocast train` makes the panel's: a backtest of the
    models (--windows windows of --horizon periods, as `moocast backtest`) gives each series' choice and the
    interval widths, then every model is refit on all the data; the forecasts (series_id, step, ds, yhat, lo_80,
    hi_80, lo_95, hi_95, model) go to --output, else as CSV to stdout (or into the --json object).

    Example: moocast forecast --series my_series.csv --horizon 6 --output forecasts.csv --chart forecasts.html"""
    from pipelines.training import champion_forecasts

    if series is not None:
        if given_options(ctx, ("source",)):
            raise fail("--source chooses the panel source whose champion forecasts; with --series the file's series "
                       "are forecast", 2)  # fmt: skip
        forecast_series(series, freq, season, how, horizon, windows, models, output, chart, as_json)
        return
    if given := given_options(ctx, SERIES_ONLY):
        raise fail(f"{', '.join(given)} go(es) with --series: the panel's forecasts come from its registered "
                   "champion, as trained (`moocast train`), into the warehouse (`forecasts`), shown by `moocast serve`",
                   2)  # fmt: skip
    settings: Settings = ctx.obj
    try:
        with connect(settings.warehouse) as con, step_spinner(as_json) as progress:
            task = progress.add_task(f"forecast {source}", total=None)

            def stepping(step: str) -> None:
                progress.update(task, description=f"forecast {source}: {step}")

            result = champion_forecasts(con, settings, source, horizon, stepping)
    except ValueError as error:
        raise fail(str(error), 2) from None
    shown(result, as_json)


models_app = typer.Typer(help="The registered forecast models: list versions, promote one, roll back.",
                         no_args_is_help=True)  # fmt: skip


@models_app.command("list")
def list_models(ctx: typer.Context, source: RegisteredSource = "ons",
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:  # fmt: skip
    """Every version of <prefix>-<source> with its aliases and backtest MASE."""
    from pipelines.training import model_versions

    rows = model_versions(ctx.obj, source)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        err.print(f"no version of {ctx.obj.model_prefix}-{source} is registered yet: run `moocast train --source "
                  f"{source}`")  # fmt: skip
        return
    table = Table(title=f"{ctx.obj.model_prefix}-{source}")
    for column in ("version", "aliases", "selected MASE", "created", "run"):
        table.add_column(column)
    for row in rows:
        mase = "-" if row["selected_mase"] is None else f"{row['selected_mase']:.3f}"
        table.add_row(str(row["version"]), ", ".join(row["aliases"]), mase, row["created"], row["run_id"])
    Console().print(table)


@models_app.command()
def promote(ctx: typer.Context,
            version: Annotated[int, typer.Argument(help="Registry version to make champion", min=1)],
            source: RegisteredSource = "ons") -> None:  # fmt: skip
    """Make VERSION the @champion by hand (the champion before becomes @previous)."""
    from pipelines.training import promoted

    try:
        print(json.dumps(promoted(ctx.obj, source, str(version))))
    except ValueError as error:
        raise fail(str(error), 2) from None


@models_app.command()
def rollback(
    ctx: typer.Context,
    source: RegisteredSource = "ons",
) -> None:
    """Move @champion back to the @previous version (one alias move)."""
    from pipelines.training import promoted

    try:
        print(json.dumps(promoted(ctx.obj, source, None)))
    except ValueError as error:
        raise fail(str(error), 2) from None


def retrain(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The batch job for cron: ingest new inputs, extract, code, rebuild the panel, then for each source in the
    setting retrain_sources train (backtest, gate, promote) and forecast. One log line per stage on stderr.

    Exit codes: 0 done; 1 a stage failed (the next run resumes after the last finished stage); 2 bad input or
    settings; 3 another retrain holds the lock."""
    from pipelines.retrain import LockedError
    from pipelines.retrain import retrain as run_retrain

    try:
        result = run_retrain(ctx.obj, lambda line: err.print(line, markup=False, highlight=False))
    except LockedError as error:
        raise fail(str(error), 3) from None
    except InputError as error:
        raise fail(f"{error} (the next retrain resumes here)", 1) from None
    except ValueError as error:
        raise fail(str(error), 2) from None
    if as_json:
        print(json.dumps(result, indent=2, default=str))
    else:
        Console().print({"run_id": result["run_id"], "stages": list(result["stages"])})
