"""Rolling-origin backtests (like statsforecast's cross_validation with step_size = h) with conformal
intervals and per-series selection decided on earlier windows only.

The last (calibration + windows) x h periods of every series form consecutive test windows. Every model is
refit on everything before each window. The first `calibration` windows are never scored: they give the
residuals that calibrate the intervals, and the scores that choose each series' model, for the next windows.
For every scored window, intervals and choices come only from the windows before it: the intervals from the
residuals of the window just before it (the latest evidence of how wrong the models are, so that widths learnt
in a turbulent year do not carry over to calmer ones; README, "Forecasting"), with a panel of fewer than 20 series
also of as many windows before that as it takes to have 20 errors per step (models/intervals.py), the choices
from all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from models.base import Forecaster, Panel, floored
from models.intervals import errors_per_step, recent_residuals, scaled_error_quantiles, with_intervals
from models.metrics import insample_scales, model_summary, window_scores
from models.selection import (
    best_models,
    ensemble_forecasts,
    overall_best,
    selected_forecasts,
    selection_candidates,
)

CALIBRATION_WINDOWS = 2
MIN_TRAIN = 3  # observations a series needs before its first window


@dataclass(frozen=True)
class Backtest:
    forecasts: pl.DataFrame  # model, window, series_id, step, ds, y, yhat, lo_80, hi_80, lo_95, hi_95
    scores: pl.DataFrame  # model, window, series_id, mase, smape, rmsse, coverage_80, coverage_95
    summary: pl.DataFrame  # model, mase, smape, rmsse, coverage_80, coverage_95, series
    point_scores: pl.DataFrame  # the scores of every window (calibration too) before selection
    quantiles: pl.DataFrame  # model, step, q_80, q_95 from the residuals of the last window(s): recent_residuals
    scales: pl.DataFrame  # window, series_id, mae_scale, mse_scale, floor: each window's in-sample scales
    horizon: int
    windows: int
    series_skipped: int
    scored_interval_errors: int  # the fewest errors per step behind a scored window's intervals
    interval_errors: int  # errors per step behind `quantiles` (what a trained bundle serves)


def point_forecasts(
    panel: Panel,
    factories: dict[str, Callable[[], Forecaster]],
    h: int,
    total: int,
    on_fit: Callable[[str, int], None] = lambda model, window: None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(forecasts: model, window, series_id, step, ds, y, yhat) and (scales: window, series_id, mae_scale,
    mse_scale) of every window."""
    indexed = panel.series.sort("series_id", "ds").with_columns(back=pl.int_range(pl.len(), 0, -1).over("series_id"))
    forecasts, scales = [], []
    for window in range(total):
        cut = (total - window) * h
        train = panel.until(cut)
        test = indexed.filter((pl.col("back") <= cut) & (pl.col("back") > cut - h)).select(
            "series_id", "ds", "y", step=(cut - pl.col("back") + 1).cast(pl.Int32)
        )
        scales.append(insample_scales(train.series, panel.freq.season).with_columns(window=pl.lit(window)))
        for name, factory in factories.items():
            on_fit(name, window)
            predicted = factory().fit(train).predict(h).select("series_id", "step", "yhat")
            forecasts.append(
                test.join(predicted, on=["series_id", "step"], how="left").with_columns(
                    model=pl.lit(name), window=pl.lit(window)
                )
            )
    columns = ["model", "window", "series_id", "step", "ds", "y", "yhat"]
    return pl.concat(forecasts).select(columns), pl.concat(scales)


def cross_validation(
    panel: Panel,
    factories: dict[str, Callable[[], Forecaster]],
    h: int,
    windows: int,
    ensemble: list[str] | None = None,
    calibration: int = CALIBRATION_WINDOWS,
    on_fit: Callable[[str, int], None] = lambda model, window: None,
) -> Backtest:
    """Backtest `factories` (name -> new model) over `windows` scored windows of `h` periods."""
    total = calibration + windows
    lengths = panel.series.group_by("series_id").len()
    keep = lengths.filter(pl.col("len") >= total * h + MIN_TRAIN)["series_id"]
    if keep.is_empty():
        longest = lengths.select(pl.col("len").max()).item()
        fitting = (longest - MIN_TRAIN) // total  # the longest horizon these windows leave room for
        hint = f": at most a horizon of {fitting} with {windows} scored window(s)" if fitting >= 1 else ""
        raise ValueError(
            f"no series is long enough: {calibration} calibration + {windows} scored windows of {h} periods need "
            f"{total * h + MIN_TRAIN} observations per series; the longest has {longest}{hint}"
        )
    kept = Panel(panel.series.filter(pl.col("series_id").is_in(keep.implode())), panel.freq, panel.attributes,
                 panel.exogenous)  # fmt: skip
    points, scales = point_forecasts(kept, factories, h, total, on_fit)
    points = floored(points, scales, ["yhat"], on=["window", "series_id"])
    if ensemble:
        points = pl.concat([points, ensemble_forecasts(points, ensemble)])
    residuals = points.join(scales, on=["window", "series_id"]).drop_nulls("yhat")
    point_scores = window_scores(points.drop_nulls("yhat"), scales)
    candidates = selection_candidates(points["model"].unique().to_list())
    scored, errors = [], []
    for window in range(calibration, total):
        latest = recent_residuals(residuals, window)
        errors.append(errors_per_step(latest))
        current = with_intervals(
            points.filter(pl.col("window") == window), scaled_error_quantiles(latest),
            scales.filter(pl.col("window") == window),
        )  # fmt: skip
        before = point_scores.filter(pl.col("window") < window)
        choice = best_models(before, candidates)
        scored += [current, selected_forecasts(current, choice, overall_best(before, candidates))]
    forecasts = pl.concat(scored).sort("model", "window", "series_id", "step")
    scores = window_scores(forecasts.drop_nulls("yhat"), scales)
    served = recent_residuals(residuals, total)
    return Backtest(
        forecasts, scores, model_summary(scores), point_scores, scaled_error_quantiles(served), scales, h,
        windows, lengths.height - keep.len(), min(errors), errors_per_step(served),
    )  # fmt: skip
