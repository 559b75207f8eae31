"""statsforecast's automatic per-series models: AutoETS (the reference every selected model is measured against),
AutoETS restricted to no trend and to a damped trend, AutoTheta, AutoARIMA and AutoCES, on the one long format."""

from __future__ import annotations

import multiprocessing
import os
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

import numpy as np
import polars as pl

from models.base import HistoryForecaster
from models.frequency import future_frame

# statsforecast refuses to fit ETS to n <= 4 + its parameters ("tiny datasets"): 2 without a trend, 2 more for a
# fixed trend and 1 for damping (a free "Z" component is not counted); such series get the last value
MIN_OBSERVATIONS = 7
# statsforecast's fits are spread over spawned processes when the first PROBE_SERIES series, fitted here, say that
# the rest would take more than PARALLEL_AFTER_S in one process: starting a worker (importing statsforecast) takes
# ~2 s, and a fit from ~1.3 ms (AutoETS, 13 annual points) to ~50 ms (72 monthly points, season 12)
PROBE_SERIES = 100
PARALLEL_AFTER_S = 6.0


class StatsForecastForecaster(HistoryForecaster):
    """One statsforecast model (a class name of statsforecast.models) fitted per series on positions (dates may be
    irregular); series shorter than `min_observations` are forecast by their last value."""

    def __init__(self, name: str, model_class: str, options: dict[str, Any], min_observations: int) -> None:
        super().__init__()
        self.name = name
        self.model_class = model_class
        self.options = options
        self.min_observations = min_observations

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickling: forecasters pickled before 2026-12-06 (a registered version's bundle) had no options (the
        plain model) and the one minimum of their day."""
        self.__dict__.update({"options": {}, "min_observations": MIN_OBSERVATIONS} | state)

    def model(self, season: int) -> Any:
        import statsforecast.models

        return getattr(statsforecast.models, self.model_class)(season_length=season, alias="yhat", **self.options)

    def predict(self, h: int) -> pl.DataFrame:
        history, freq = self.fitted()
        forecasts = positional_forecasts(history, self.model(freq.season), h, self.min_observations)
        return future_frame(history, freq, h).join(forecasts, on=["series_id", "step"]).sort("series_id", "step")


def positional_forecasts(
    history: pl.DataFrame, model: Any, h: int, min_observations: int, residuals: bool = False,
    workers: int | None = None, parallel_after_s: float = PARALLEL_AFTER_S,
) -> pl.DataFrame:  # fmt: skip
    """series_id, step (1..h), yhat: one statsforecast model (its alias "yhat") fitted per series on positions, in
    the order of `history` (series_id, y; dates may be irregular or absent); a series shorter than
    `min_observations` gets its last value. With `residuals`, also residual_variance: the mean squared in-sample
    one-step error of each series' model (of the last value, for the short series; null for a single value).
    When the first PROBE_SERIES series' fits say that the others would take more than `parallel_after_s` seconds,
    those are shared among `workers` spawned processes (default: one per core); the forecasts are the same as in
    one process."""
    steps = pl.DataFrame({"step": list(range(1, h + 1))}, schema={"step": pl.Int32})
    lengths = history.group_by("series_id").len()
    short = lengths.filter(pl.col("len") < min_observations)["series_id"].implode()
    last = (
        history.filter(pl.col("series_id").is_in(short))
        .group_by("series_id", maintain_order=True)
        .agg(yhat=pl.col("y").last(), residual_variance=pl.col("y").diff().pow(2).mean())
    )
    fallback = last.join(steps, how="cross").select("series_id", "step", "yhat", "residual_variance")
    history = history.filter(~pl.col("series_id").is_in(short))
    if history.is_empty():
        return fallback if residuals else fallback.drop("residual_variance")
    frame = history.select(unique_id="series_id", y="y").to_pandas()
    frame["ds"] = frame.groupby("unique_id").cumcount() + 1
    ids = frame["unique_id"].unique()
    probe, rest = frame["unique_id"].isin(ids[:PROBE_SERIES]), ids[PROBE_SERIES:]
    start = time.perf_counter()
    done = [_statsforecast_chunk(frame[probe], model, h, residuals)]
    workers = min(workers or os.cpu_count() or 1, len(rest))
    if len(rest) and (workers < 2 or (time.perf_counter() - start) * len(rest) / PROBE_SERIES < parallel_after_s):
        done.append(_statsforecast_chunk(frame[~probe], model, h, residuals))
    elif len(rest):  # a few chunks per worker, so that one slow chunk does not hold up the others
        chunks = [frame[frame["unique_id"].isin(part)] for part in np.array_split(rest, 4 * workers)]
        chunk_forecasts = partial(_statsforecast_chunk, model=model, h=h, residuals=residuals)
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            done += pool.map(chunk_forecasts, chunks)
    predicted = pl.concat([chunk for chunk, _ in done])
    insample = pl.concat([chunk for _, chunk in done if chunk is not None]) if residuals else None
    series_id = pl.col("unique_id").cast(history.schema["series_id"]).alias("series_id")
    fitted = predicted.select(
        series_id,
        step=(pl.int_range(pl.len()).over("unique_id") + 1).cast(pl.Int32),
        yhat=pl.col("yhat").cast(pl.Float64),
    )
    if insample is None:
        return pl.concat([fitted, fallback.drop("residual_variance").cast({"yhat": pl.Float64})])
    variance = insample.group_by("unique_id").agg(residual_variance=(pl.col("y") - pl.col("yhat")).pow(2).mean())
    fitted = fitted.join(variance.select(series_id, "residual_variance"), on="series_id", how="left")
    return pl.concat([fitted, fallback.cast({"yhat": pl.Float64})])


def _statsforecast_chunk(frame: Any, model: Any, h: int, residuals: bool) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """(unique_id, yhat of each step in order) and, with `residuals`, the in-sample (unique_id, y, yhat) of
    `model` fitted to each series of the pandas `frame` (unique_id, ds, y) in one process."""
    from statsforecast import StatsForecast

    engine = StatsForecast(models=[model], freq=1, n_jobs=1)
    with warnings.catch_warnings():
        # statsforecast's ETS divides its residual variance by n - parameters - 1, which is 0 for a candidate with
        # as many parameters as a short series allows; that variance only feeds its own intervals, never ours
        warnings.filterwarnings("ignore", "divide by zero", RuntimeWarning, r"statsforecast\.ets")
        forecast = engine.forecast(df=frame, h=h, fitted=residuals)
    predicted = forecast if isinstance(forecast, pl.DataFrame) else pl.from_pandas(forecast.reset_index(drop=True))
    if not residuals:
        return predicted.select("unique_id", "yhat"), None
    insample = pl.from_pandas(engine.forecast_fitted_values().reset_index(drop=True))
    return predicted.select("unique_id", "yhat"), insample.select("unique_id", "y", "yhat")


# moocast's model names -> statsforecast's class, its options and the fewest observations it fits
STATISTICAL_MODELS: dict[str, tuple[str, dict[str, Any], int]] = {
    "auto_ets": ("AutoETS", {}, MIN_OBSERVATIONS),
    # error and season chosen by AICc as in AutoETS, the trend fixed: none (simple exponential smoothing) ...
    "ets_ses": ("AutoETS", {"model": "ZNZ"}, MIN_OBSERVATIONS),
    # ... or additive and damped (2 trend parameters and the damping: 3 more observations)
    "ets_damped": ("AutoETS", {"model": "ZAZ", "damped": True}, MIN_OBSERVATIONS + 3),
    "auto_theta": ("AutoTheta", {}, MIN_OBSERVATIONS),
    "auto_arima": ("AutoARIMA", {}, MIN_OBSERVATIONS),
    "auto_ces": ("AutoCES", {}, MIN_OBSERVATIONS),
}


def statistical_factories() -> dict[str, Callable[[], StatsForecastForecaster]]:
    """name -> a new unfitted forecaster, for each of STATISTICAL_MODELS."""
    return {
        name: partial(StatsForecastForecaster, name, model_class, options, minimum)
        for name, (model_class, options, minimum) in STATISTICAL_MODELS.items()
    }
