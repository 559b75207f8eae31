"""`moocast forecast --series FILE`: forecasts of one's own series (the long format `moocast backtest --series`
reads) made as `moocast train` makes the panel's: backtested first, so that each series' choice and the interval
widths come from the backtest windows (never from in-sample fit), then every model refit on all the data. Nothing
is written to the warehouse or MLflow; the CLI writes the forecasts where asked (pipelines/outputs.py) and a chart
to HTML."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from models.backtest import Backtest
from models.base import Panel
from models.bundle import trained_bundle
from pipelines.backtest import MODELS, ensemble_members, panel_of, run_backtest, series_file

FORECAST_COLUMNS = ["series_id", "step", "ds", "yhat", "lo_80", "hi_80", "lo_95", "hi_95", "model"]


@dataclass(frozen=True)
class SeriesForecast:
    forecasts: pl.DataFrame  # FORECAST_COLUMNS
    backtest: Backtest  # the backtest the choices and intervals come from
    panel: Panel  # the series as read (and aggregated to the frequency)


def series_forecast(path: Path, freq: str | None, season: int | None, how: str, horizon: int | None, windows: int,
                    models: list[str], on_step: Callable[[str], None] = lambda s: None) -> SeriesForecast:  # fmt: skip
    """Forecasts of every series of the file at `path`, `horizon` periods ahead (default: from the frequency), with
    80% and 95% intervals, by `models` backtested on `windows` windows of the same horizon; `on_step` is told what
    runs. InputError for a bad file (naming line and field), ValueError for series too short or unknown models."""
    panel = panel_of(series_file(path), freq, season, how, str(path))
    h = horizon or panel.freq.horizon
    members = ensemble_members(models)
    backtest = run_backtest(panel, models, h, windows, members,
                            on_fit=lambda model, window: on_step(f"backtest: window {window}, {model}"))  # fmt: skip
    config = {"source": str(path), "models": models, "ensemble": members, "horizon": h, "windows": windows,
              "freq": panel.freq.code, "season": panel.freq.season}  # fmt: skip
    bundle = trained_bundle(panel, {m: MODELS[m] for m in models}, members, backtest, config,
                            on_fit=lambda model: on_step(f"fit on all the data: {model}"))  # fmt: skip
    return SeriesForecast(bundle.predict(h).select(FORECAST_COLUMNS), backtest, panel)
