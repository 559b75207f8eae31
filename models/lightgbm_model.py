"""One global LightGBM model over all series, forecasting recursively (like mlforecast).

Target transform: each series is divided by its scale (mean |y| of its last season of training, at least 3
periods; of its whole training history where that season is all 0, so a series of tiny values stays in its own
units; 1 for a series of zeros), so that series of very different sizes share one model; the scale's log is a
feature, so size can still matter. Features: lags and rolling means of the scaled target, calendar terms,
static attributes as categoricals, exogenous features lagged one period (carried forward beyond the data).
Forecasts are multiplied back; those of a series without negative values are clipped at 0.
"""

from __future__ import annotations

from typing import Any, Self

import lightgbm as lgb
import numpy as np
import polars as pl

from models.base import Panel, floored, series_floors
from models.frequency import Frequency, future_frame

LAGS = {"D": [1, 2, 7, 14, 28], "W": [1, 2, 4, 13, 52], "M": [1, 2, 3, 6, 12], "Q": [1, 2, 4], "A": [1, 2, 3]}
ROLLING = {"D": [7, 28], "W": [4, 13], "M": [3, 12], "Q": [2, 4], "A": [2, 3]}
CALENDAR = {
    "D": {"weekday": pl.col("ds").dt.weekday(), "month": pl.col("ds").dt.month()},
    "W": {"week": pl.col("ds").dt.week()},
    "M": {"month": pl.col("ds").dt.month()},
    "Q": {"quarter": pl.col("ds").dt.quarter()},
    "A": {},
}
PARAMS: dict[str, Any] = {
    "objective": "l2",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.9,
    "bagging_freq": 1,
    "verbosity": -1,
    "num_threads": 0,
    "seed": 7,
    "deterministic": True,
}
ROUNDS = 300


def lag_features(history: pl.DataFrame, freq: Frequency) -> pl.DataFrame:
    """history (series_id, ds, z sorted) with lag_k and roll_k columns computed from earlier values only."""
    shifted = pl.col("z").shift(1).over("series_id")
    lags = [pl.col("z").shift(k).over("series_id").alias(f"lag_{k}") for k in LAGS[freq.code]]
    rolls = [
        shifted.rolling_mean(window, min_samples=1).over("series_id").alias(f"roll_{window}")
        for window in ROLLING[freq.code]
    ]
    calendar = [expr.alias(name) for name, expr in CALENDAR[freq.code].items()]
    return history.with_columns(*lags, *rolls, *calendar)


def attribute_codes(attributes: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, list[str]]]:
    """(series_id + an integer code per string attribute, the values each code indexes) for categoricals."""
    names = [c for c in attributes.columns if c != "series_id" and attributes[c].dtype == pl.String]
    categories = {c: sorted(attributes[c].drop_nulls().unique().to_list()) for c in names}
    codes = [
        pl.col(c).replace_strict(values, list(range(len(values))), default=None, return_dtype=pl.Int32)
        for c, values in categories.items()
    ]
    return attributes.select("series_id", *codes), categories


def lagged_exogenous(panel: Panel) -> pl.DataFrame | None:
    """series_id, ds, exo_<name>: each exogenous feature lagged one period (None without exogenous data)."""
    if panel.exogenous is None:
        return None
    names = [c for c in panel.exogenous.columns if c not in ("series_id", "ds")]
    return (
        panel.exogenous.sort("series_id", "ds")
        .with_columns(pl.col(names).shift(1).over("series_id").name.prefix("exo_"))
        .select("series_id", "ds", *(f"exo_{n}" for n in names))
    )


def booster_importance(booster: lgb.Booster | None, features: list[str]) -> pl.DataFrame:
    """feature, gain (the loss reduction of every split on it), splits: what a fitted booster learnt from, most gain
    first; RuntimeError before fit."""
    if booster is None:
        raise RuntimeError("the model has not been fitted")
    return pl.DataFrame(
        {
            "feature": features,
            "gain": booster.feature_importance("gain").astype(np.float64),
            "splits": booster.feature_importance("split").astype(np.int64),
        }
    ).sort("gain", "feature", descending=[True, False])


class GlobalLightGBM:
    name = "lightgbm"

    def __init__(self, params: dict[str, Any] | None = None, rounds: int = ROUNDS) -> None:
        self.params = {**PARAMS, **(params or {})}
        self.rounds = rounds
        self.booster: lgb.Booster | None = None
        self.freq: Frequency | None = None
        self.tail: pl.DataFrame | None = None  # the recent scaled history each forecast starts from
        self.statics: pl.DataFrame | None = None  # series_id, log_scale, scale, categorical codes
        self.categories: dict[str, list[str]] = {}
        self.exogenous: pl.DataFrame | None = None  # series_id, ds, exogenous features (lagged one period)
        self.features: list[str] = []
        self.floors: pl.DataFrame | None = None  # series_id, floor (models.base.series_floors)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickling: models pickled before 2026-12-07 (a registered version's) clipped every series at 0."""
        if "floors" not in state and state.get("tail") is not None:
            state["floors"] = state["tail"].select(pl.col("series_id").unique(), floor=pl.lit(0.0))
        self.__dict__.update(state)

    def _static_frame(self, panel: Panel, series: pl.DataFrame) -> pl.DataFrame:
        season = max(panel.freq.season, 3)
        statics = series.group_by("series_id").agg(
            recent=pl.col("y").tail(season).abs().mean(), overall=pl.col("y").abs().mean()
        )
        statics = statics.select(
            "series_id",
            scale=pl.when(pl.col("recent") > 0)
            .then(pl.col("recent"))
            .when(pl.col("overall") > 0)
            .then(pl.col("overall"))
            .otherwise(1.0),
        ).with_columns(log_scale=pl.col("scale").log1p())
        if panel.attributes is None:
            return statics
        codes, self.categories = attribute_codes(panel.attributes)
        return statics.join(codes, on="series_id", how="left")

    def _design(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Lag, calendar, static and exogenous features of (series_id, ds, z) rows."""
        assert self.freq is not None and self.statics is not None
        design = lag_features(frame, self.freq).join(self.statics.drop("scale"), on="series_id", how="left")
        if self.exogenous is not None:
            design = design.join_asof(self.exogenous.sort("ds"), on="ds", by="series_id", strategy="backward")
        return design

    def fit(self, panel: Panel) -> Self:
        self.freq = panel.freq
        series = panel.series.select("series_id", "ds", "y").sort("series_id", "ds")
        self.statics = self._static_frame(panel, series)
        self.floors = series_floors(series)
        self.exogenous = lagged_exogenous(panel)
        scaled = series.join(self.statics.select("series_id", "scale"), on="series_id").select(
            "series_id", "ds", z=pl.col("y") / pl.col("scale")
        )
        design = self._design(scaled).filter(pl.col(f"lag_{LAGS[panel.freq.code][0]}").is_not_null())
        self.features = [c for c in design.columns if c not in ("series_id", "ds", "z")]
        categorical = [c for c in self.categories if c in self.features]
        data = lgb.Dataset(
            design.select(self.features).to_numpy().astype(np.float64), label=design["z"].to_numpy(),
            feature_name=self.features, categorical_feature=categorical, free_raw_data=True,
        )  # fmt: skip
        self.booster = lgb.train(self.params, data, num_boost_round=self.rounds)
        keep = max(max(LAGS[panel.freq.code]), max(ROLLING[panel.freq.code])) + 1
        self.tail = scaled.group_by("series_id", maintain_order=True).tail(keep)
        return self

    def feature_importance(self) -> pl.DataFrame:
        return booster_importance(self.booster, self.features)

    def predict(self, h: int) -> pl.DataFrame:
        if (
            self.booster is None
            or self.tail is None
            or self.freq is None
            or self.statics is None
            or self.floors is None
        ):
            raise RuntimeError("lightgbm: fit before predict")
        future = future_frame(self.tail, self.freq, h)
        history = self.tail
        for step in range(1, h + 1):
            rows = future.filter(pl.col("step") == step).select("series_id", "ds", z=pl.lit(None, dtype=pl.Float64))
            extended = pl.concat([history, rows]).sort("series_id", "ds")
            design = self._design(extended).join(rows.select("series_id", "ds"), on=["series_id", "ds"])
            predicted = self.booster.predict(design.select(self.features).to_numpy().astype(np.float64))
            filled = floored(design.select("series_id", "ds", z=pl.Series(predicted)), self.floors, ["z"])
            history = pl.concat([history, filled])
        forecasts = history.join(future, on=["series_id", "ds"]).join(self.statics.select("series_id", "scale"),
                                                                      on="series_id")  # fmt: skip
        return forecasts.select("series_id", "step", "ds", yhat=pl.col("z") * pl.col("scale")).sort("series_id", "step")
