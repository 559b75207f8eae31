"""One global LightGBM that learns corrections to the naive forecast, every step ahead at once (direct).

For each origin t of each series and each step k up to the horizon, the target is the change from the last
value in MASE units: d = (y[t+k] - y[t]) / scale, scale = the series' in-sample mean absolute seasonal
difference (the MASE denominator, models/metrics.py). Features, all known at t: the earlier values and rolling
means as changes from y[t] in the same units, y[t] / scale and the log of scale, the step k, calendar terms of
the target date, static attributes as categoricals, exogenous features lagged one period. The L1 loss is then
the series' MASE itself, each origin weighted by recency (half-life HALF_LIFE_YEARS, so that an old regime
counts less); the forecast is y[t] + scale x d (clipped at 0 for a series without negative values), so without
signal it stays the naive one.
"""

from __future__ import annotations

from typing import Any, Self

import lightgbm as lgb
import numpy as np
import polars as pl

from models.base import Panel, floored, series_floors
from models.frequency import Frequency, future_frame
from models.lightgbm_model import (
    CALENDAR,
    LAGS,
    PARAMS,
    ROLLING,
    ROUNDS,
    attribute_codes,
    booster_importance,
    lagged_exogenous,
)
from models.metrics import insample_scales

DIRECT_PARAMS: dict[str, Any] = {**PARAMS, "objective": "l1"}
# The most recent origins per series a model trains on (about five years), which bounds the rows at
# series x origins x horizon.
ORIGINS = {"D": 365, "W": 260, "M": 60, "Q": 20, "A": 20}
# Chosen on the tuning series only (Indeed's other indices and sectors, BA unemployed and employees): a
# two-year half-life beat equal weights on all three sets (by 0.1 to 2% of MASE).
HALF_LIFE_YEARS = 2.0
PERIODS_PER_YEAR = {"D": 365, "W": 52, "M": 12, "Q": 4, "A": 1}


def origin_features(series: pl.DataFrame, scales: pl.DataFrame, freq: Frequency) -> pl.DataFrame:
    """series (series_id, ds, y sorted by ds within series) with scale and the features known at each origin."""
    lags = [
        ((pl.col("y").shift(k).over("series_id") - pl.col("y")) / pl.col("scale")).alias(f"lag_{k}")
        for k in LAGS[freq.code]
    ]
    rolls = [
        ((pl.col("y").rolling_mean(w, min_samples=1).over("series_id") - pl.col("y")) / pl.col("scale")).alias(
            f"roll_{w}"
        )
        for w in ROLLING[freq.code]
    ]
    return series.join(scales, on="series_id").with_columns(
        *lags, *rolls, level=pl.col("y") / pl.col("scale"), log_scale=pl.col("scale").log1p()
    )


def recency_weights(back: pl.Series, half_life_years: float | None, freq: Frequency) -> np.ndarray | None:
    """0.5 ** (periods before the last observation / half-life in periods); None without a half-life."""
    if half_life_years is None:
        return None
    return (0.5 ** ((back - 1) / (half_life_years * PERIODS_PER_YEAR[freq.code]))).to_numpy()


class DirectLightGBM:
    name = "lightgbm_direct"

    def __init__(
        self,
        params: dict[str, Any] | None = None,
        rounds: int = ROUNDS,
        horizon: int | None = None,
        half_life_years: float | None = HALF_LIFE_YEARS,
    ) -> None:
        self.half_life_years = half_life_years  # None: every origin weighs the same
        self.params = {**DIRECT_PARAMS, **(params or {})}
        self.rounds = rounds
        self.horizon = horizon  # steps trained [default: the frequency's horizon]; later steps use the last one
        self.booster: lgb.Booster | None = None
        self.freq: Frequency | None = None
        self.origins: pl.DataFrame | None = None  # each series' last origin with its features
        self.codes: pl.DataFrame | None = None  # series_id + categorical codes of the attributes
        self.categories: dict[str, list[str]] = {}
        self.exogenous: pl.DataFrame | None = None
        self.features: list[str] = []
        self.floors: pl.DataFrame | None = None  # series_id, floor (models.base.series_floors)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickling: models pickled before 2026-12-07 (a registered version's) clipped every series at 0."""
        if "floors" not in state and state.get("origins") is not None:
            state["floors"] = state["origins"].select("series_id", floor=pl.lit(0.0))
        self.__dict__.update(state)

    def _design(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Origin rows (series_id, origin, ds = target date, step, features) with calendar, static, exogenous."""
        assert self.freq is not None
        design = rows.with_columns(*(expr.alias(name) for name, expr in CALENDAR[self.freq.code].items()))
        if self.codes is not None:
            design = design.join(self.codes, on="series_id", how="left")
        if self.exogenous is not None:
            design = design.sort("origin").join_asof(
                self.exogenous.sort("ds").rename({"ds": "origin"}), on="origin", by="series_id", strategy="backward"
            )
        return design

    def fit(self, panel: Panel) -> Self:
        self.freq = panel.freq
        horizon = self.horizon or panel.freq.horizon
        series = panel.series.select("series_id", "ds", "y").sort("series_id", "ds")
        scales = insample_scales(series, panel.freq.season).select("series_id", scale=pl.col("mae_scale"))
        features = origin_features(series, scales, panel.freq).with_columns(
            back=pl.int_range(pl.len(), 0, -1).over("series_id")
        )
        if panel.attributes is not None:
            self.codes, self.categories = attribute_codes(panel.attributes)
        self.exogenous = lagged_exogenous(panel)
        pairs = pl.concat(
            [
                features.with_columns(
                    step=pl.lit(k, dtype=pl.Int32),
                    target_ds=pl.col("ds").shift(-k).over("series_id"),
                    d=(pl.col("y").shift(-k).over("series_id") - pl.col("y")) / pl.col("scale"),
                )
                for k in range(1, horizon + 1)
            ]
        ).filter(pl.col("d").is_not_null() & (pl.col("back") <= ORIGINS[panel.freq.code] + horizon))
        design = self._design(pairs.rename({"ds": "origin", "target_ds": "ds"}))
        exclude = {"series_id", "origin", "ds", "y", "scale", "back", "d"}
        self.features = [c for c in design.columns if c not in exclude]
        categorical = [c for c in self.categories if c in self.features]
        data = lgb.Dataset(
            design.select(self.features).to_numpy().astype(np.float64), label=design["d"].to_numpy(),
            weight=recency_weights(design["back"], self.half_life_years, panel.freq), feature_name=self.features,
            categorical_feature=categorical, free_raw_data=True,
        )  # fmt: skip
        self.booster = lgb.train(self.params, data, num_boost_round=self.rounds)
        self.origins = features.filter(pl.col("back") == 1).drop("back")
        self.floors = series_floors(series)
        return self

    def feature_importance(self) -> pl.DataFrame:
        return booster_importance(self.booster, self.features)

    def predict(self, h: int) -> pl.DataFrame:
        if self.booster is None or self.origins is None or self.freq is None or self.floors is None:
            raise RuntimeError("lightgbm_direct: fit before predict")
        future = future_frame(self.origins, self.freq, h)
        rows = self.origins.rename({"ds": "origin"}).join(future, on="series_id")
        design = self._design(rows)
        d = self.booster.predict(design.select(self.features).to_numpy().astype(np.float64))
        forecasts = design.select("series_id", "step", "ds", yhat=pl.col("y") + pl.col("scale") * pl.Series(d))
        return floored(forecasts, self.floors, ["yhat"]).sort("series_id", "step")
