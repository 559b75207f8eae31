"""Temporal hierarchies (THieF, models/temporal.py) on tiny literal frames with answers worked out by hand."""

import warnings
from datetime import date

import numpy as np
import polars as pl
import pytest

from models.base import Panel
from models.frequency import FREQUENCIES, future_frame
from models.temporal import aggregation_levels, reconciled_seasons, temporal_sums


def months(n: int) -> list[date]:
    return [date(2010 + i // 12, i % 12 + 1, 1) for i in range(n)]


def test_aggregation_levels_divide_the_season_and_need_enough_sums() -> None:
    assert aggregation_levels(12, 84, 7) == (1, 2, 3, 4, 6, 12)
    assert aggregation_levels(12, 83, 7) == (1, 2, 3, 4, 6)  # 6 annual sums: too few
    assert aggregation_levels(12, 40, 7) == (1, 2, 3, 4)
    assert aggregation_levels(4, 28, 7) == (1, 2, 4)
    assert aggregation_levels(1, 50, 7) == (1,)  # no season: no coarser level
    assert aggregation_levels(12, 6, 7) == ()


def test_temporal_sums_end_at_the_last_observation_and_drop_an_incomplete_first_sum() -> None:
    frame = pl.DataFrame({"series_id": ["a"] * 7 + ["b"] * 4, "y": [1.0, 2, 3, 4, 5, 6, 7, 1, 1, 1, 1]})
    sums = temporal_sums(frame, 3)
    assert sums.rows() == [("a", 9.0), ("a", 18.0), ("b", 3.0)]  # a: 2+3+4, 5+6+7 (1 dropped); b: the last three


def test_reconciliation_by_hand_and_coherent_forecasts_unchanged() -> None:
    # season 2, levels 1 and 2: base (a, b) for the periods and c for their sum, variances (1, 1, 2). Minimising
    # (x1 - a)^2 + (x2 - b)^2 + (x1 + x2 - c)^2 / 2 gives x1 + x2 = (a + b + c) / 2 and x1 - x2 = a - b; with the
    # sum's variance 1/2 instead, x1 + x2 = (a + b + 4c) / 5
    base = np.array([1.0, 3.0, 6.0]).reshape(1, 1, 3)
    structural = reconciled_seasons(base, 2, (1, 2), np.array([[1.0, 1.0, 2.0]]))
    assert structural.ravel() == pytest.approx([1.5, 3.5])
    trusted_sum = reconciled_seasons(base, 2, (1, 2), np.array([[1.0, 1.0, 0.5]]))
    assert trusted_sum.ravel() == pytest.approx([1.8, 3.8])  # the sum 5.6, each moved by 2 (5.6 - 6)
    levels = (1, 2, 3, 4, 6, 12)
    periods = np.random.default_rng(3).uniform(0, 10, (2, 12))
    coherent = np.concatenate([periods.reshape(2, -1, k).sum(axis=2) for k in levels], axis=1)
    variances = np.random.default_rng(4).uniform(0.5, 5, (2, 28))
    assert reconciled_seasons(coherent.reshape(2, 1, 28), 12, levels, variances) == pytest.approx(
        periods.reshape(2, 1, 12), abs=1e-9
    )


@pytest.mark.parametrize("name", ["thief_ets", "thief_ets_var"])
def test_thief_continues_a_season_and_forecasts_every_series_at_every_step(name: str) -> None:
    """A repeated season with noise is continued; a series too short for the annual level still gets the coarser
    levels it has; one too short for any model gets its last value; every series gets every step."""
    from pipelines.backtest import MODELS

    rng = np.random.default_rng(7)
    season = np.array([10.0, 12, 15, 20, 26, 30, 31, 28, 22, 17, 13, 11])
    long = np.tile(season, 10) + rng.normal(0, 0.2, 120)
    middle = np.tile(season * 3, 4)[:40] + rng.normal(0, 0.5, 40)
    frame = pl.DataFrame({"series_id": ["long"] * 120 + ["middle"] * 40 + ["short"] * 5,
                          "ds": months(120) + months(40) + months(5),
                          "y": [*long, *middle, 4.0, 4.0, 5.0, 6.0, 9.0]})  # fmt: skip
    forecast = MODELS[name]().fit(Panel(frame, FREQUENCIES["M"])).predict(18)
    expected = future_frame(frame, FREQUENCIES["M"], 18)
    assert forecast.select("series_id", "step", "ds").equals(expected)
    assert forecast["yhat"].is_finite().all()
    by_series = {s: forecast.filter(pl.col("series_id") == s)["yhat"].to_numpy() for s in ("long", "middle")}
    assert by_series["long"] == pytest.approx(np.tile(season, 2)[:18], rel=0.03)
    assert by_series["middle"] == pytest.approx(np.roll(np.tile(season * 3, 2), -4)[:18], rel=0.06)
    assert forecast.filter(pl.col("series_id") == "short")["yhat"].to_list() == [9.0] * 18


@pytest.mark.parametrize("name", ["thief_ets", "thief_ets_var"])
def test_thief_without_a_season_is_its_model_alone(name: str) -> None:
    from pipelines.backtest import MODELS

    years = [date(2000 + i, 1, 1) for i in range(20)]
    values = np.random.default_rng(5).uniform(50, 100, 20).cumsum().tolist()
    panel = Panel(pl.DataFrame({"series_id": ["s"] * 20, "ds": years, "y": values}), FREQUENCIES["A"])
    assert MODELS[name]().fit(panel).predict(3).equals(MODELS["auto_ets"]().fit(panel).predict(3))


def test_residual_variances_of_each_series_model() -> None:
    """With residuals, each series gets the mean squared in-sample one-step error of its model; a series too short
    for the model, that of its last value (the mean squared change)."""
    from statsforecast.models import AutoETS

    from models.statistical import positional_forecasts

    rng = np.random.default_rng(2)
    calm, noisy = 100 + rng.normal(0, 1, 40), 100 + rng.normal(0, 10, 40)
    frame = pl.DataFrame({"series_id": ["calm"] * 40 + ["noisy"] * 40 + ["short"] * 3,
                          "y": [*calm, *noisy, 1.0, 3.0, 4.0]})  # fmt: skip
    forecast = positional_forecasts(frame, AutoETS(season_length=1, alias="yhat"), 2, 7, residuals=True)
    variance = dict(forecast.filter(pl.col("step") == 1).select("series_id", "residual_variance").iter_rows())
    assert 0.5 < variance["calm"] < 2.0 and 50 < variance["noisy"] < 200
    assert variance["short"] == pytest.approx((4 + 1) / 2)
    assert "residual_variance" not in positional_forecasts(frame, AutoETS(season_length=1, alias="yhat"), 2, 7).columns


def test_variance_weights_fall_back_to_structural_ones_where_a_level_fits_exactly() -> None:
    """A series of zeros (common in sparse panels) is fitted exactly at every level: residual variances of 0, which
    cannot weight; it is reconciled with the structural weights (0 again, not NaN) beside a noisy series."""
    from pipelines.backtest import MODELS

    noisy = 20 + np.random.default_rng(9).normal(0, 2, 120)
    frame = pl.DataFrame({"series_id": ["noisy"] * 120 + ["zeros"] * 120, "ds": months(120) * 2,
                          "y": [*noisy, *np.zeros(120)]})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero
        forecast = MODELS["thief_ets_var"]().fit(Panel(frame, FREQUENCIES["M"])).predict(12)
    assert forecast.filter(pl.col("series_id") == "zeros")["yhat"].to_list() == [0.0] * 12
    assert forecast.filter(pl.col("series_id") == "noisy")["yhat"].to_numpy() == pytest.approx(20, abs=2)


def test_unknown_weights_are_refused() -> None:
    from models.temporal import TemporalHierarchyForecaster

    with pytest.raises(ValueError, match="unknown weights 'ols': use one of structural, variance"):
        TemporalHierarchyForecaster("t", "AutoETS", {}, 7, "ols")
