"""The direct LightGBM: corrections to the naive forecast, learnt for every step ahead at once."""

import copy
import pickle
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from models.base import Panel, load, save
from models.frequency import FREQUENCIES
from models.lightgbm_direct import DirectLightGBM, origin_features, recency_weights

MONTHLY = FREQUENCIES["M"]
MONTHS = [date(2018 + m // 12, m % 12 + 1, 1) for m in range(48)]


def _panel(values: dict[str, list[float]]) -> Panel:
    frame = pl.DataFrame(
        {
            "series_id": [s for s, ys in values.items() for _ in ys],
            "ds": [d for ys in values.values() for d in MONTHS[: len(ys)]],
            "y": [y for ys in values.values() for y in ys],
        }
    )
    return Panel(frame, MONTHLY)


def test_origin_features_are_changes_from_the_last_value_in_mase_units() -> None:
    series = pl.DataFrame({"series_id": ["a"] * 4, "ds": MONTHS[:4], "y": [1.0, 3.0, 2.0, 6.0]})
    scales = pl.DataFrame({"series_id": ["a"], "scale": [2.0]})
    last = origin_features(series, scales, FREQUENCIES["A"]).row(3, named=True)  # annual: lags 1, 2, 3; rolls 2, 3
    assert (last["lag_1"], last["lag_2"], last["lag_3"]) == (-2.0, -1.5, -2.5)
    assert (last["roll_2"], last["roll_3"], last["level"]) == (-1.0, (11 / 3 - 6) / 2, 3.0)


def test_recency_weights_halve_every_half_life() -> None:
    back = pl.Series([2, 14, 26])  # origins 1, 13 and 25 months before the last observation
    expected = [0.5 ** (1 / 12), 0.5 ** (13 / 12), 0.5 ** (25 / 12)]
    assert recency_weights(back, 1.0, MONTHLY).tolist() == pytest.approx(expected, rel=1e-12)
    assert recency_weights(pl.Series([1, 3]), 2.0, FREQUENCIES["A"]).tolist() == [1.0, 0.5]
    assert recency_weights(back, None, MONTHLY) is None


def test_flat_series_get_their_last_value() -> None:
    panel = _panel({f"s{s}": [float(s + 1)] * 36 for s in range(10)})
    forecast = DirectLightGBM(rounds=20).fit(panel).predict(3)
    assert forecast.filter(pl.col("series_id") == "s4")["yhat"].to_list() == [5.0, 5.0, 5.0]


def test_linear_trends_are_continued_step_by_step() -> None:
    panel = _panel({f"s{s}": [100.0 + (s + 1) * t for t in range(48)] for s in range(8)})
    forecast = DirectLightGBM().fit(panel).predict(12)
    s3 = forecast.filter(pl.col("series_id") == "s3")  # slope 4, last value 100 + 4 x 47
    expected = [100.0 + 4 * (47 + k) for k in range(1, 13)]  # the naive forecast would be 4k off
    assert all(abs(got - want) < 1.0 for got, want in zip(s3["yhat"].to_list(), expected, strict=True))


def test_forecasts_are_non_negative_and_round_trip(tmp_path: Path) -> None:
    panel = _panel({f"s{s}": [max(0.0, 50.0 - (s + 2) * t) for t in range(30)] for s in range(6)})
    model = DirectLightGBM(rounds=30).fit(panel)
    forecast = model.predict(14)  # beyond the 12 steps trained: the last step's model
    assert forecast.height == 6 * 14 and forecast["yhat"].min() >= 0  # type: ignore[operator]
    assert load(save(model, tmp_path / "m.pkl")).predict(14).equals(forecast)


def test_a_series_with_negative_values_is_not_clipped_but_old_pickles_clip_it() -> None:
    panel = _panel({"rate": [-10.0 - 0.5 * t for t in range(30)], "count": [50.0 - t for t in range(30)]})
    model = DirectLightGBM(rounds=30).fit(panel)
    forecast = model.predict(3)
    assert forecast.filter(pl.col("series_id") == "rate")["yhat"].max() < -20  # type: ignore[operator]
    old = copy.copy(model)
    del old.floors  # as pickled before 2026-12-07
    restored = pickle.loads(pickle.dumps(old)).predict(3)
    assert restored.filter(pl.col("series_id") == "rate")["yhat"].to_list() == [0.0, 0.0, 0.0]
    assert restored.filter(pl.col("series_id") == "count").equals(forecast.filter(pl.col("series_id") == "count"))
