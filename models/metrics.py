"""Accuracy of forecasts against actuals: MASE, sMAPE, RMSSE and interval coverage (pure polars).

Scales come from each training window: the in-sample seasonal-naive errors with season length m (m = 1 when the
window is shorter than m + 1 periods). A flat training window has no such errors; its scale falls back to the
mean absolute value of the window, then to 1, so that every series is counted (never dropped from the average).
"""

from __future__ import annotations

import polars as pl

from models.base import series_floors

LEVELS = (80, 95)


def insample_scales(train: pl.DataFrame, season: int) -> pl.DataFrame:
    """series_id, mae_scale, mse_scale and floor (models.base.series_floors) of a training window (series_id, ds,
    y, sorted by ds within series)."""
    lag = pl.when(pl.len().over("series_id") > season).then(pl.lit(season)).otherwise(pl.lit(1))
    diffs = train.sort("series_id", "ds").with_columns(e=pl.col("y") - pl.col("y").shift(lag.first()).over("series_id"))
    per_series = diffs.group_by("series_id").agg(
        mae=pl.col("e").abs().mean(), mse=(pl.col("e") ** 2).mean(), level=pl.col("y").abs().mean()
    )
    fallback = pl.when(pl.col("level") > 0).then(pl.col("level")).otherwise(1.0)
    scales = per_series.select(
        "series_id",
        mae_scale=pl.when(pl.col("mae") > 0).then(pl.col("mae")).otherwise(fallback),
        mse_scale=pl.when(pl.col("mse") > 0).then(pl.col("mse")).otherwise(fallback**2),
    )
    return scales.join(series_floors(train), on="series_id")


def coverages(columns: list[str]) -> list[pl.Expr]:
    """coverage_80, coverage_95: the share of actuals inside each interval, as aggregations (null where the
    forecasts have no such interval among `columns`)."""
    return [
        (
            ((pl.col("y") >= pl.col(f"lo_{level}")) & (pl.col("y") <= pl.col(f"hi_{level}"))).mean()
            if f"lo_{level}" in columns
            else pl.lit(None, dtype=pl.Float64)
        ).alias(f"coverage_{level}")
        for level in LEVELS
    ]


def window_scores(forecasts: pl.DataFrame, scales: pl.DataFrame) -> pl.DataFrame:
    """Scores per model, series and window.

    forecasts: model, window, series_id, step, y, yhat (and lo_80, hi_80, lo_95, hi_95 where known);
    scales: window, series_id, mae_scale, mse_scale. Returns model, window, series_id, mase, smape, rmsse,
    coverage_80, coverage_95 (null without intervals)."""
    error = pl.col("y") - pl.col("yhat")
    denominator = pl.col("y").abs() + pl.col("yhat").abs()
    return (
        forecasts.join(scales, on=["window", "series_id"])
        .group_by("model", "window", "series_id")
        .agg(
            (error.abs().mean() / pl.col("mae_scale").first()).alias("mase"),
            pl.when(denominator > 0).then(error.abs() / denominator).otherwise(0.0).mean().alias("smape"),
            ((error**2).mean() / pl.col("mse_scale").first()).sqrt().alias("rmsse"),
            *coverages(forecasts.columns),
        )
        .sort("model", "window", "series_id")
    )


def model_summary(scores: pl.DataFrame) -> pl.DataFrame:
    """Scores averaged over series and windows, per model."""
    return (
        scores.group_by("model")
        .agg(
            pl.col("mase", "smape", "rmsse", "coverage_80", "coverage_95").mean(), series=pl.col("series_id").n_unique()
        )
        .sort("model")
    )


def step_scores(forecasts: pl.DataFrame, scales: pl.DataFrame) -> pl.DataFrame:
    """model, step, mase, coverage_80, coverage_95: how accuracy changes with the horizon, each step's scaled
    absolute error and coverage averaged over series and windows (so their mean over the steps is `model_summary`'s
    MASE and coverage when every series has every step). forecasts and scales as in `window_scores`."""
    return (
        forecasts.drop_nulls("yhat").join(scales, on=["window", "series_id"])
        .group_by("model", "step")
        .agg(((pl.col("y") - pl.col("yhat")).abs() / pl.col("mae_scale")).mean().alias("mase"),
             *coverages(forecasts.columns))
        .sort("model", "step")
    )  # fmt: skip
