"""Prophet per series, fitted in parallel across cores (spawned workers: forking a process that runs polars'
and LightGBM's threads can deadlock), for the aggregate series where it helps.

Fast settings: MAP fit (no MCMC), no uncertainty sampling (intervals come from the conformal backtest), and
only the seasonalities the frequency can show. Forecasts of a series without negative values are clipped at 0.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import date

import pandas as pd
import polars as pl

from models.base import HistoryForecaster
from models.frequency import future_frame

BATCH = 16  # series per task sent to a worker
MIN_OBSERVATIONS = 3  # Prophet needs a few points; shorter series are forecast by their last value


def _quiet() -> None:
    """No INFO lines per fit: cmdstanpy sets up its logger (level DEBUG, a handler at INFO) on its first use,
    over any level set before, so it is switched off through its own API."""
    import cmdstanpy

    cmdstanpy.disable_logging()
    logging.getLogger("prophet").setLevel(logging.ERROR)


PERIODS_PER_YEAR = {"D": 365, "W": 52, "M": 12, "Q": 4}
DEFAULT_YEARLY_ORDER = 10  # Prophet's Fourier order for the yearly seasonality


def yearly_order(freq: str) -> int:
    """The yearly seasonality's Fourier order that data at `freq` can resolve: (periods per year - 1) // 2 (monthly
    5: a 6th harmonic sampled monthly has no sine and the 7th to 10th alias onto the 5th to 2nd; quarterly 1), at
    most Prophet's default 10. Prophet's 10 on monthly data gives nearly collinear columns: a fit on 24 months took
    7 s instead of 0.06 s (README, "Forecasting")."""
    return min(DEFAULT_YEARLY_ORDER, (PERIODS_PER_YEAR[freq] - 1) // 2)


def series_forecast(ds: list[date], y: list[float], future: list[date], freq: str) -> list[float]:
    """Prophet's point forecast of one series at the `future` dates."""
    from prophet import Prophet

    _quiet()
    if len(y) < MIN_OBSERVATIONS:
        return [y[-1]] * len(future)
    yearly = freq in PERIODS_PER_YEAR and len(y) >= 2 * PERIODS_PER_YEAR[freq]  # two years, as Prophet's own rule
    model = Prophet(
        yearly_seasonality=yearly_order(freq) if yearly else False,
        weekly_seasonality=freq == "D",
        daily_seasonality=False,
        uncertainty_samples=0,
    )
    model.fit(pd.DataFrame({"ds": pd.to_datetime(ds), "y": y}))
    predicted = model.predict(pd.DataFrame({"ds": pd.to_datetime(future)}))
    floor = 0.0 if min(y) >= 0 else -math.inf  # models.base.series_floors
    return [max(floor, float(value)) for value in predicted["yhat"]]


def _forecast_batch(batch: list[tuple[str, list[date], list[float], list[date]]], freq: str) -> list[list[float]]:
    return [series_forecast(ds, y, future, freq) for _, ds, y, future in batch]


def largest_series(history: pl.DataFrame, season: int, count: int) -> pl.Series:
    """The ids of the `count` series with the largest mean over their last `season` observations (ties by id):
    the aggregates, in a panel of regions, sectors and skills."""
    recent = history.sort("series_id", "ds").group_by("series_id", maintain_order=True).tail(max(season, 1))
    means = recent.group_by("series_id").agg(pl.col("y").mean())
    return means.sort(["y", "series_id"], descending=[True, False]).head(count)["series_id"]


class ProphetForecaster(HistoryForecaster):
    """Keeps the history at fit; Prophet fits per series at predict time, when the horizon is known. Only the
    `max_series` largest series are forecast (Prophet is for aggregates, and costs ~50 ms a fit); the others
    get no forecast from it, so the backtest's choice falls on another model there."""

    name = "prophet"

    def __init__(self, workers: int | None = None, max_series: int = 300) -> None:
        super().__init__()
        self.workers = workers or os.cpu_count() or 1
        self.max_series = max_series

    def predict(self, h: int) -> pl.DataFrame:
        """series_id, step, ds, yhat of the `max_series` largest series."""
        full, freq = self.fitted()
        history = full.filter(pl.col("series_id").is_in(largest_series(full, freq.season, self.max_series).implode()))
        future = future_frame(history, freq, h)
        grouped = history.group_by("series_id", maintain_order=True).agg("ds", "y")
        dates = future.group_by("series_id", maintain_order=True).agg(pl.col("ds").alias("future"))
        work = [(s, ds, y, f) for s, ds, y, f in grouped.join(dates, on="series_id").iter_rows()]
        # small batches: work is shared evenly, and a worker whose parent died stops after its current batch
        batches = [work[i : i + BATCH] for i in range(0, len(work), BATCH)]
        if self.workers == 1 or len(work) < 2 * self.workers:
            results = [_forecast_batch(work, freq.code)]
            batches = [work]
        else:
            with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                results = list(pool.map(_forecast_batch, batches, [freq.code] * len(batches)))
        values = {
            s: v for batch, out in zip(batches, results, strict=True) for (s, *_), v in zip(batch, out, strict=True)
        }
        return future.with_columns(
            yhat=pl.struct("series_id", "step").map_elements(
                lambda row: values[row["series_id"]][row["step"] - 1], return_dtype=pl.Float64
            )
        )
