"""`moocast backtest` (registered on the app by pipelines/cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipelines.cli_common import err, fail
from pipelines.readers import InputError
from pipelines.settings import Settings
from pipelines.warehouse import connect

DEFAULT_MODELS = "seasonal_naive,naive,window_average,auto_ets,lightgbm,prophet"


def backtest(
    ctx: typer.Context,
    series: Annotated[
        Path | None,
        typer.Option(help="A long-format CSV or Parquet file (series_id, ds, y) to backtest instead of the panel"),
    ] = None,
    source: Annotated[
        str, typer.Option(help="Without --series: the panel source to backtest (ons, indeed, ba, postings, reconciled)")
    ] = "ons",
    level: Annotated[str | None, typer.Option(help="Without --series: only this hierarchy level (e.g. sector)")] = None,
    freq: Annotated[
        str | None, typer.Option(help="D, W, M, Q or A; finer data is aggregated [default: inferred]")
    ] = None,
    how: Annotated[str, typer.Option(help="Aggregation to --freq: sum (flows) or mean (levels, indices)")] = "mean",
    season: Annotated[int | None, typer.Option(help="Season length M [default: from the frequency]")] = None,
    horizon: Annotated[int | None, typer.Option(help="Periods per window H [default: from the frequency]")] = None,
    windows: Annotated[int, typer.Option(help="Scored windows W (2 more calibrate intervals and selection)")] = 2,
    models: Annotated[str, typer.Option(help="Comma-separated models")] = DEFAULT_MODELS,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Rolling-origin backtest: the last (2 + W) x H periods of each series form consecutive windows; every model
    is refit before each. The first 2 windows only calibrate the conformal intervals and each series' model
    choice ('selected'); the W after them are scored: MASE (seasonal-naive scaled, season M), sMAPE, RMSSE and
    80%/95% interval coverage, averaged over series and windows. The per-series scorecard is saved to the
    warehouse.

    Example: moocast backtest --series my_series.csv --freq M --horizon 6 --windows 3 --json"""
    from pipelines.backtest import backtest_json, panel_of, run_backtest, saved_backtest, series_file, warehouse_panel

    settings: Settings = ctx.obj
    try:
        if series is not None:
            frame, label = series_file(series), str(series)
        else:
            with connect(settings.warehouse, read_only=True) as con:
                frame, _ = warehouse_panel(con, source, level)
            label = f"panel source={source}" + (f" level={level}" if level else "")
        panel = panel_of(frame, freq, season, how)
        chosen = [m.strip() for m in models.split(",") if m.strip()]
        progress = (lambda model, window: None) if as_json else (
            lambda model, window: err.print(f"backtest: window {window} {model}"))  # fmt: skip
        result = run_backtest(panel, chosen, horizon or panel.freq.horizon, windows, progress)
    except InputError as error:
        raise fail(str(error)) from None
    except ValueError as error:
        raise fail(str(error), 2) from None
    with connect(settings.warehouse) as con:
        run_id = saved_backtest(con, result, panel, label)
    summary = backtest_json(result) | {"run_id": run_id, "freq": panel.freq.code, "season": panel.freq.season}
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
