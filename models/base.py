"""The forecaster interface on the one long format, and saving/loading fitted models."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Self, runtime_checkable

import polars as pl

from models.frequency import Frequency

SERIES_COLUMNS = ("series_id", "ds", "y")
FORECAST_COLUMNS = ("series_id", "step", "ds", "yhat")


@dataclass(frozen=True)
class Panel:
    """Series in the long format (series_id, ds, y), their static attributes (series_id + categorical columns)
    and exogenous features (series_id, ds + one column per feature, known for the future as carried forward)."""

    series: pl.DataFrame
    freq: Frequency
    attributes: pl.DataFrame | None = None
    exogenous: pl.DataFrame | None = None

    def __post_init__(self) -> None:
        missing = [c for c in SERIES_COLUMNS if c not in self.series.columns]
        if missing:
            raise ValueError(f"series lack the column(s) {missing}: the long format is series_id, ds, y")

    def until(self, positions_from_end: int) -> Panel:
        """The panel without each series' last `positions_from_end` observations (a backtest's training part)."""
        kept = (
            self.series.with_columns(back=pl.int_range(pl.len(), 0, -1).over("series_id"))
            .filter(pl.col("back") > positions_from_end)
            .drop("back")
        )
        return Panel(kept, self.freq, self.attributes, self.exogenous)


def series_floors(series: pl.DataFrame) -> pl.DataFrame:
    """series_id, floor: 0.0 for a series without negative values (counts, indices, shares: its forecasts and
    interval ends are never below 0), null for one with negative values (growth rates, balances: left as
    forecast)."""
    return series.group_by("series_id").agg(floor=pl.when(pl.col("y").min() >= 0).then(pl.lit(0.0)))


def floored(frame: pl.DataFrame, floors: pl.DataFrame, columns: Sequence[str], on: Sequence[str] = ("series_id",)
            ) -> pl.DataFrame:  # fmt: skip
    """`frame` with `columns` raised to their series' floor (floors: `on` columns and floor; a null floor, or a
    series without one, leaves them as they are)."""
    joined = frame.join(floors.select(*on, "floor"), on=list(on), how="left", maintain_order="left")
    return joined.with_columns(pl.col(c).clip(lower_bound=pl.col("floor")) for c in columns).drop("floor")


class Forecaster(Protocol):
    name: str

    def fit(self, panel: Panel) -> Self: ...

    def predict(self, h: int) -> pl.DataFrame:
        """series_id, step (1..h), ds, yhat for every series seen in fit."""
        ...


@runtime_checkable
class LearnsFromFeatures(Protocol):
    """A forecaster that learns from features (the LightGBMs), and can say how much it used each."""

    def feature_importance(self) -> pl.DataFrame:
        """feature, gain, splits, most gain first."""
        ...


class HistoryForecaster:
    """A forecaster that keeps the training series and frequency (baselines, per-series statistical models)."""

    name = "history"

    def __init__(self) -> None:
        self.history: pl.DataFrame | None = None
        self.freq: Frequency | None = None

    def fit(self, panel: Panel) -> Self:
        self.history = panel.series.select("series_id", "ds", "y").sort("series_id", "ds")
        self.freq = panel.freq
        return self

    def fitted(self) -> tuple[pl.DataFrame, Frequency]:
        """(history, frequency); RuntimeError before fit."""
        if self.history is None or self.freq is None:
            raise RuntimeError(f"{self.name}: fit before predict")
        return self.history, self.freq


def save(model: Forecaster, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump(model, handle)
    return path


def load(path: Path) -> Forecaster:
    with path.open("rb") as handle:
        model: Forecaster = pickle.load(handle)
    return model
