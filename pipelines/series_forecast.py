"""`moocast forecast --series FILE`: forecasts of one's own series (the long format `moocast backtest --series`
reads) made as `moocast train` makes the panel's: backtested first, so that each series' choice and the interval
widths come from the backtest windows (never from in-sample fit), then every model refit on all the data. Nothing
is written to the warehouse or MLflow; the CLI writes the forecasts where asked (pipelines/outputs.py) and a chart
to HTML."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from models.backtest import Backtest
from models.base import Panel
from models.bundle import trained_bundle
from pipelines.backtest import MODELS, ensemble_members, panel_of, run_backtest, series_file

FORECAST_COLUMNS = ["series_id", "step", "ds", "yhat", "lo_80", "hi_80", "lo_95", "hi_95", "model"]
CHART_SERIES = 100  # the series a chart offers, the largest by their last value (one chart of thousands is unusable)


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


def forecast_chart(history: pl.DataFrame, forecasts: pl.DataFrame, title: str, limit: int = CHART_SERIES) -> go.Figure:
    """History and forecasts (with 80% and 95% bands) of the `limit` largest series by their last value, one series
    shown at a time, chosen from a menu."""
    last = history.sort("ds").group_by("series_id").agg(pl.col("y").last()).sort("y", "series_id", descending=True)
    shown = last["series_id"].head(limit).to_list()
    figure, per_series = go.Figure(), 5
    for i, series_id in enumerate(shown):
        past = history.filter(pl.col("series_id") == series_id).sort("ds")
        ahead = forecasts.filter(pl.col("series_id") == series_id).sort("ds")
        visible = i == 0
        for level, shade in (("95", "rgba(31,119,180,0.15)"), ("80", "rgba(31,119,180,0.3)")):
            band_x = ahead["ds"].to_list() + ahead["ds"].reverse().to_list()
            band_y = ahead[f"hi_{level}"].to_list() + ahead[f"lo_{level}"].reverse().to_list()
            figure.add_trace(go.Scatter(x=band_x, y=band_y, fill="toself", fillcolor=shade, line={"width": 0},
                                        name=f"{level}% interval", hoverinfo="skip", visible=visible))  # fmt: skip
        figure.add_trace(go.Scatter(x=past["ds"], y=past["y"], name="observed", line={"color": "#333"},
                                    visible=visible))  # fmt: skip
        figure.add_trace(go.Scatter(x=ahead["ds"], y=ahead["yhat"], name="forecast", line={"color": "#1f77b4"},
                                    visible=visible))  # fmt: skip
        figure.add_trace(go.Scatter(x=[past["ds"][-1], ahead["ds"][0]], y=[past["y"][-1], ahead["yhat"][0]],
                                    mode="lines", line={"color": "#1f77b4", "dash": "dot"}, showlegend=False,
                                    hoverinfo="skip", visible=visible))  # fmt: skip
    buttons = [
        {"label": str(series_id), "method": "update",
         "args": [{"visible": [j // per_series == i for j in range(len(shown) * per_series)]},
                  {"title.text": f"{title}: {series_id}"}]}
        for i, series_id in enumerate(shown)
    ]  # fmt: skip
    note = "" if last.height <= len(shown) else f" ({len(shown)} largest of {last.height:,} series)"
    figure.update_layout(title={"text": f"{title}: {shown[0]}{note}"}, updatemenus=[{"buttons": buttons, "x": 1.0,
                         "xanchor": "right", "y": 1.15, "yanchor": "top"}], template="plotly_white")  # fmt: skip
    return figure


def written_chart(figure: go.Figure, path: Path) -> Path:
    """`figure` as a self-contained HTML page at `path` (plotly.js inside it, so it opens offline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.write_html(path, include_plotlyjs=True, full_html=True)
    return path
