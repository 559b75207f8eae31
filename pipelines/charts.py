"""Charts a command writes as self-contained HTML pages (`--chart`): a file's series with their forecasts, and a
backtest's accuracy by horizon step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.colors import qualitative
from plotly.subplots import make_subplots

PALETTE = qualitative.Plotly  # one colour per model, the same in both panels
CHART_SERIES = 100  # the series a chart offers, the largest by their last value (one chart of thousands is unusable)


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


def chart_checked(path: Path, source: Path | None = None) -> Path:
    """`path` if a chart can be written to it (an .html path that is not the `source` file read), else ValueError."""
    if path.suffix != ".html" or (source is not None and path.resolve() == source.resolve()):
        raise ValueError(f"{path}: the chart is an HTML page of its own; give a path ending in .html")
    return path


def written_chart(figure: go.Figure, path: Path) -> Path:
    """`figure` as a self-contained HTML page at `path` (plotly.js inside it, so it opens offline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.write_html(path, include_plotlyjs=True, full_html=True)
    return path


def backtest_chart(by_step: dict[str, list[dict[str, Any]]], title: str) -> go.Figure:
    """Each model's MASE and 80% interval coverage at each horizon step (a backtest's `by_step`), the nominal 80%
    marked; models ordered by their mean MASE, `selected` drawn thicker."""
    order = sorted(by_step, key=lambda m: sum(r["mase"] for r in by_step[m]) / len(by_step[m]))
    figure = make_subplots(rows=1, cols=2, subplot_titles=("MASE (lower is better)", "80% interval coverage"))
    for i, model in enumerate(order):
        rows = by_step[model]
        steps = [r["step"] for r in rows]
        line = {"width": 4 if model == "selected" else 2, "color": PALETTE[i % len(PALETTE)]}
        for col, metric in ((1, "mase"), (2, "coverage_80")):
            trace = go.Scatter(x=steps, y=[r[metric] for r in rows], name=model, legendgroup=model,
                               showlegend=col == 1, mode="lines+markers", line=line)  # fmt: skip
            figure.add_trace(trace, row=1, col=col)
    figure.add_hline(y=0.8, line={"dash": "dash", "color": "#888"}, row=1, col=2)
    figure.update_xaxes(title_text="step ahead", dtick=1)
    figure.update_layout(title={"text": title}, template="plotly_white")
    return figure
