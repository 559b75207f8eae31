"""Hierarchical reconciliation: hand-computed cases, coherence to 1e-6, non-negativity, and accuracy against
bottom-up on a backtest of a generated hierarchy."""

from datetime import date

import numpy as np
import polars as pl
import pytest

from models.base import Panel
from models.baselines import WindowAverage
from models.frequency import FREQUENCIES
from models.lightgbm_model import GlobalLightGBM
from models.reconciliation import coherence_error, reconciled

LINKS = pl.DataFrame({"parent": ["T", "T"], "child": ["a", "b"]})
BASE = pl.DataFrame({"series_id": ["a", "b", "T"], "step": [1, 1, 1], "yhat": [1.0, 2.0, 6.0]})


@pytest.mark.parametrize(
    ("method", "expected"),
    [("bottom_up", [3.0, 1.0, 2.0]), ("mint_ols", [5.0, 2.0, 3.0]), ("mint_wls_struct", [4.5, 1.75, 2.75])],
)
def test_reconciled_by_hand(method: str, expected: list[float]) -> None:
    result = reconciled(BASE, LINKS, method).sort("series_id")  # T, a, b
    assert result["yhat"].to_list() == pytest.approx(expected)
    assert coherence_error(result, LINKS) < 1e-6


def test_reconciled_is_non_negative_and_names_missing_nodes() -> None:
    negative = BASE.with_columns(yhat=pl.Series([-5.0, 2.0, 1.0]))
    result = reconciled(negative, LINKS, "mint_ols")
    assert (result["yhat"] >= 0).all() and coherence_error(result, LINKS) < 1e-6
    with pytest.raises(ValueError, match="no base forecast"):
        reconciled(BASE.filter(pl.col("series_id") != "T"), LINKS, "mint_ols")
    with pytest.raises(ValueError, match="unknown reconciliation"):
        reconciled(BASE, LINKS, "top_down")


def _hierarchy() -> tuple[pl.DataFrame, pl.DataFrame]:
    """6 districts in 2 states and one country, monthly, with shared seasonality and district noise."""
    rng = np.random.default_rng(11)
    months = [date(2015 + m // 12, m % 12 + 1, 1) for m in range(96)]
    rows, links = [], []
    for d in range(6):
        state, level = f"state{d // 3}", rng.uniform(20, 200)
        links += [(state, f"d{d}"), ("DE", f"d{d}")]
        for m, ds in enumerate(months):
            value = level * (1 + 0.3 * np.sin(2 * np.pi * m / 12) + 0.004 * m) + rng.normal(0, 0.25 * level)
            rows.append((f"d{d}", ds, max(0.0, value)))
    bottom = pl.DataFrame(rows, schema=["series_id", "ds", "y"], orient="row")
    link_frame = pl.DataFrame(links, schema=["parent", "child"], orient="row")
    parents = (
        bottom.join(link_frame.rename({"child": "series_id"}), on="series_id")
        .group_by("parent", "ds")
        .agg(pl.col("y").sum())
        .rename({"parent": "series_id"})
    )
    return pl.concat([bottom, parents.select(bottom.columns)]).sort("series_id", "ds"), link_frame


def test_backtest_windows_stay_coherent_and_coherent_bases_are_kept() -> None:
    """On every window of a backtest: each method is coherent to 1e-6; a linear forecaster (window average)
    gives coherent base forecasts, which MinTrace must return unchanged (= bottom-up); the global LightGBM's
    base forecasts of the aggregates are not coherent, so there the methods differ."""
    series, links = _hierarchy()
    h, totals = 6, {"bottom_up": 0.0, "mint_wls_struct": 0.0, "mint_ols": 0.0}
    for origin in range(60, 96 - h + 1, h):
        train = series.filter(pl.col("ds") < date(2015 + origin // 12, origin % 12 + 1, 1))
        linear = (
            WindowAverage(window=12).fit(Panel(train, FREQUENCIES["M"])).predict(h).select("series_id", "step", "yhat")
        )
        by_method = {method: reconciled(linear, links, method) for method in totals}
        for coherent in by_method.values():
            assert coherence_error(coherent, links) < 1e-6
            assert np.allclose(
                coherent.sort("series_id", "step")["yhat"], by_method["bottom_up"].sort("series_id", "step")["yhat"]
            )
        global_model = GlobalLightGBM(rounds=40).fit(Panel(train, FREQUENCIES["M"])).predict(h)
        for method in totals:
            coherent = reconciled(global_model.select("series_id", "step", "yhat"), links, method)
            assert coherence_error(coherent, links) < 1e-6
            totals[method] += float(coherent["yhat"].sum())
    assert totals["bottom_up"] != pytest.approx(totals["mint_ols"], rel=1e-9)
