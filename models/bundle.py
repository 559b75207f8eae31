"""The model that is trained, registered and served: every candidate fitted on all the data, each series'
choice among them, and the conformal quantiles, all decided on the backtest (never on in-sample fit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from models.backtest import Backtest
from models.base import Forecaster, LearnsFromFeatures, Panel, floored
from models.coherent import coherent_forecasts, split_forecasts
from models.intervals import with_intervals
from models.metrics import insample_scales
from models.reconciliation import METHODS, observed_after_parents
from models.selection import best_models, ensemble_forecasts, overall_best, selected_forecasts, selection_candidates


@dataclass
class ForecastBundle:
    models: dict[str, Forecaster]
    ensemble: list[str]
    choice: pl.DataFrame  # series_id, model
    fallback: str
    quantiles: pl.DataFrame  # model, step, q_80, q_95
    scales: pl.DataFrame  # series_id, mae_scale, mse_scale, floor (all the data)
    config: dict[str, Any]  # what it was trained with: models, horizon, windows, freq, season, source
    links: pl.DataFrame | None = None  # parent, child: the hierarchies its forecasts are made coherent over
    reconciliation: str = "none"  # the method chosen on the backtest (models/coherent.py)
    split_links: pl.DataFrame | None = None  # parent, child, weight: split hierarchies, made coherent after `links`
    # series_id, ds, y: children's observations after their parent's last one (bottom-up adds them up by date)
    observed: pl.DataFrame | None = None

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickling: bundles pickled before 2026-12-07 (a registered version's) clipped every series at 0."""
        if "floor" not in state["scales"].columns:
            state["scales"] = state["scales"].with_columns(floor=pl.lit(0.0))
        self.__dict__.update(state)

    def predict(self, h: int) -> pl.DataFrame:
        """series_id, step, ds, yhat, lo_80, hi_80, lo_95, hi_95, model (each series' chosen model)."""
        points = pl.concat(
            [model.predict(h).select("series_id", "step", "ds", "yhat").with_columns(model=pl.lit(name))
             for name, model in self.models.items()]
        )  # fmt: skip
        points = floored(points, self.scales, ["yhat"])
        if len(self.ensemble) > 1:
            points = pl.concat([points, ensemble_forecasts(points, self.ensemble)])
        bounded = with_intervals(points, self.quantiles, self.scales).with_columns(chosen_model=pl.col("model"))
        served = selected_forecasts(bounded, self.choice, self.fallback).select(
            "series_id", "step", "ds", "yhat", "lo_80", "hi_80", "lo_95", "hi_95", model="chosen_model"
        )
        if self.links is not None and self.reconciliation in METHODS:
            served = coherent_forecasts(served, self.links, self.reconciliation, self.observed)
        if self.split_links is not None:
            served = split_forecasts(served, self.split_links)
        return served.sort("series_id", "step")


def feature_importances(bundle: ForecastBundle) -> dict[str, pl.DataFrame]:
    """model -> feature, gain, splits, for every model of `bundle` that learns from features."""
    return {
        name: model.feature_importance()
        for name, model in sorted(bundle.models.items())
        if isinstance(model, LearnsFromFeatures)
    }


def trained_bundle(panel: Panel, factories: dict[str, Any], ensemble: list[str], backtest: Backtest,
                   config: dict[str, Any], links: pl.DataFrame | None = None, reconciliation: str = "none",
                   split_links: pl.DataFrame | None = None,
                   on_fit: Callable[[str], None] = lambda name: None) -> ForecastBundle:  # fmt: skip
    """Every candidate refit on all of `panel` (`on_fit(name)` before each); choices from every window of `backtest`,
    quantiles from its last; the forecasts of `links`' hierarchies reconciled by `reconciliation` (chosen on the same
    backtest), then the children of `split_links` split from their parents."""
    candidates = selection_candidates(backtest.point_scores["model"].unique().to_list())
    fitted = {}
    for name, factory in factories.items():
        on_fit(name)
        fitted[name] = factory().fit(panel)
    return ForecastBundle(
        models=fitted,
        ensemble=ensemble if len(ensemble) > 1 else [],
        choice=best_models(backtest.point_scores, candidates),
        fallback=overall_best(backtest.point_scores, candidates),
        quantiles=backtest.quantiles,
        scales=insample_scales(panel.series, panel.freq.season),
        config=config,
        links=links,
        reconciliation=reconciliation,
        split_links=split_links,
        observed=None if links is None else observed_after_parents(panel.series, links),
    )
