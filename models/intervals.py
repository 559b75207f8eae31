"""Conformal prediction intervals from backtest residuals, scaled per series, non-negative (pure polars).

The absolute errors of earlier windows, divided by each series' scale, give per-step quantiles q_level; an
interval is yhat -/+ q_level x scale, its lower end raised to the series' floor (0 for a series that has never
been negative: demand is never negative)."""

from __future__ import annotations

import polars as pl

from models.metrics import LEVELS


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
