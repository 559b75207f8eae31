"""Baselines: naive, seasonal naive and the mean of recent values (vectorised over all series)."""

from __future__ import annotations

from typing import Self

import polars as pl

from models.base import Panel
from models.frequency import Frequency, future_frame


class _Baseline:
    name = "baseline"

    def __init__(self) -> None:
        self.history: pl.DataFrame | None = None
        self.freq: Frequency | None = None

    def fit(self, panel: Panel) -> Self:
        self.history = panel.series.select("series_id", "ds", "y").sort("series_id", "ds")
        self.freq = panel.freq
        return self

    def _fitted(self) -> tuple[pl.DataFrame, Frequency]:
        if self.history is None or self.freq is None:
            raise RuntimeError(f"{self.name}: fit before predict")
        return self.history, self.freq


class Naive(_Baseline):
    """The last value, repeated."""

    name = "naive"

    def predict(self, h: int) -> pl.DataFrame:
        history, freq = self._fitted()
        last = history.group_by("series_id").agg(pl.col("y").last().alias("yhat"))
        return future_frame(history, freq, h).join(last, on="series_id")


class SeasonalNaive(_Baseline):
    """The value one season earlier, the last season repeated (a series shorter than a season cycles what it has)."""

    name = "seasonal_naive"

    def predict(self, h: int) -> pl.DataFrame:
        history, freq = self._fitted()
        season = freq.season
        tails = history.group_by("series_id").agg(pl.col("y").tail(season).alias("tail"))
        future = future_frame(history, freq, h).join(tails, on="series_id")
        index = (pl.col("step") - 1) % pl.col("tail").list.len()
        return future.with_columns(yhat=pl.col("tail").list.get(index)).drop("tail")


class WindowAverage(_Baseline):
    """The mean of the last `window` values (default: one season, at least 3 periods)."""

    name = "window_average"

    def __init__(self, window: int | None = None) -> None:
        super().__init__()
        self.window = window

    def predict(self, h: int) -> pl.DataFrame:
        history, freq = self._fitted()
        window = self.window or max(freq.season, 3)
        means = history.group_by("series_id").agg(pl.col("y").tail(window).mean().alias("yhat"))
        return future_frame(history, freq, h).join(means, on="series_id")
