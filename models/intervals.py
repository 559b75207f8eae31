"""Conformal prediction intervals from backtest residuals, scaled per series, non-negative (pure polars).

The absolute errors of earlier windows, divided by each series' scale, give per-step quantiles q_level; an
interval is yhat -/+ q_level x scale, its lower end raised to the series' floor (0 for a series that has never
been negative: demand is never negative)."""

from __future__ import annotations

import polars as pl

from models.metrics import LEVELS

# Errors per step a 95% quantile needs to be other than the largest error (interpolation "higher": 0.95 (n - 1) <=
# n - 2 from n = 20); fewer than 5 make the 80% one the largest too
MIN_ERRORS = 20


def recent_residuals(residuals: pl.DataFrame, window: int, minimum: int = MIN_ERRORS) -> pl.DataFrame:
    """The residuals (model, window, series_id, step, ...) that calibrate the intervals of `window`: per model, those
    of the window just before it, and of as many windows before that as it takes to reach `minimum` errors per step
    (all earlier windows when they do not reach it). A panel of `minimum` series or more uses the window just
    before alone: the latest evidence of how wrong the models are (README, "Forecasting")."""
    earlier = residuals.filter(pl.col("window") < window)
    needed = (
        earlier.group_by("model", "window", "step").len()
        .group_by("model", "window").agg(errors=pl.col("len").min())
        .sort("model", "window", descending=[False, True])
        .filter(pl.col("errors").cum_sum().over("model") - pl.col("errors") < minimum)
    )  # fmt: skip
    return earlier.join(needed.select("model", "window"), on=["model", "window"])


def errors_per_step(residuals: pl.DataFrame) -> int:
    """The fewest errors behind any model's quantile at any step of `residuals` (0 when there are none)."""
    counts = residuals.group_by("model", "step").len()["len"].to_list()
    return min(counts, default=0)


def scaled_error_quantiles(residuals: pl.DataFrame) -> pl.DataFrame:
    """model, step, q_80, q_95 from residuals (model, step, y, yhat, mae_scale)."""
    ratio = (pl.col("y") - pl.col("yhat")).abs() / pl.col("mae_scale")
    return (
        residuals.group_by("model", "step")
        .agg(*(ratio.quantile(level / 100, interpolation="higher").alias(f"q_{level}") for level in LEVELS))
        .sort("model", "step")
    )


def with_intervals(forecasts: pl.DataFrame, quantiles: pl.DataFrame, scales: pl.DataFrame) -> pl.DataFrame:
    """Forecasts (model, series_id, step, yhat, ...) with lo_/hi_ columns for each level.

    quantiles: model, step, q_80, q_95; scales: series_id, mae_scale, floor. A step without residuals (a horizon longer
    than any backtest) uses the widest quantile of its model."""
    widest = quantiles.group_by("model").agg(*(pl.col(f"q_{level}").max().alias(f"w_{level}") for level in LEVELS))
    joined = (
        forecasts.join(quantiles, on=["model", "step"], how="left")
        .join(widest, on="model", how="left")
        .join(scales.select("series_id", "mae_scale", "floor"), on="series_id", how="left")
    )
    bounds = []
    for level in LEVELS:
        half = pl.coalesce(pl.col(f"q_{level}"), pl.col(f"w_{level}")) * pl.col("mae_scale")
        bounds += [
            (pl.col("yhat") - half).clip(lower_bound=pl.col("floor")).alias(f"lo_{level}"),
            (pl.col("yhat") + half).alias(f"hi_{level}"),
        ]
    drop = [f"{prefix}_{level}" for prefix in ("q", "w") for level in LEVELS] + ["mae_scale", "floor"]
    return joined.with_columns(bounds).drop(drop)
