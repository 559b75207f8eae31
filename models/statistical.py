"""statsforecast's automatic per-series models: AutoETS (the reference every selected model is measured against),
AutoTheta, AutoARIMA and AutoCES, on the one long format."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import polars as pl

from models.base import HistoryForecaster
from models.frequency import future_frame

# statsforecast refuses to fit ETS to 6 or fewer observations ("tiny datasets"); such series get the last value
MIN_OBSERVATIONS = 7


class StatsForecastForecaster(HistoryForecaster):
    """One statsforecast model (a class name of statsforecast.models) fitted per series on positions (dates may be
    irregular); series shorter than MIN_OBSERVATIONS are forecast by their last value."""

    def __init__(self, name: str, model_class: str) -> None:
        super().__init__()
        self.name = name
        self.model_class = model_class

    def model(self, season: int) -> Any:
        import statsforecast.models

        return getattr(statsforecast.models, self.model_class)(season_length=season, alias="yhat")

    def predict(self, h: int) -> pl.DataFrame:
        from statsforecast import StatsForecast

        history, freq = self.fitted()
        future = future_frame(history, freq, h)
        lengths = history.group_by("series_id").len()
        short = lengths.filter(pl.col("len") < MIN_OBSERVATIONS)["series_id"].implode()
        last = history.filter(pl.col("series_id").is_in(short)).group_by("series_id").agg(yhat=pl.col("y").last())
        history = history.filter(~pl.col("series_id").is_in(short))
        if history.is_empty():
            return future.join(last, on="series_id")
        frame = history.rename({"series_id": "unique_id"}).to_pandas()
        frame["ds"] = frame["ds"].astype("datetime64[ns]")
        engine = StatsForecast(models=[self.model(freq.season)], freq=1, n_jobs=1)
        indexed = frame.assign(ds=frame.groupby("unique_id").cumcount() + 1)  # positions: dates may be irregular
        forecast = engine.forecast(df=indexed, h=h)
        predicted = forecast if isinstance(forecast, pl.DataFrame) else pl.from_pandas(forecast.reset_index(drop=True))
        steps = predicted.with_columns(step=(pl.int_range(pl.len()).over("unique_id") + 1).cast(pl.Int32))
        fitted = steps.select(pl.col("unique_id").alias("series_id"), "step", "yhat")
        return pl.concat([future.join(fitted, on=["series_id", "step"]), future.join(last, on="series_id")]).sort(
            "series_id", "step"
        )


# moocast's model names -> statsforecast's classes
STATISTICAL_MODELS = {
    "auto_ets": "AutoETS",
    "auto_theta": "AutoTheta",
    "auto_arima": "AutoARIMA",
    "auto_ces": "AutoCES",
}


def statistical_factories() -> dict[str, Callable[[], StatsForecastForecaster]]:
    """name -> a new unfitted forecaster, for each of STATISTICAL_MODELS."""
    return {
        name: partial(StatsForecastForecaster, name, model_class) for name, model_class in STATISTICAL_MODELS.items()
    }
