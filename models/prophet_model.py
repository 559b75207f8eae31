"""Prophet per series, fitted in parallel across cores (spawned workers: forking a process that runs polars'
and LightGBM's threads can deadlock), for the aggregate series where it helps.

Fast settings: MAP fit (no MCMC), no uncertainty sampling (intervals come from the conformal backtest), and
only the seasonalities the frequency can show. Forecasts are clipped at 0.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Self

import pandas as pd
import polars as pl

from models.base import Panel
from models.frequency import Frequency, future_frame

MIN_OBSERVATIONS = 3  # Prophet needs a few points; shorter series are forecast by their last value


def _quiet() -> None:
    for name in ("cmdstanpy", "prophet"):
        logging.getLogger(name).setLevel(logging.ERROR)


def series_forecast(ds: list[date], y: list[float], future: list[date], freq: str) -> list[float]:
    """Prophet's point forecast of one series at the `future` dates."""
    from prophet import Prophet

    _quiet()
    if len(y) < MIN_OBSERVATIONS:
        return [y[-1]] * len(future)
    model = Prophet(
        yearly_seasonality=freq in ("D", "W", "M", "Q") and len(y) >= {"D": 365, "W": 52, "M": 24, "Q": 8}.get(freq, 0),
        weekly_seasonality=freq == "D",
        daily_seasonality=False,
        uncertainty_samples=0,
    )
    model.fit(pd.DataFrame({"ds": pd.to_datetime(ds), "y": y}))
    predicted = model.predict(pd.DataFrame({"ds": pd.to_datetime(future)}))
    return [max(0.0, float(value)) for value in predicted["yhat"]]


def _forecast_batch(batch: list[tuple[str, list[date], list[float], list[date]]], freq: str) -> list[list[float]]:
    return [series_forecast(ds, y, future, freq) for _, ds, y, future in batch]


class ProphetForecaster:
    name = "prophet"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.history: pl.DataFrame | None = None
        self.freq: Frequency | None = None

    def fit(self, panel: Panel) -> Self:
        """Keeps the history; Prophet fits per series at predict time, when the horizon is known."""
        self.history = panel.series.select("series_id", "ds", "y").sort("series_id", "ds")
        self.freq = panel.freq
        return self

    def predict(self, h: int) -> pl.DataFrame:
        if self.history is None or self.freq is None:
            raise RuntimeError("prophet: fit before predict")
        future = future_frame(self.history, self.freq, h)
        grouped = self.history.group_by("series_id", maintain_order=True).agg("ds", "y")
        dates = future.group_by("series_id", maintain_order=True).agg(pl.col("ds").alias("future"))
        work = [(s, ds, y, f) for s, ds, y, f in grouped.join(dates, on="series_id").iter_rows()]
        batches = [work[i :: self.workers] for i in range(self.workers)]
        if self.workers == 1 or len(work) < 2 * self.workers:
            results = [_forecast_batch(work, self.freq.code)]
            batches = [work]
        else:
            with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                results = list(pool.map(_forecast_batch, batches, [self.freq.code] * len(batches)))
        values = {
            s: v for batch, out in zip(batches, results, strict=True) for (s, *_), v in zip(batch, out, strict=True)
        }
        return future.with_columns(
            yhat=pl.struct("series_id", "step").map_elements(
                lambda row: values[row["series_id"]][row["step"] - 1], return_dtype=pl.Float64
            )
        )
