"""Per-series model selection and the mean ensemble, chosen on backtest windows only (pure polars)."""

from __future__ import annotations

import polars as pl

SELECTED = "selected"
ENSEMBLE = "ensemble"


def best_models(scores: pl.DataFrame, candidates: list[str]) -> pl.DataFrame:
    """series_id, model: each series' candidate with the lowest mean MASE over the given windows' scores (ties
    go to the first candidate in order). Series unseen in `scores` get the best candidate overall as `fallback`."""
    order = pl.DataFrame({"model": candidates, "rank": list(range(len(candidates)))})
    mean = (
        scores.join(order, on="model")
        .group_by("series_id", "model", "rank")
        .agg(pl.col("mase").mean())
        .sort("series_id", "mase", "rank", nulls_last=True)
    )
    return mean.group_by("series_id", maintain_order=True).first().select("series_id", "model")


def overall_best(scores: pl.DataFrame, candidates: list[str]) -> str:
    means = scores.filter(pl.col("model").is_in(candidates)).group_by("model").agg(pl.col("mase").mean())
    if means.is_empty():
        return candidates[0]
    ranked = means.join(pl.DataFrame({"model": candidates, "rank": list(range(len(candidates)))}), on="model")
    return str(ranked.sort("mase", "rank")["model"][0])


def ensemble_forecasts(forecasts: pl.DataFrame, members: list[str]) -> pl.DataFrame:
    """The mean of `members`' point forecasts, as model 'ensemble' (keys: every column but model and yhat)."""
    keys = [c for c in forecasts.columns if c not in ("model", "yhat")]
    present = forecasts.filter(pl.col("model").is_in(members))
    return (
        present.group_by(keys).agg(pl.col("yhat").mean()).with_columns(model=pl.lit(ENSEMBLE)).select(forecasts.columns)
    )


def selected_forecasts(forecasts: pl.DataFrame, choice: pl.DataFrame, fallback: str) -> pl.DataFrame:
    """Each series' forecasts from its chosen model (choice: series_id, model), renamed 'selected'."""
    chosen = forecasts.join(choice.rename({"model": "chosen"}), on="series_id", how="left").with_columns(
        pl.col("chosen").fill_null(fallback)
    )
    return chosen.filter(pl.col("model") == pl.col("chosen")).drop("chosen").with_columns(model=pl.lit(SELECTED))
