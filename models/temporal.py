"""Temporal hierarchies (THieF: Athanasopoulos, Hyndman, Kourentzes and Petropoulos, 2017, "Forecasting with
temporal hierarchies"): a seasonal series is also forecast as the sums of every k consecutive periods, for each k
that divides its season (monthly: 2-, 3-, 4- and 6-monthly and annual sums), each level by its own model at its own
season (m / k: the annual level sees the trend without the season, the monthly level sees the season), and the
forecasts of all levels for each coming season are reconciled to add up, weighting each level by how well it is
forecast: structurally (the error variance of a level of k periods taken as k: WLS_s) or by the in-sample one-step
error variance of each level's model for that series (WLS_v). A series without a season, or too short for any
coarser level, gets its model's own forecast."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import polars as pl

from models.frequency import future_frame
from models.statistical import MIN_OBSERVATIONS, StatsForecastForecaster, positional_forecasts

WEIGHTS = ("structural", "variance")


def aggregation_levels(season: int, length: int, min_observations: int) -> tuple[int, ...]:
    """The k (1 first) that divide the season and of whose k-period sums a series of `length` has at least
    `min_observations`."""
    return tuple(k for k in range(1, season + 1) if season % k == 0 and length // k >= min_observations)


def temporal_sums(history: pl.DataFrame, k: int) -> pl.DataFrame:
    """series_id, y: the sums of k consecutive periods of each series, in time order, the last sum ending at the
    series' last observation (an incomplete first sum is dropped)."""
    return (
        history.with_columns(bucket=(pl.int_range(pl.len(), 0, -1).over("series_id") - 1) // k)
        .group_by("series_id", "bucket", maintain_order=True)
        .agg(pl.col("y").sum(), periods=pl.len())
        .filter(pl.col("periods") == k)
        .sort("series_id", "bucket", descending=[False, True])
        .select("series_id", "y")
    )


def summing_matrix(season: int, levels: tuple[int, ...]) -> np.ndarray:
    """S (nodes x season): node j of level k (levels in the order given) sums periods j*k .. (j+1)*k - 1."""
    return np.vstack([np.kron(np.eye(season // k), np.ones(k)) for k in levels])


def structural_variances(season: int, levels: tuple[int, ...]) -> np.ndarray:
    """The error variance of every node under WLS_s: k for each node of level k."""
    return np.concatenate([np.full(season // k, float(k)) for k in levels])


def reconciled_seasons(base: np.ndarray, season: int, levels: tuple[int, ...], variances: np.ndarray) -> np.ndarray:
    """(series, seasons, season): the periods of each coming season, from `base` (series, seasons, nodes: each
    level's forecasts of its sums in that season, stacked in the order of `levels`) and the error variance of every
    node (series x nodes): (S' W^-1 S)^-1 S' W^-1 base, for each series its own W = diag(variances)."""
    summing = summing_matrix(season, levels)
    weighted = summing.T[None, :, :] / variances[:, None, :]  # S' W^-1 of each series: season x nodes
    projection = np.linalg.solve(weighted @ summing, weighted)
    reconciled: np.ndarray = np.einsum("npk,nsk->nsp", projection, base)
    return reconciled


class TemporalHierarchyForecaster(StatsForecastForecaster):
    """One statsforecast model (a class name of statsforecast.models) at every temporal level of each series,
    reconciled with `weights` (WEIGHTS); a series' levels are those with at least `min_observations` sums."""

    def __init__(self, name: str, model_class: str, options: dict[str, Any], min_observations: int,
                 weights: str) -> None:  # fmt: skip
        super().__init__(name, model_class, options, min_observations)
        if weights not in WEIGHTS:
            raise ValueError(f"unknown weights {weights!r}: use one of {', '.join(WEIGHTS)}")
        self.weights = weights

    def predict(self, h: int) -> pl.DataFrame:
        history, freq = self.fitted()
        season, seasons = freq.season, math.ceil(h / freq.season)
        by_levels: dict[tuple[int, ...], list[Any]] = {}
        for length, ids in history.group_by("series_id").len().group_by("len").agg("series_id").iter_rows():
            by_levels.setdefault(aggregation_levels(season, length, self.min_observations) or (1,), []).extend(ids)
        base = {}
        for k in sorted({k for levels in by_levels for k in levels}):
            members = pl.Series([i for levels, ids in by_levels.items() if k in levels for i in ids]).implode()
            sums = temporal_sums(history.filter(pl.col("series_id").is_in(members)), k)
            base[k] = positional_forecasts(sums, self.model(season // k), seasons * season // k,
                                           self.min_observations, residuals=self.weights == "variance")  # fmt: skip
        steps = pl.concat([
            self.reconciled_periods(base, levels, pl.Series("series_id", ids).sort(), season, seasons)
            for levels, ids in by_levels.items()
        ])  # fmt: skip
        return future_frame(history, freq, h).join(steps, on=["series_id", "step"]).sort("series_id", "step")

    def reconciled_periods(self, base: dict[int, pl.DataFrame], levels: tuple[int, ...], ids: pl.Series,
                           season: int, seasons: int) -> pl.DataFrame:  # fmt: skip
        """series_id, step, yhat: the reconciled periods of the coming seasons of the (sorted) series `ids`, whose
        levels are `levels`, from `base` (k -> series_id, step, yhat [, residual_variance] of the k-period sums)."""
        rows = {k: base[k].filter(pl.col("series_id").is_in(ids.implode())).sort("series_id", "step") for k in levels}
        stacked = np.concatenate(
            [rows[k]["yhat"].to_numpy().reshape(len(ids), seasons, season // k) for k in levels], axis=2
        )
        structural = np.tile(structural_variances(season, levels), (len(ids), 1))
        variances = structural
        if self.weights == "variance":
            per_level = [
                np.repeat(rows[k].filter(pl.col("step") == 1)["residual_variance"].to_numpy(), season // k)
                .reshape(len(ids), season // k)
                for k in levels
            ]  # fmt: skip
            measured = np.concatenate(per_level, axis=1).astype(float)
            usable = (np.isfinite(measured) & (measured > 0)).all(axis=1)  # else (a perfect fit) structural
            variances = np.where(usable[:, None], measured, structural)
        periods = reconciled_seasons(stacked, season, levels, variances)
        steps = pl.DataFrame({"step": np.arange(1, seasons * season + 1, dtype=np.int32)})
        return ids.to_frame().join(steps, how="cross").with_columns(yhat=pl.Series(periods.reshape(-1)))


# moocast's model names -> the model at every level and the weights (README, "Where it stands": neither beat
# AutoETS on the tuning series, so they run only when asked for with --models)
TEMPORAL_MODELS = {"thief_ets": ("AutoETS", "structural"), "thief_ets_var": ("AutoETS", "variance")}


def temporal_factories() -> dict[str, Callable[[], TemporalHierarchyForecaster]]:
    """name -> a new unfitted forecaster, for each of TEMPORAL_MODELS."""
    return {
        name: partial(TemporalHierarchyForecaster, name, model_class, {}, MIN_OBSERVATIONS, weights)
        for name, (model_class, weights) in TEMPORAL_MODELS.items()
    }
