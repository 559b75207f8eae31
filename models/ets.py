"""statsforecast's AutoETS, the reference every selected model is measured against."""

from __future__ import annotations

import polars as pl

from models.base import HistoryForecaster
from models.frequency import future_frame

# statsforecast refuses to fit ETS to 6 or fewer observations ("tiny datasets"); such series get the last value
MIN_OBSERVATIONS = 7


class AutoETSForecaster(HistoryForecaster):
    name = "auto_ets"

    def predict(self, h: int) -> pl.DataFrame:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS

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
        engine = StatsForecast(models=[AutoETS(season_length=freq.season)], freq=1, n_jobs=1)
        indexed = frame.assign(ds=frame.groupby("unique_id").cumcount() + 1)  # positions: dates may be irregular
        forecast = engine.forecast(df=indexed, h=h)
        predicted = forecast if isinstance(forecast, pl.DataFrame) else pl.from_pandas(forecast.reset_index(drop=True))
        steps = predicted.with_columns(step=(pl.int_range(pl.len()).over("unique_id") + 1).cast(pl.Int32))
        fitted = steps.select(pl.col("unique_id").alias("series_id"), "step", yhat=pl.col("AutoETS"))
        return pl.concat([future.join(fitted, on=["series_id", "step"]), future.join(last, on="series_id")]).sort(
            "series_id", "step"
        )
