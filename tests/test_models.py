"""Forecasters and backtests on tiny literal frames and a small generated panel."""

import copy
import pickle
import warnings
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from models.backtest import cross_validation
from models.base import Panel, floored, load, save, series_floors
from models.baselines import Naive, SeasonalNaive, WindowAverage
from models.frequency import (
    FREQUENCIES,
    aggregated,
    first_missing_periods,
    future_frame,
    inferred_frequency,
    off_grid_dates,
    series_frequencies,
)
from models.intervals import MIN_ERRORS, errors_per_step, recent_residuals, scaled_error_quantiles, with_intervals
from models.lightgbm_model import GlobalLightGBM
from models.metrics import insample_scales, step_scores, window_scores
from models.prophet_model import ProphetForecaster, series_forecast, yearly_order
from models.selection import (
    best_models,
    ensemble_forecasts,
    overall_best,
    selected_forecasts,
    selection_candidates,
)
from models.statistical import statistical_factories

MONTHLY = FREQUENCIES["M"]
TINY = pl.DataFrame(
    {
        "series_id": ["a"] * 5 + ["b"] * 2,
        "ds": [date(2020, m, 1) for m in range(1, 6)] + [date(2020, 1, 1), date(2020, 2, 1)],
        "y": [1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 8.0],
    }
)


def test_frequencies() -> None:
    assert inferred_frequency(pl.Series([date(2020, 1, 1), date(2020, 2, 1), date(2020, 3, 1)])).code == "M"
    assert inferred_frequency(pl.Series([date(2020, 1, 1), date(2021, 1, 1)])).code == "A"
    with pytest.raises(ValueError, match="no supported frequency"):
        inferred_frequency(pl.Series([date(2020, 1, 1), date(2020, 1, 4)]))
    future = future_frame(TINY, FREQUENCIES["Q"], 2)
    assert future.filter(pl.col("series_id") == "a")["ds"].to_list() == [date(2020, 8, 1), date(2020, 11, 1)]
    daily = pl.DataFrame({"series_id": ["a"] * 3, "ds": [date(2020, 1, 1), date(2020, 1, 2), date(2020, 2, 1)],
                          "y": [1.0, 3.0, 5.0]})  # fmt: skip
    assert aggregated(daily, MONTHLY, "mean")["y"].to_list() == [2.0, 5.0]
    assert aggregated(daily, MONTHLY, "sum")["y"].to_list() == [4.0, 5.0]


def test_off_grid_dates_are_those_elsewhere_in_their_period_than_their_series_other_dates() -> None:
    def off(dates: dict[str, list[date]], code: str) -> list[tuple[str, date]]:
        frame = pl.DataFrame(
            {"series_id": [s for s, ds in dates.items() for _ in ds], "ds": [d for ds in dates.values() for d in ds]}
        )
        return off_grid_dates(frame.with_columns(y=pl.lit(1.0)), FREQUENCIES[code]).select("series_id", "ds").rows()

    monthly = {
        "first": [date(2020, 1, 1), date(2020, 2, 1), date(2020, 3, 15), date(2020, 4, 1)],
        "end": [date(2020, 1, 31), date(2020, 2, 29), date(2020, 3, 31), date(2020, 4, 30)],
        "30th": [date(2020, m, 30) for m in (1, 3, 4, 6, 7)] + [date(2020, 2, 29), date(2020, 5, 31)],
    }  # the 29th of February stands for the 30th the month lacks; the 31st of May does not
    assert off(monthly, "M") == [("30th", date(2020, 5, 31)), ("first", date(2020, 3, 15))]
    # Monday, Monday, Tuesday, Monday
    weekly = {"w": [date(2020, 1, 6), date(2020, 1, 13), date(2020, 1, 21), date(2020, 1, 27)]}
    assert off(weekly, "W") == [("w", date(2020, 1, 21))]
    quarterly = {"q": [date(2020, 1, 1), date(2020, 4, 1), date(2020, 8, 1), date(2020, 10, 1)]}
    assert off(quarterly, "Q") == [("q", date(2020, 8, 1))]
    annual = {"a": [date(2019, 7, 1), date(2020, 7, 1), date(2021, 6, 1), date(2022, 7, 1)]}
    assert off(annual, "A") == [("a", date(2021, 6, 1))]
    assert off({"d": [date(2020, 1, 1), date(2020, 1, 2)]}, "D") == []


def test_series_frequencies_are_each_series_own() -> None:
    months = [date(2020, m, 1) for m in range(1, 7)]
    quarters = [date(2020, m, 1) for m in (1, 4, 7, 10)]
    frame = pl.DataFrame({"series_id": ["m"] * 6 + ["q"] * 4 + ["one"], "ds": [*months, *quarters, months[0]]})
    assert series_frequencies(frame).rows() == [("m", "M"), ("q", "Q")]  # one date: no frequency


def test_first_missing_periods_name_each_series_first_hole() -> None:
    months = [date(2020, m, 1) for m in range(1, 7)]
    series = pl.DataFrame(
        {
            "series_id": ["a"] * 6 + ["b"] * 4 + ["c"] * 3,
            "ds": [*months, months[0], months[2], months[4], months[5], months[0], date(2020, 2, 15), months[2]],
            "y": [1.0] * 13,
        }
    )
    # a is complete; b lacks February and April; c's 15 February leaves 1 February without a row
    assert first_missing_periods(series, MONTHLY).rows() == [("b", date(2020, 2, 1)), ("c", date(2020, 2, 1))]
    annual = pl.DataFrame({"series_id": ["a", "a"], "ds": [date(2020, 1, 1), date(2022, 1, 1)], "y": [1.0, 2.0]})
    assert first_missing_periods(annual, FREQUENCIES["A"]).rows() == [("a", date(2021, 1, 1))]
    ends = [date(2020, 1, 31), date(2020, 2, 29), date(2020, 3, 31), date(2020, 4, 30)]  # month ends: no hole
    assert first_missing_periods(pl.DataFrame({"series_id": ["e"] * 4, "ds": ends, "y": [1.0] * 4}), MONTHLY).is_empty()


def test_baselines() -> None:
    panel = Panel(TINY, replace(MONTHLY, season=3))
    naive = Naive().fit(panel).predict(2)
    assert naive.filter(pl.col("series_id") == "a")["yhat"].to_list() == [5.0, 5.0]
    seasonal = SeasonalNaive().fit(panel).predict(4)
    assert seasonal.filter(pl.col("series_id") == "a")["yhat"].to_list() == [3.0, 4.0, 5.0, 3.0]
    assert WindowAverage().fit(panel).predict(1)["yhat"].to_list() == [4.0, 7.5]


def test_panel_until_drops_the_last_observations() -> None:
    kept = Panel(TINY, MONTHLY).until(2).series
    assert kept["y"].to_list() == [1.0, 2.0, 3.0]


def test_scales_and_scores_by_hand() -> None:
    train = pl.DataFrame({"series_id": ["a"] * 4 + ["f"] * 3, "ds": [date(2020, m, 1) for m in (1, 2, 3, 4, 1, 2, 3)],
                          "y": [1.0, 3.0, 2.0, 4.0, 0.0, 0.0, 0.0]})  # fmt: skip
    scales = insample_scales(train, season=1)
    assert scales.sort("series_id").rows() == [("a", 5 / 3, 9 / 3, 0.0), ("f", 1.0, 1.0, 0.0)]
    forecasts = pl.DataFrame({"model": ["m", "m"], "window": [0, 0], "series_id": ["a", "a"], "step": [1, 2],
                              "y": [4.0, 6.0], "yhat": [5.0, 6.0], "lo_80": [3.0, 6.5], "hi_80": [6.0, 7.0],
                              "lo_95": [0.0, 0.0], "hi_95": [9.0, 9.0]})  # fmt: skip
    row = window_scores(forecasts, scales.with_columns(window=pl.lit(0))).row(0, named=True)
    assert row["mase"] == pytest.approx(0.5 / (5 / 3))
    assert row["smape"] == pytest.approx((1 / 9 + 0) / 2)
    assert row["rmsse"] == pytest.approx((0.5 / 3) ** 0.5)
    assert (row["coverage_80"], row["coverage_95"]) == (0.5, 1.0)


def test_step_scores_by_hand() -> None:
    # two windows of one series (scales 2 and 4), two steps: step 1 misses by 2 and 4 (covered in window 0 only),
    # step 2 by 0 and 8 (covered in neither)
    forecasts = pl.DataFrame({"model": ["m"] * 4, "window": [0, 0, 1, 1], "series_id": ["a"] * 4, "step": [1, 2] * 2,
                              "y": [10.0, 10.0, 20.0, 20.0], "yhat": [12.0, 10.0, 16.0, 12.0],
                              "lo_80": [9.0, 9.0, 15.0, 10.0], "hi_80": [13.0, 9.5, 17.0, 14.0]})  # fmt: skip
    scales = pl.DataFrame(
        {"window": [0, 1], "series_id": ["a", "a"], "mae_scale": [2.0, 4.0], "mse_scale": [4.0, 16.0]}
    )
    steps = step_scores(forecasts, scales)
    assert steps.select("step", "mase", "coverage_80").rows() == [(1, (1 + 1) / 2, 0.5), (2, (0 + 2) / 2, 0.0)]
    assert steps["coverage_95"].is_null().all()  # no 95% intervals given
    # their mean over the steps is the MASE averaged over windows
    assert steps["mase"].mean() == pytest.approx(window_scores(forecasts, scales)["mase"].mean())


def test_conformal_intervals_are_scaled_and_non_negative_for_series_never_negative() -> None:
    residuals = pl.DataFrame({"model": ["m"] * 4, "step": [1] * 4, "y": [10.0, 10.0, 10.0, 10.0],
                              "yhat": [9.0, 8.0, 12.0, 14.0], "mae_scale": [1.0, 1.0, 2.0, 2.0]})  # fmt: skip
    quantiles = scaled_error_quantiles(residuals)
    assert quantiles.row(0) == ("m", 1, 2.0, 2.0)  # scaled errors 1, 2, 1, 2
    forecasts = pl.DataFrame({"model": ["m"] * 4, "series_id": ["s", "s", "g", "g"], "step": [1, 2, 1, 2],
                              "yhat": [1.0, 5.0, 1.0, 5.0]})  # fmt: skip
    scales = pl.DataFrame({"series_id": ["s", "g"], "mae_scale": [3.0, 3.0], "floor": [0.0, None]})
    bounded = with_intervals(forecasts, quantiles, scales)
    # step 2: the widest quantile; g has been negative, so its lower ends are not clipped
    assert bounded.select("lo_80", "hi_80").rows() == [(0.0, 7.0), (0.0, 11.0), (-5.0, 7.0), (-1.0, 11.0)]


def test_floors_are_zero_for_series_never_negative_and_raise_only_their_forecasts() -> None:
    history = pl.DataFrame({"series_id": ["count", "count", "rate", "rate"], "y": [0.0, 3.0, 2.0, -1.0]})
    floors = series_floors(history).sort("series_id")
    assert floors.rows() == [("count", 0.0), ("rate", None)]
    forecasts = pl.DataFrame({"series_id": ["rate", "count", "other", "count"], "yhat": [-2.0, -0.5, -3.0, None]})
    assert floored(forecasts, floors, ["yhat"])["yhat"].to_list() == [-2.0, 0.0, -3.0, None]
    scales = insample_scales(history.with_columns(ds=pl.lit(date(2020, 1, 1))), 1).sort("series_id")
    assert scales["floor"].to_list() == [0.0, None]


def test_series_with_negative_values_are_forecast_below_zero_by_every_model() -> None:
    """Growth rates or balances in a user's file: no model, backtest or interval clips them at 0 (counts beside
    them still are)."""
    generated = generated_panel(series=20, months=48)
    negated = generated.series.with_columns(pl.col("y") * pl.when(pl.col("series_id").is_in(["s0", "s1", "s2"]))
                                            .then(-1).otherwise(1))  # fmt: skip
    factories = {"naive": Naive, "lightgbm": lambda: GlobalLightGBM(rounds=30),
                 "auto_ets": statistical_factories()["auto_ets"]}  # fmt: skip
    forecasts = cross_validation(Panel(negated, MONTHLY), factories, h=3, windows=1).forecasts
    rates = forecasts.filter(pl.col("series_id").is_in(["s0", "s1", "s2"]))
    for model in [*factories, "selected"]:
        assert rates.filter(pl.col("model") == model)["yhat"].max() < 0, model  # type: ignore[operator]
    assert (rates["lo_95"] < rates["yhat"]).all() and (rates["hi_95"] > rates["yhat"]).all()
    counts = forecasts.filter(~pl.col("series_id").is_in(["s0", "s1", "s2"]))
    assert counts["yhat"].min() >= 0 and counts["lo_95"].min() == 0.0  # type: ignore[operator]
    months = [date(2018 + m // 12, m % 12 + 1, 1) for m in range(48)]
    assert series_forecast(months, [-30.0 + np.sin(m) for m in range(48)], [date(2022, 1, 1)], "M")[0] < -20


def _jump_panel(copies: int) -> Panel:
    """`copies` identical annual series of 9 values with a jump from 11 to 30."""
    y = [9.0, 10.0, 11.0, 30.0, 30.0, 31.0, 31.0, 31.0, 32.0]
    ids = [f"s{c}" for c in range(copies) for _ in y]
    return Panel(pl.DataFrame({"series_id": ids, "ds": [date(2010 + i, 1, 1) for i in range(9)] * copies,
                               "y": y * copies}), FREQUENCIES["A"])  # fmt: skip


def test_a_windows_intervals_come_from_the_window_just_before_it() -> None:
    # naive forecasts, h = 2: window 0 misses a jump by 19 (scale 1), window 1 misses by 1 (scale 21/4), window 2
    # by 0 and 1 (scale 22/6); with 20 series (20 errors per step), window 2's intervals come from window 1 alone,
    # the trained ones from window 2
    backtest = cross_validation(_jump_panel(MIN_ERRORS), {"naive": Naive}, h=2, windows=1)
    window = backtest.forecasts.filter((pl.col("model") == "naive") & (pl.col("series_id") == "s0")).sort("step")
    assert window["yhat"].to_list() == [31.0, 31.0]
    half = (1 / (21 / 4)) * (22 / 6)
    assert (window["hi_80"] - window["yhat"]).to_list() == pytest.approx([half, half])
    assert (window["yhat"] - window["lo_95"]).to_list() == pytest.approx([half, half])
    trained = backtest.quantiles.filter(pl.col("model") == "naive").sort("step")
    assert trained["q_80"].to_list() == pytest.approx([0.0, 1 / (22 / 6)])
    assert (backtest.scored_interval_errors, backtest.interval_errors) == (20, 20)


def test_a_few_series_intervals_reach_back_to_earlier_windows() -> None:
    # the same series alone: one error per step and window, so window 2's intervals come from windows 1 and 0 (the
    # jump's 19 among them) and the trained ones from all three; with so few errors q_80 is the largest of them
    backtest = cross_validation(_jump_panel(1), {"naive": Naive}, h=2, windows=1)
    window = backtest.forecasts.filter(pl.col("model") == "naive").sort("step")
    assert (window["hi_80"] - window["yhat"]).to_list() == pytest.approx([19 * 22 / 6] * 2)
    trained = backtest.quantiles.filter(pl.col("model") == "naive").sort("step")
    assert trained["q_80"].to_list() == pytest.approx([19.0, 19.0])
    assert (backtest.scored_interval_errors, backtest.interval_errors) == (2, 3)


def test_recent_residuals_reach_back_until_enough_errors_per_step() -> None:
    rows = [("a", w, f"s{i}", step) for w in range(4) for i in range(8) for step in (1, 2)]
    rows += [("b", w, f"s{i}", step) for w in range(4) for i in range(25) for step in (1, 2)]
    residuals = pl.DataFrame(rows, schema=["model", "window", "series_id", "step"], orient="row")
    used = recent_residuals(residuals, 4).group_by("model").agg(pl.col("window").unique().sort())
    assert dict(used.rows()) == {"a": [1, 2, 3], "b": [3]}  # a: 8 + 8 < 20 errors, so a third window
    assert dict(recent_residuals(residuals, 2).group_by("model").agg(pl.col("window").unique().sort()).rows()) == {
        "a": [0, 1], "b": [1]}  # fmt: skip
    assert errors_per_step(recent_residuals(residuals, 4)) == 24 and errors_per_step(residuals.clear()) == 0


def test_conformal_intervals_cover_their_level_on_simulated_random_walks() -> None:
    """1,000 Gaussian random walks of sizes 0.5 to 50 per step, 10 years monthly: the naive forecast's conformal
    intervals, calibrated on the window before, cover close to 80% and 95% of the next windows (12,000 points
    over 2 windows of 6). On 40 months they over-cover by about 3 points: each window's scale is then estimated
    from 16 to 34 values, and the shorter calibration windows' noisier scales widen the quantiles."""
    rng = np.random.default_rng(0)
    n, months = 1000, 120
    walks = 1000 + np.cumsum(rng.normal(0, 1, (n, months)) * rng.uniform(0.5, 50, n)[:, None], axis=1)
    ds = [date(2015 + m // 12, m % 12 + 1, 1) for m in range(months)]
    frame = pl.DataFrame({"series_id": np.repeat([f"s{i}" for i in range(n)], months), "ds": ds * n,
                          "y": walks.ravel()})  # fmt: skip
    summary = cross_validation(Panel(frame, MONTHLY), {"naive": Naive}, h=6, windows=2).summary
    coverage_80, coverage_95 = summary.filter(pl.col("model") == "naive").select("coverage_80", "coverage_95").row(0)
    assert abs(coverage_80 - 0.80) <= 0.03 and abs(coverage_95 - 0.95) <= 0.015, (coverage_80, coverage_95)


def test_selection_and_ensemble() -> None:
    scores = pl.DataFrame({"model": ["x", "y", "x", "y"], "window": [0] * 4, "series_id": ["s", "s", "t", "t"],
                           "mase": [0.5, 0.9, 1.2, 0.7]})  # fmt: skip
    choice = best_models(scores, ["x", "y"])
    assert choice.rows() == [("s", "x"), ("t", "y")]
    forecasts = pl.DataFrame({"model": ["x", "y", "x", "y", "x", "y"], "series_id": ["s", "s", "t", "t", "u", "u"],
                              "step": [1] * 6, "yhat": [1.0, 3.0, 5.0, 7.0, 9.0, 11.0]})  # fmt: skip
    # x wins series u's one window by a hair, but y is far better on every other series: shrinkage picks y
    pooled = pl.DataFrame({"model": ["x", "y"] * 4, "window": [0] * 8, "series_id": ["u", "u", "v", "v", "w", "w",
                           "z", "z"], "mase": [1.00, 1.01, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0]})  # fmt: skip
    assert best_models(pooled, ["x", "y"]).rows() == [("u", "y"), ("v", "y"), ("w", "y"), ("z", "y")]
    assert best_models(pooled, ["x", "y"], prior_windows=0).rows()[0] == ("u", "x")
    assert ensemble_forecasts(forecasts, ["x", "y"]).sort("series_id")["yhat"].to_list() == [2.0, 6.0, 10.0]
    third = pl.DataFrame(
        {"model": ["z"] * 3, "series_id": ["s", "t", "u"], "step": [1] * 3, "yhat": [100.0, 0.0, 10.0]}
    )
    median = ensemble_forecasts(pl.concat([forecasts, third]), ["x", "y", "z"]).sort("series_id")
    assert median["yhat"].to_list() == [3.0, 5.0, 10.0]  # one member far off is outvoted
    picked = selected_forecasts(forecasts, choice, fallback="y").sort("series_id")
    assert picked["yhat"].to_list() == [1.0, 7.0, 11.0] and set(picked["model"]) == {"selected"}


def test_overall_best_is_a_model_that_forecasts_every_series() -> None:
    scores = pl.DataFrame({"model": ["x", "y", "x", "p"], "window": [0] * 4, "series_id": ["s", "s", "t", "t"],
                           "mase": [0.9, 0.8, 1.0, 0.1]})  # fmt: skip
    assert overall_best(scores, ["p", "x", "y"]) == "x"  # p and y are scored on one series each


def test_prophet_continues_a_trend_on_the_largest_series_only() -> None:
    def truth(m: int) -> float:  # a trend and a yearly cycle, no noise
        return 100.0 + 2 * m + 20 * np.sin(2 * np.pi * m / 12)

    months = [date(2018 + m // 12, m % 12 + 1, 1) for m in range(48)]
    frame = pl.DataFrame(
        {"series_id": ["big"] * 48 + ["small"] * 48, "ds": months * 2, "y": [truth(m) for m in range(48)] + [1.0] * 48}
    )
    forecast = ProphetForecaster(workers=1, max_series=1).fit(Panel(frame, MONTHLY)).predict(3)
    assert forecast["series_id"].unique().to_list() == ["big"] and forecast["step"].to_list() == [1, 2, 3]
    assert forecast["ds"].to_list() == [date(2022, 1, 1), date(2022, 2, 1), date(2022, 3, 1)]
    assert np.allclose(forecast["yhat"], [truth(m) for m in (48, 49, 50)], rtol=0.03)


def test_prophet_fits_the_yearly_harmonics_its_frequency_resolves() -> None:
    # (periods per year - 1) // 2: monthly 5 (a 6th harmonic sampled monthly has no sine), quarterly 1, at most 10
    assert {f: yearly_order(f) for f in ("D", "W", "M", "Q")} == {"D": 10, "W": 10, "M": 5, "Q": 1}
    # 24 months of a yearly cycle with 5 harmonics (the fit that took 7 s with Prophet's 10): the next year again
    months = [date(2018 + m // 12, m % 12 + 1, 1) for m in range(36)]
    cycle = [50.0 + 10 * np.sin(2 * np.pi * m / 12) + 5 * np.cos(4 * np.pi * m / 12) for m in range(36)]
    assert np.allclose(series_forecast(months[:24], cycle[:24], months[24:], "M"), cycle[24:], rtol=0.05)


def generated_panel(series: int = 40, months: int = 60, seed: int = 0) -> Panel:
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(series):
        level = rng.uniform(5, 500)
        for m in range(months):
            seasonal = 1 + 0.3 * np.sin(2 * np.pi * m / 12)
            rows.append((f"s{s}", date(2018 + m // 12, m % 12 + 1, 1),
                         max(0.0, level * seasonal * (1 + 0.01 * m) + rng.normal(0, level * 0.1))))  # fmt: skip
    frame = pl.DataFrame(rows, schema=["series_id", "ds", "y"], orient="row")
    attributes = pl.DataFrame(
        {"series_id": [f"s{s}" for s in range(series)], "region": [f"r{s % 4}" for s in range(series)]}
    )
    return Panel(frame, MONTHLY, attributes)


def test_lightgbm_is_global_non_negative_and_round_trips(tmp_path: Path) -> None:
    panel = generated_panel()
    model = GlobalLightGBM(rounds=50).fit(panel)
    forecast = model.predict(6)
    assert forecast.height == 40 * 6 and forecast["yhat"].min() >= 0  # type: ignore[operator]
    again = load(save(model, tmp_path / "m.pkl")).predict(6)
    assert again.equals(forecast)


def test_lightgbm_continues_a_repeated_season_in_each_series_own_units() -> None:
    """A known answer: series of sizes 3 to 12,000 repeating one yearly pattern are the same series once scaled, so
    the one global model forecasts each the pattern, times its own size."""
    pattern = [1.0, 1.2, 1.5, 1.1, 0.9, 0.7, 0.6, 0.8, 1.0, 1.3, 1.4, 0.5]
    sizes = {"s0": 3.0, "s1": 40.0, "s2": 700.0, "s3": 12_000.0}
    months = [date(2018 + m // 12, m % 12 + 1, 1) for m in range(60)]
    frame = pl.DataFrame({"series_id": [s for s in sizes for _ in months], "ds": months * len(sizes),
                          "y": [size * pattern[m % 12] for size in sizes.values() for m in range(60)]})  # fmt: skip
    forecast = GlobalLightGBM().fit(Panel(frame, MONTHLY)).predict(12).sort("series_id", "step")
    for series_id, size in sizes.items():
        got = forecast.filter(pl.col("series_id") == series_id)["yhat"].to_numpy() / size
        assert np.allclose(got, pattern, atol=0.01), (series_id, got)


def test_lightgbm_says_what_it_learnt_from() -> None:
    with pytest.raises(RuntimeError, match="not been fitted"):
        GlobalLightGBM().feature_importance()
    model = GlobalLightGBM(rounds=30).fit(generated_panel())
    importance = model.feature_importance()
    assert sorted(importance["feature"]) == sorted(model.features) and "region" in model.features
    assert importance["gain"].to_list() == sorted(importance["gain"], reverse=True) and importance["gain"][0] > 0
    assert importance["splits"].sum() > 0


def test_lightgbm_keeps_a_series_of_tiny_values_in_its_own_units() -> None:
    """A series whose last season is all 0 (a district's share of a rare skill group: 1e-4 vacancies, then none)
    is scaled by its whole history, not by 1: its forecasts stay of its own size."""
    panel = generated_panel()
    tiny = pl.DataFrame(
        {
            "series_id": ["tiny"] * 60,
            "ds": panel.series.filter(pl.col("series_id") == "s0")["ds"],
            "y": [1e-4 if m % 3 == 0 and m < 40 else 0.0 for m in range(60)],
        }
    )
    attributes = pl.concat([panel.attributes, pl.DataFrame({"series_id": ["tiny"], "region": ["r0"]})])
    both = Panel(pl.concat([panel.series, tiny]), MONTHLY, attributes)
    forecast = GlobalLightGBM(rounds=50).fit(both).predict(6).filter(pl.col("series_id") == "tiny")
    assert forecast.height == 6 and forecast["yhat"].max() < 1e-3  # type: ignore[operator]


def test_backtest_windows_intervals_and_selection() -> None:
    panel = generated_panel()
    backtest = cross_validation(
        panel, {"seasonal_naive": SeasonalNaive, "naive": Naive, "lightgbm": lambda: GlobalLightGBM(rounds=60)},
        h=6, windows=2, ensemble=["seasonal_naive", "lightgbm"],
    )  # fmt: skip
    summary = {row["model"]: row for row in backtest.summary.iter_rows(named=True)}
    assert set(summary) == {"seasonal_naive", "naive", "lightgbm", "ensemble", "selected"}
    assert backtest.forecasts["window"].unique().sort().to_list() == [2, 3]  # windows 0 and 1 only calibrate
    assert all(row["series"] == 40 for row in summary.values())
    # seasonal data: the seasonal models beat the naive one, and the selection is never the worst
    assert summary["seasonal_naive"]["mase"] < summary["naive"]["mase"]
    assert summary["selected"]["mase"] < max(row["mase"] for row in summary.values())
    assert 0.6 <= summary["selected"]["coverage_80"] <= 1.0
    last = backtest.forecasts.filter(pl.col("window") == 3, pl.col("model") == "naive", pl.col("step") == 6)
    assert last["ds"].unique().to_list() == [date(2022, 12, 1)]  # the final window ends at the last month


def test_backtest_says_when_series_are_too_short() -> None:
    with pytest.raises(ValueError, match="no series is long enough"):
        cross_validation(Panel(TINY, MONTHLY), {"naive": Naive}, h=2, windows=2)


@pytest.mark.parametrize("name", ["auto_ets", "ets_damped", "auto_theta", "auto_arima", "auto_ces"])
def test_statistical_models_fit_long_series_and_give_short_ones_their_last_value(name: str) -> None:
    from models.statistical import STATISTICAL_MODELS
    from pipelines.backtest import MODELS

    short = STATISTICAL_MODELS[name][2] - 1
    years = [date(2010 + i, 1, 1) for i in range(12)]
    frame = pl.DataFrame({"series_id": ["long"] * 12 + ["short"] * short, "ds": years + years[:short],
                          "y": [float(i) for i in range(12)] + [5.0] * (short - 1) + [8.0]})  # fmt: skip
    forecast = MODELS[name]().fit(Panel(frame, FREQUENCIES["A"])).predict(2)
    assert forecast.filter(pl.col("series_id") == "short")["yhat"].to_list() == [8.0, 8.0]
    trend = forecast.filter(pl.col("series_id") == "long")["yhat"].to_list()
    assert trend[0] > 11.0 and trend[1] > trend[0]  # a linear trend is continued


@pytest.mark.parametrize("residuals", [False, True])
def test_statistical_forecasts_spread_over_processes_are_those_of_one_process(residuals: bool) -> None:
    """When the first series' fits say the rest would take long, the rest are shared among spawned workers in
    chunks: the same forecasts (and residual variances), series for series, as in one process, the short series'
    last values included."""
    from statsforecast.models import AutoETS

    from models.statistical import positional_forecasts

    rng = np.random.default_rng(4)
    lengths = rng.integers(3, 20, 300)  # some shorter than the 7 points ETS needs; 100 are fitted first, alone
    frame = pl.DataFrame({"series_id": [f"s{k:02d}" for k, n in enumerate(lengths) for _ in range(n)],
                          "y": rng.gamma(2.0, 50.0, int(lengths.sum()))})  # fmt: skip
    model = AutoETS(season_length=1, alias="yhat")
    alone = positional_forecasts(frame, model, 3, 7, residuals, workers=1)
    shared = positional_forecasts(frame, model, 3, 7, residuals, workers=2, parallel_after_s=0)
    assert alone.height == 300 * 3 and alone.sort("series_id", "step").equals(shared.sort("series_id", "step"))


def test_ets_on_series_of_seven_points_warns_of_nothing() -> None:
    """statsforecast's ETS divides its own residual variance by zero for a candidate with as many parameters as 7
    points allow (a RuntimeWarning per series, in `moocast retrain`'s log); that variance is never used here."""
    from pipelines.backtest import MODELS

    years = [date(2010 + i, 1, 1) for i in range(7)]
    values = np.random.default_rng(1).uniform(1, 100, 20 * 7).tolist()
    frame = pl.DataFrame({"series_id": [f"s{k}" for k in range(20) for _ in years], "ds": years * 20, "y": values})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forecast = MODELS["auto_ets"]().fit(Panel(frame, FREQUENCIES["A"])).predict(2)
    assert forecast.height == 40 and forecast["yhat"].is_finite().all()


def test_ets_without_a_trend_forecasts_a_level() -> None:
    from pipelines.backtest import MODELS

    years = [date(2010 + i, 1, 1) for i in range(12)]
    frame = pl.DataFrame({"series_id": ["s"] * 12, "ds": years, "y": [float(i) for i in range(12)]})
    forecast = MODELS["ets_ses"]().fit(Panel(frame, FREQUENCIES["A"])).predict(3)["yhat"].to_list()
    assert forecast[0] == pytest.approx(forecast[2]) and 9.5 < forecast[0] <= 11.0  # near the last value, flat


def test_a_statistical_forecaster_pickled_before_its_options_still_forecasts() -> None:
    """Bundles registered before 2026-12-06 pickled AutoETS without `options` and `min_observations` (main's BA
    champion then failed in `moocast forecast`); unpickled, it forecasts as the plain AutoETS with the minimum of 7."""
    from pipelines.backtest import MODELS

    years = [date(2010 + i, 1, 1) for i in range(12)]
    frame = pl.DataFrame({"series_id": ["long"] * 12 + ["short"] * 6, "ds": years + years[:6],
                          "y": [float(i) for i in range(12)] + [5.0] * 6})  # fmt: skip
    fitted = MODELS["auto_ets"]().fit(Panel(frame, FREQUENCIES["A"]))
    old = copy.copy(fitted)
    del old.options, old.min_observations
    restored = pickle.loads(pickle.dumps(old))
    assert restored.predict(2).equals(fitted.predict(2))


def test_a_bundle_serves_negative_series_below_zero_and_old_pickles_clip_as_they_did() -> None:
    """Bundles and LightGBMs pickled before 2026-12-07 (main's registered versions) clipped every series at 0:
    unpickled, they still do, while a new bundle serves a series with negative values as forecast."""
    from models.bundle import trained_bundle

    generated = generated_panel(series=12, months=48)
    panel = Panel(generated.series.with_columns(pl.when(pl.col("series_id") == "s0").then(-pl.col("y"))
                                                .otherwise("y").alias("y")), MONTHLY)  # fmt: skip
    factories = {"naive": Naive, "lightgbm": lambda: GlobalLightGBM(rounds=20)}
    backtest = cross_validation(panel, factories, h=3, windows=1)
    bundle = trained_bundle(panel, factories, [], backtest, {})
    served = bundle.predict(3)
    assert served.filter(pl.col("series_id") == "s0")["hi_95"].max() < 0  # type: ignore[operator]
    assert served.filter(pl.col("series_id") != "s0")["lo_95"].min() >= 0  # type: ignore[operator]
    old = copy.copy(bundle)
    old.scales = bundle.scales.drop("floor")
    old.models = {name: copy.copy(model) for name, model in bundle.models.items()}
    del old.models["lightgbm"].floors  # type: ignore[attr-defined]
    restored = pickle.loads(pickle.dumps(old))
    assert restored.models["lightgbm"].floors["floor"].unique().to_list() == [0.0]
    again = restored.predict(3)
    assert again.filter(pl.col("series_id") == "s0")[["yhat", "lo_95"]].max_horizontal().to_list() == [0.0] * 3
    assert again.filter(pl.col("series_id") != "s0").equals(served.filter(pl.col("series_id") != "s0"))


def test_the_ensemble_alone_is_served_when_there_is_one() -> None:
    assert selection_candidates(["naive", "ensemble", "auto_ets"]) == ["ensemble"]
    assert selection_candidates(["naive", "auto_ets"]) == ["auto_ets", "naive"]
