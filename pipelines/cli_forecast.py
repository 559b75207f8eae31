"""`moocast backtest` (registered on the app by pipelines/cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from pipelines.cli_common import err, fail, progress_bar, shown, step_spinner
from pipelines.readers import InputError
from pipelines.settings import Settings
from pipelines.warehouse import connect

# the same list as pipelines.backtest.DEFAULT_MODELS, and the rest of its MODELS (a test checks), kept here so
# `--help` imports no models
DEFAULT_MODELS = "seasonal_naive,naive,window_average,auto_ets,ets_ses,ets_damped,lightgbm,prophet"
OTHER_MODELS = "lightgbm_direct, auto_theta, auto_arima, auto_ces, thief_ets, thief_ets_var"
RegisteredSource = Annotated[str, typer.Option(help="Panel source of the registered model <prefix>-<source>")]


def backtest(
    ctx: typer.Context,
    series: Annotated[
        Path | None,
        typer.Option(
            help="A long-format CSV or Parquet file (series_id, ds as YYYY-MM-DD, y; one row per series and "
            "period, no holes) to backtest instead of the panel; a series never negative is forecast non-negative",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    source: Annotated[
        str, typer.Option(help="Without --series: the panel source to backtest (ons, indeed, ba, postings, reconciled)")
    ] = "ons",
    level: Annotated[str | None, typer.Option(help="Without --series: only this hierarchy level (e.g. sector)")] = None,
    freq: Annotated[
        str | None, typer.Option(help="D, W, M, Q or A; finer data is aggregated [default: inferred]")
    ] = None,
    how: Annotated[str, typer.Option(help="Aggregation to --freq: sum (flows) or mean (levels, indices)")] = "mean",
    season: Annotated[int | None, typer.Option(help="Season length M [default: from the frequency]", min=1)] = None,
    horizon: Annotated[
        int | None, typer.Option(help="Periods per window H [default: from the frequency]", min=1)
    ] = None,
    windows: Annotated[
        int, typer.Option(help="Scored windows W (2 more calibrate intervals and selection)", min=1)
    ] = 2,
    models: Annotated[str, typer.Option(help=f"Comma-separated models; also: {OTHER_MODELS}")] = DEFAULT_MODELS,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Rolling-origin backtest: the last (2 + W) x H periods of each series form consecutive windows; every model
    is refit before each. The first 2 windows only calibrate the conformal intervals (each window's come from
    the window before it) and each series' model choice; the W after them are scored: MASE (seasonal-naive
    scaled, season M), sMAPE, RMSSE and 80%/95% interval coverage, averaged over series and windows. 'selected'
    is what would be served: the median of auto_ets, ets_ses and ets_damped when two or more of them run, else
    each series' choice. The per-series scorecard is saved to the warehouse. When auto_ets and seasonal_naive
    are among the models, a last line (`goal` in --json) scores the accuracy goal: selected MASE at most 0.95x
    auto_ets's and 0.80x seasonal_naive's, 80% coverage within 0.73-0.87. On the panel, a line (`reconciliation` in
    --json) says what is served of its hierarchies: selected made coherent by the method the backtest chooses.

    Example: moocast backtest --series my_series.csv --freq M --horizon 6 --windows 3 --json"""
    from models.backtest import CALIBRATION_WINDOWS
    from models.coherent import reconciliation_report
    from pipelines.backtest import (
        backtest_json,
        hierarchy_links,
        panel_of,
        run_backtest,
        saved_backtest,
        series_file,
        warehouse_panel,
        with_attributes,
    )

    settings: Settings = ctx.obj
    try:
        if series is not None:
            frame, label = series_file(series), str(series)
            panel = panel_of(frame, freq, season, how, label)
        else:
            with connect(settings.warehouse, read_only=True) as con:
                frame, attributes = warehouse_panel(con, source, level)
            label = f"panel source={source}" + (f" level={level}" if level else "")
            panel = with_attributes(panel_of(frame, freq, season, how, label), attributes)
        chosen = [m.strip() for m in models.split(",") if m.strip()]
        fits = (CALIBRATION_WINDOWS + windows) * len(chosen)
        with progress_bar(as_json) as progress:
            task = progress.add_task("backtest", total=fits)

            def fitting(model: str, window: int) -> None:
                progress.update(task, description=f"backtest: window {window}, {model}",
                                completed=window * len(chosen) + chosen.index(model))  # fmt: skip

            result = run_backtest(panel, chosen, horizon or panel.freq.horizon, windows, on_fit=fitting)
            progress.update(task, description="backtest: scoring", completed=fits)
    except InputError as error:
        raise fail(str(error)) from None
    except ValueError as error:
        raise fail(str(error), 2) from None
    served = None  # of the panel's hierarchies (a file's series have none)
    with connect(settings.warehouse) as con:
        run_id = saved_backtest(con, result, panel, label)
        if series is None:
            links, split = hierarchy_links(con, panel.series["series_id"].unique())
            served = reconciliation_report(result.forecasts, links, split, result.scales, panel.series)
    summary = backtest_json(result) | {"run_id": run_id, "freq": panel.freq.code, "season": panel.freq.season}
    if served is not None:
        summary["reconciliation"] = served
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    table = Table(title=f"backtest {label}: {summary['series']} series, {windows} windows of {result.horizon}",
                  caption=f"run {run_id}; season {panel.freq.season}")  # fmt: skip
    for column in ("model", "MASE", "sMAPE", "RMSSE", "cover 80", "cover 95"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for name, s in sorted(summary["models"].items(), key=lambda item: item[1]["mase"]):
        table.add_row(name, *(f"{s[k]:.3f}" if s[k] is not None else "-"
                              for k in ("mase", "smape", "rmsse", "coverage_80", "coverage_95")))  # fmt: skip
    Console().print(table)
    if summary["goal"] is not None:
        Console().print(goal_line(summary["goal"]))
    for line in served_lines(summary["reconciliation"]) if "reconciliation" in summary else []:
        Console().print(line)


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
    backtest's per-series scorecard is saved in the warehouse (backtest_runs, backtest_scores), stamped with the
    version. Its forecasts are coherent over the panel's hierarchies: the sums (districts to states and Germany,
    skill groups to all skills, sectors to the total) by the reconciliation chosen on the backtest (bottom-up unless
    another beats it; --json: backtest.reconciliation), then Germany's skill series split from their skill groups
    (backtest.reconciliation.split scores that against the skills' own forecasts)."""
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
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Forecasts with 80% and 95% intervals from the @champion of <prefix>-<source> for every series it knows,
    written to the warehouse table `forecasts` stamped with the model version."""
    from pipelines.training import champion_forecasts

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


def served_lines(report: dict[str, Any]) -> list[str]:
    """What is served of the panel's hierarchies: the selected forecasts made coherent by the method chosen on the
    backtest, with every method's MASE over the hierarchies' series, the parents added up by date and those left
    as forecast because their data ends on another date than their children's."""
    lines = []
    if report["nodes"]:
        mase, method = report["mase"], report["method"]
        others = ", ".join(f"{m} {v:.3f}" for m, v in mase.items() if m not in (method, "base"))
        lines.append(f"served: selected made coherent by {method} over {report['nodes']:,} series: MASE "
                     f"{mase[method]:.3f} (as forecast {mase['base']:.3f}; {others})")  # fmt: skip
    if summed := report["summed_by_date"]:
        lines.append(f"  of which {len(summed):,} parent(s) whose data ends before their children's, added up by date "
                     f"from the children's observed and forecast periods ({_first_few(summed)})")  # fmt: skip
    if off := report["parents_off_their_childrens_dates"]:
        lines.append(f"served as forecast, not reconciled: {len(off):,} parent(s) whose data ends on another date "
                     f"than their children's ({_first_few(off)})")  # fmt: skip
    return lines


def _first_few(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3:,} more" if len(names) > 3 else "")


def goal_line(goal: dict[str, Any]) -> str:
    """The accuracy goal's three parts, for under the backtest table."""
    ets, snaive, cover = goal["vs_auto_ets"], goal["vs_seasonal_naive"], goal["coverage_80"]
    low, high = cover["goal"]
    parts = [
        f"{ets['ratio']:.3f}x AutoETS (goal <= {ets['goal']:.2f}: {'met' if ets['met'] else 'not met'})",
        f"{snaive['ratio']:.3f}x seasonal naive (<= {snaive['goal']:.2f}: {'met' if snaive['met'] else 'not met'})",
        f"80% coverage {cover['coverage']:.3f} ({low:.2f}-{high:.2f}: {'met' if cover['met'] else 'not met'})",
    ]
    return "goal: selected " + "; ".join(parts)
