"""`moocast backtest`, and `moocast forecast --series`: the commands that run on the panel or on one's own series
file (registered on the app by pipelines/cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from models.intervals import MIN_ERRORS
from pipelines.cli_common import err, fail, given_options, progress_bar, step_spinner
from pipelines.readers import InputError
from pipelines.settings import Settings
from pipelines.warehouse import connect

# the same list as pipelines.backtest.DEFAULT_MODELS, and the rest of its MODELS (a test checks), kept here so
# `--help` imports no models
DEFAULT_MODELS = "seasonal_naive,naive,window_average,auto_ets,ets_ses,ets_damped,lightgbm,prophet"
OTHER_MODELS = "lightgbm_direct, auto_theta, auto_arima, auto_ces, thief_ets, thief_ets_var"
SERIES_FILE_HELP = ("A long-format CSV or Parquet file (series_id, ds as YYYY-MM-DD, y; one row per series and period, "
                    "no holes; a series never negative is forecast non-negative)")  # fmt: skip
Freq = Annotated[str | None, typer.Option(help="D, W, M, Q or A; finer data is aggregated [default: inferred]")]
How = Annotated[str, typer.Option(help="Aggregation to --freq: sum (flows) or mean (levels, indices)")]
Season = Annotated[int | None, typer.Option(help="Season length M [default: from the frequency]", min=1)]
Windows = Annotated[int, typer.Option(help="Scored windows W (2 more calibrate intervals and selection)", min=1)]
Models = Annotated[str, typer.Option(help=f"Comma-separated models; also: {OTHER_MODELS}")]


def backtest(
    ctx: typer.Context,
    series: Annotated[
        Path | None,
        typer.Option(help=f"{SERIES_FILE_HELP} to backtest instead of the panel", exists=True, dir_okay=False),
    ] = None,
    source: Annotated[
        str, typer.Option(help="Without --series: the panel source to backtest (ons, indeed, ba, postings, reconciled)")
    ] = "ons",
    level: Annotated[str | None, typer.Option(help="Without --series: only this hierarchy level (e.g. sector)")] = None,
    freq: Freq = None,
    how: How = "mean",
    season: Season = None,
    horizon: Annotated[
        int | None, typer.Option(help="Periods per window H [default: from the frequency]", min=1)
    ] = None,
    windows: Windows = 2,
    models: Models = DEFAULT_MODELS,
    output: Annotated[
        Path | None,
        typer.Option(
            help="Also write each series' scores per model here (.csv, .parquet, .json or .jsonl): which series "
            "forecast well, and with which model"
        ),
    ] = None,
    chart: Annotated[
        Path | None, typer.Option(help="An HTML chart of each model's MASE and 80% coverage by step ahead (.html)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Rolling-origin backtest: the last (2 + W) x H periods of each series form consecutive windows; every model
    is refit before each. The first 2 windows only calibrate the conformal intervals (each window's come from
    the window before it) and each series' model choice; the W after them are scored: MASE (seasonal-naive
    scaled, season M), sMAPE, RMSSE and 80%/95% interval coverage, averaged over series and windows. 'selected'
    is what would be served: the median of auto_ets, ets_ses and ets_damped when two or more of them run, else
    each series' choice. The per-series scorecard and the served forecasts of each window are saved to the
    warehouse. When auto_ets and seasonal_naive are among the models, a last line (`goal` in --json) scores the
    accuracy goal: selected MASE at most 0.95x auto_ets's and 0.80x seasonal_naive's, 80% coverage within
    0.73-0.87. On the panel, a line (`reconciliation` in --json) says what is served of its hierarchies: selected
    made coherent by the method the backtest chooses.

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
        series_scorecard,
        warehouse_panel,
        with_attributes,
    )
    from pipelines.charts import backtest_chart, chart_checked, written_chart
    from pipelines.outputs import output_checked, written_rows

    if series is not None and (given := given_options(ctx, ("source", "level"))):
        raise fail(f"{', '.join(given)} choose(s) the panel's series; with --series the file's series are backtested",
                   2)  # fmt: skip
    settings: Settings = ctx.obj
    try:
        if output is not None:
            output_checked(output, series)
        if chart is not None:
            chart_checked(chart, series)
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
    summary = backtest_json(result)
    with connect(settings.warehouse) as con:
        run_id = saved_backtest(con, result, summary, panel, label)  # stored as backtest_json made it
        summary |= {"run_id": run_id, "freq": panel.freq.code, "season": panel.freq.season}
        if series is None:  # what is served of the panel's hierarchies (a file's series have none)
            links, split = hierarchy_links(con, panel.series["series_id"].unique())
            summary["reconciliation"] = reconciliation_report(result.forecasts, links, split, result.scales,
                                                              panel.series)  # fmt: skip
    if output is not None:
        summary["output"] = str(written_rows(series_scorecard(result), output))
    if chart is not None:
        title = f"backtest {label}: {summary['series']:,} series, {windows} windows of {result.horizon}"
        summary["chart"] = str(written_chart(backtest_chart(summary["by_step"], title), chart))
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
    for key, label in (("output", "each series' scores"), ("chart", "accuracy by step ahead")):
        if key in summary:
            Console().print(f"{label}: {summary[key]}", highlight=False)
    if note := few_errors_note(result.scored_interval_errors):
        err.print(note, highlight=False)


def forecast_series(path: Path, freq: str | None, season: int | None, how: str, horizon: int | None, windows: int,
                    models: str, output: Path | None, chart: Path | None, as_json: bool) -> None:  # fmt: skip
    """`moocast forecast --series`: the forecasts of a file's series to `output` (else as CSV on stdout, or in
    --json), with the backtest they were calibrated on, and a chart of them at `chart`."""
    from pipelines.backtest import backtest_json
    from pipelines.charts import chart_checked, forecast_chart, written_chart
    from pipelines.outputs import output_checked, written_rows
    from pipelines.series_forecast import series_forecast

    chosen = [m.strip() for m in models.split(",") if m.strip()]
    try:
        if output is not None:
            output_checked(output, path)
        if chart is not None:
            chart_checked(chart, path)
        with step_spinner(as_json) as progress:
            task = progress.add_task(f"forecast {path.name}", total=None)

            def stepping(step: str) -> None:
                progress.update(task, description=f"forecast {path.name}: {step}")

            result = series_forecast(path, freq, season, how, horizon, windows, chosen, stepping)
    except InputError as error:
        raise fail(str(error)) from None
    except ValueError as error:
        raise fail(str(error), 2) from None
    forecasts, scores = result.forecasts, backtest_json(result.backtest)
    summary: dict[str, Any] = {
        "series": forecasts["series_id"].n_unique(), "horizon": result.backtest.horizon,
        "freq": result.panel.freq.code, "season": result.panel.freq.season, "first_ds": str(forecasts["ds"].min()),
        "last_ds": str(forecasts["ds"].max()), "interval_errors": result.backtest.interval_errors, "backtest": scores,
    }  # fmt: skip
    if output is not None:
        summary["output"] = str(written_rows(forecasts, output))
    if chart is not None:
        summary["chart"] = str(written_chart(forecast_chart(result.panel.series, forecasts, path.name), chart))
    if as_json:
        rows = {} if output is not None else {"forecasts": forecasts.to_dicts()}
        print(json.dumps(summary | rows, indent=2, default=str))
        return
    if output is None:  # stdout stays the forecasts alone, so it can be piped; the rest goes to stderr
        print(forecasts.write_csv(), end="")
    selected, windows = scores["models"]["selected"], scores["windows"]
    err.print(
        f"{summary['series']:,} series, {summary['horizon']} periods ahead ({summary['first_ds']} to "
        f"{summary['last_ds']}), calibrated on a backtest of {windows} window{'s' * (windows != 1)}: selected "
        f"MASE {selected['mase']:.3f}, 80% interval coverage {selected['coverage_80']:.3f} (`moocast backtest "
        "--series` shows every model)"
        + "".join(f"\n{label}: {summary[key]}" for key, label in (("output", "forecasts"), ("chart", "chart"))
                  if key in summary),
        highlight=False,
    )  # fmt: skip
    if skipped := scores["series_skipped"]:
        err.print(f"note: {skipped:,} series too short for the backtest's windows are forecast too, but were not "
                  "scored, nor given a model of their own (they get the ensemble, or the best model over all series)",
                  highlight=False)  # fmt: skip
    if note := few_errors_note(summary["interval_errors"]):
        err.print(note, highlight=False)


# below these counts of errors per step, the 95% and 80% conformal quantiles are the largest error (models/intervals.py)
WIDEST_95, WIDEST_80 = MIN_ERRORS, 5


def few_errors_note(errors: int) -> str | None:
    """What intervals resting on `errors` errors per step (one per series and backtest window) cannot tell, if
    anything."""
    if errors >= WIDEST_95:
        return None
    return (f"note: the intervals rest on {errors} errors per step (one per series and earlier backtest window); with "
            f"fewer than {WIDEST_95} the 95% interval is as wide as the largest error seen, and with fewer than "
            f"{WIDEST_80} the 80% one too: more series or more --windows give more")  # fmt: skip


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
        _relative_part("AutoETS", ets, "goal <= "),
        _relative_part("seasonal naive", snaive, "<= "),
        f"80% coverage {cover['coverage']:.3f} ({low:.2f}-{high:.2f}: {'met' if cover['met'] else 'not met'})",
    ]
    return "goal: selected " + "; ".join(parts)


def _relative_part(name: str, part: dict[str, Any], prefix: str) -> str:
    """One MASE part of the goal line; a reference with a MASE of 0 has no ratio."""
    ratio = f"{part['ratio']:.3f}x {name}" if part["ratio"] is not None else f"no ratio to {name}, whose MASE is 0"
    return f"{ratio} ({prefix}{part['goal']:.2f}: {'met' if part['met'] else 'not met'})"
