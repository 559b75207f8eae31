"""Baselines: naive, seasonal naive and the mean of recent values (vectorised over all series)."""

from __future__ import annotations

import polars as pl

from models.base import HistoryForecaster
from models.frequency import future_frame


class Naive(HistoryForecaster):
    """The last value, repeated."""

    name = "naive"

    def predict(self, h: int) -> pl.DataFrame:
        history, freq = self.fitted()
        last = history.group_by("series_id").agg(pl.col("y").last().alias("yhat"))
        return future_frame(history, freq, h).join(last, on="series_id")


class SeasonalNaive(HistoryForecaster):
    """The value one season earlier, the last season repeated (a series shorter than a season cycles what it has)."""

    name = "seasonal_naive"

    def predict(self, h: int) -> pl.DataFrame:
        history, freq = self.fitted()
        season = freq.season
        tails = history.group_by("series_id").agg(pl.col("y").tail(season).alias("tail"))
        future = future_frame(history, freq, h).join(tails, on="series_id")
        index = (pl.col("step") - 1) % pl.col("tail").list.len()
        return future.with_columns(yhat=pl.col("tail").list.get(index)).drop("tail")


class WindowAverage(HistoryForecaster):
    """The mean of the last `window` values (default: one season, at least 3 periods)."""

    name = "window_average"

    def __init__(self, window: int | None = None) -> None:
        super().__init__()
        self.window = window

    def predict(self, h: int) -> pl.DataFrame:
        history, freq = self.fitted()
        window = self.window or max(freq.season, 3)
        means = history.group_by("series_id").agg(pl.col("y").tail(window).mean().alias("yhat"))
        return future_frame(history, freq, h).join(means, on="series_id")
