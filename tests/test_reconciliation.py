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
from models.reconciliation import coherence_error, reconciled, split_reconciled

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


def test_reconciled_weighs_weighted_links() -> None:
    """T = 2a + b: bottom-up gives 2 x 1 + 2; MinT-OLS solves S'S b = S'y with S = [[1, 0], [0, 1], [2, 1]]:
    [[5, 2], [2, 2]] b = [21, 12], so b = (3, 3) and T = 9."""
    links = pl.DataFrame({"parent": ["T", "T"], "child": ["a", "b"], "weight": [2.0, 1.0]})
    assert reconciled(BASE, links, "bottom_up").sort("series_id")["yhat"].to_list() == pytest.approx([4.0, 1.0, 2.0])
    mint = reconciled(BASE.with_columns(yhat=pl.Series([1.0, 2.0, 10.0])), links, "mint_ols").sort("series_id")
    assert mint["yhat"].to_list() == pytest.approx([9.0, 3.0, 3.0])
    assert coherence_error(mint, links) < 1e-6


def test_reconciled_is_non_negative_and_names_missing_nodes() -> None:
    negative = BASE.with_columns(yhat=pl.Series([-5.0, 2.0, 1.0]))
    result = reconciled(negative, LINKS, "mint_ols")
    assert (result["yhat"] >= 0).all() and coherence_error(result, LINKS) < 1e-6
    with pytest.raises(ValueError, match="no base forecast"):
        reconciled(BASE.filter(pl.col("series_id") != "T"), LINKS, "mint_ols")
    with pytest.raises(ValueError, match="unknown reconciliation"):
        reconciled(BASE, LINKS, "top_down")


# skills a, b, c under groups g1 (a, half of b) and g2 (half of b, c) and under their total T
SPLIT = pl.DataFrame({"parent": ["g1", "g1", "g2", "g2", "T", "T", "T"], "child": ["a", "b", "b", "c", "a", "b", "c"],
                      "weight": [1.0, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0]})  # fmt: skip


def _split_base(a: float, b: float, c: float, g1: float, g2: float) -> pl.DataFrame:
    return pl.DataFrame({"series_id": ["a", "b", "c", "g1", "g2", "T"], "step": [1] * 6,
                         "yhat": [a, b, c, g1, g2, g1 + g2]}, schema_overrides={"step": pl.Int32})  # fmt: skip


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        # no overlap: scaled by the parent over their sum (top-down by forecast proportions)
        ((10.0, 0.0, 30.0, 20.0, 45.0), [20.0, 0.0, 45.0]),
        # x = x0 + diag(x0) A' l with A x = parents: 15 l1 + 5 l2 = 10, 5 l1 + 35 l2 = -10, so l = (0.8, -0.4)
        ((10.0, 20.0, 30.0, 30.0, 30.0), [18.0, 24.0, 18.0]),
        # g1 = 0 would make b negative: b is held at 0 and solved again
        ((10.0, 10.0, 30.0, 0.0, 40.0), [0.0, 0.0, 40.0]),
        # g1's children are all forecast 0: they share it by their weights (d = 1): l1 = 615/151, l2 = -55/151
        ((0.0, 0.0, 30.0, 5.0, 20.0), [615 / 151, 280 / 151, 2880 / 151]),
    ],
)
def test_split_reconciled_by_hand(base: tuple[float, ...], expected: list[float]) -> None:
    forecasts = _split_base(*base)
    result = split_reconciled(forecasts, SPLIT)
    assert result["series_id"].to_list() == ["a", "b", "c"]
    assert result["yhat"].to_list() == pytest.approx(expected)
    assert (result["yhat"] >= 0).all()
    parents = forecasts.filter(pl.col("series_id").is_in(["g1", "g2", "T"]))
    assert coherence_error(pl.concat([result, parents]), SPLIT) < 1e-6


def test_split_reconciled_needs_every_node() -> None:
    with pytest.raises(ValueError, match="no base forecast"):
        split_reconciled(_split_base(1.0, 1.0, 1.0, 1.0, 1.0).filter(pl.col("series_id") != "g2"), SPLIT)


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
