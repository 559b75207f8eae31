"""Per-series model selection and the mean ensemble, chosen on backtest windows only (pure polars)."""

from __future__ import annotations

import polars as pl

SELECTED = "selected"
ENSEMBLE = "ensemble"
# How many windows of evidence the pooled MASE of a model is worth in each series' choice (set a priori,
# not tuned on any backtest: as much as the two windows a series usually has of its own).
PRIOR_WINDOWS = 2.0


def selection_candidates(models: list[str]) -> list[str]:
    """The models a series may be served from: the ensemble alone when there is one, else every model. On the
    tuning series (Indeed indicators and sectors, BA unemployment and employment; not the goal series) a fixed
    combination beat every per-series or pooled choice made on two earlier windows."""
    return [ENSEMBLE] if ENSEMBLE in models else sorted(models)


def best_models(scores: pl.DataFrame, candidates: list[str], prior_windows: float = PRIOR_WINDOWS) -> pl.DataFrame:
    """series_id, model: each series' candidate with the lowest shrunk MASE (ties go to the first candidate in
    order). A series' mean MASE over its n windows is shrunk towards the model's pooled MASE (the median over
    series), which counts as `prior_windows` windows: (n x own + prior x pooled) / (n + prior). With two or
    three noisy windows per series, a model good everywhere is not displaced by one lucky window."""
    order = pl.DataFrame({"model": candidates, "rank": list(range(len(candidates)))})
    own = (
        scores.join(order, on="model")
        .drop_nulls("mase")
        .group_by("series_id", "model", "rank")
        .agg(pl.col("mase").mean(), pl.len().alias("n"))
    )
    pooled = own.group_by("model").agg(pl.col("mase").median().alias("pooled"))
    shrunk = own.join(pooled, on="model").with_columns(
        score=(pl.col("n") * pl.col("mase") + prior_windows * pl.col("pooled")) / (pl.col("n") + prior_windows)
    )
    return (
        shrunk.sort("series_id", "score", "rank")
        .group_by("series_id", maintain_order=True)
        .first()
        .select("series_id", "model")
    )


def overall_best(scores: pl.DataFrame, candidates: list[str]) -> str:
    """The candidate with the lowest mean MASE among those scored on every series (the fallback must forecast
    any series; Prophet, for one, forecasts only the largest)."""
    present = scores.filter(pl.col("model").is_in(candidates))
    coverage = present.group_by("model").agg(pl.col("series_id").n_unique().alias("n"))
    complete = coverage.filter(pl.col("n") == pl.col("n").max())["model"]
    means = present.filter(pl.col("model").is_in(complete.implode())).group_by("model").agg(pl.col("mase").mean())
    if means.is_empty():
        return candidates[0]
    ranked = means.join(pl.DataFrame({"model": candidates, "rank": list(range(len(candidates)))}), on="model")
    return str(ranked.sort("mase", "rank")["model"][0])


def ensemble_forecasts(forecasts: pl.DataFrame, members: list[str]) -> pl.DataFrame:
    """The median of `members`' point forecasts (the mean of two), as model 'ensemble' (keys: every column but
    model and yhat). With three members one model's bad forecast is outvoted instead of averaged in."""
    keys = [c for c in forecasts.columns if c not in ("model", "yhat")]
    present = forecasts.filter(pl.col("model").is_in(members))
    return (
        present.group_by(keys)
        .agg(pl.col("yhat").median())
        .with_columns(model=pl.lit(ENSEMBLE))
        .select(forecasts.columns)
    )


def selected_forecasts(forecasts: pl.DataFrame, choice: pl.DataFrame, fallback: str) -> pl.DataFrame:
    """Each series' forecasts from its chosen model (choice: series_id, model), renamed 'selected'."""
    chosen = forecasts.join(choice.rename({"model": "chosen"}), on="series_id", how="left").with_columns(
        pl.col("chosen").fill_null(fallback)
    )
    return chosen.filter(pl.col("model") == pl.col("chosen")).drop("chosen").with_columns(model=pl.lit(SELECTED))
