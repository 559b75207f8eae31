"""statsforecast's automatic per-series models: AutoETS (the reference every selected model is measured against),
AutoETS restricted to no trend and to a damped trend, AutoTheta, AutoARIMA and AutoCES, on the one long format."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import polars as pl

from models.base import HistoryForecaster
from models.frequency import future_frame

# statsforecast refuses to fit ETS to n <= 4 + its parameters ("tiny datasets"): 2 without a trend, 2 more for a
# fixed trend and 1 for damping (a free "Z" component is not counted); such series get the last value
MIN_OBSERVATIONS = 7


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
        from statsforecast import StatsForecast

        history, freq = self.fitted()
        future = future_frame(history, freq, h)
        lengths = history.group_by("series_id").len()
        short = lengths.filter(pl.col("len") < self.min_observations)["series_id"].implode()
        last = history.filter(pl.col("series_id").is_in(short)).group_by("series_id").agg(yhat=pl.col("y").last())
        history = history.filter(~pl.col("series_id").is_in(short))
        if history.is_empty():
            return future.join(last, on="series_id")
        frame = history.rename({"series_id": "unique_id"}).to_pandas()
        frame["ds"] = frame["ds"].astype("datetime64[ns]")
        engine = StatsForecast(models=[self.model(freq.season)], freq=1, n_jobs=1)
        indexed = frame.assign(ds=frame.groupby("unique_id").cumcount() + 1)  # positions: dates may be irregular
        with warnings.catch_warnings():
            # statsforecast's ETS divides its residual variance by n - parameters - 1, which is 0 for a candidate with
            # as many parameters as a short series allows; that variance only feeds its own intervals, never ours
            warnings.filterwarnings("ignore", "divide by zero", RuntimeWarning, r"statsforecast\.ets")
            forecast = engine.forecast(df=indexed, h=h)
        predicted = forecast if isinstance(forecast, pl.DataFrame) else pl.from_pandas(forecast.reset_index(drop=True))
        steps = predicted.with_columns(step=(pl.int_range(pl.len()).over("unique_id") + 1).cast(pl.Int32))
        fitted = steps.select(pl.col("unique_id").alias("series_id"), "step", "yhat")
        return pl.concat([future.join(fitted, on=["series_id", "step"]), future.join(last, on="series_id")]).sort(
            "series_id", "step"
        )


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
