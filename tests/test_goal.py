"""Issue 4's accuracy goal scored on literal summaries, by hand."""

import polars as pl
import pytest

from models.goal import goal_scores
from models.metrics import model_summary


def _summary(selected: float, ets: float, snaive: float, coverage: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "model": ["selected", "auto_ets", "seasonal_naive", "naive"],
            "mase": [selected, ets, snaive, 5.0],
            "coverage_80": [coverage, 0.5, 0.5, 0.5],
            "series": [7, 7, 7, 7],
        }
    )


def test_every_part_met_up_to_the_edges() -> None:
    goal = goal_scores(_summary(0.95, 1.0, 1.1875, 0.87))
    assert goal is not None and goal["series"] == 7
    assert goal["vs_auto_ets"] == {"ratio": pytest.approx(0.95), "goal": 0.95, "met": True}
    assert goal["vs_seasonal_naive"] == {"ratio": pytest.approx(0.8), "goal": 0.8, "met": True}
    assert goal["coverage_80"]["met"] and goal["coverage_80"]["goal"] == pytest.approx([0.73, 0.87])
    assert goal_scores(_summary(0.95, 1.0, 1.1875, 0.73))["coverage_80"]["met"]  # type: ignore[index]


def test_every_part_missed() -> None:
    goal = goal_scores(_summary(2.0, 2.0, 2.4, 0.95))
    assert goal is not None
    assert (goal["vs_auto_ets"]["ratio"], goal["vs_auto_ets"]["met"]) == (1.0, False)
    assert (goal["vs_seasonal_naive"]["ratio"], goal["vs_seasonal_naive"]["met"]) == (pytest.approx(2 / 2.4), False)
    assert (goal["coverage_80"]["coverage"], goal["coverage_80"]["met"]) == (0.95, False)
    assert not goal_scores(_summary(1.0, 1.0, 1.0, 0.72))["coverage_80"]["met"]  # type: ignore[index]


def test_a_reference_that_forecast_exactly_has_no_ratio() -> None:
    """Seasonal naive on series that repeat every season has a MASE of 0: no ratio (it divided by zero, and `moocast
    backtest` failed), met only by an exact selected forecast."""
    goal = goal_scores(_summary(0.2, 0.25, 0.0, 0.8))
    assert goal is not None and goal["vs_seasonal_naive"] == {"ratio": None, "goal": 0.8, "met": False}
    assert goal["vs_auto_ets"] == {"ratio": pytest.approx(0.8), "goal": 0.95, "met": True}
    exact = goal_scores(_summary(0.0, 0.0, 0.0, 0.8))
    assert exact is not None and exact["vs_auto_ets"]["met"] and exact["vs_seasonal_naive"]["met"]


def test_no_goal_without_its_references() -> None:
    assert goal_scores(_summary(1.0, 1.0, 1.0, 0.8).filter(pl.col("model") != "auto_ets")) is None


def test_the_goal_summary_averages_over_series_and_windows_of_a_subset() -> None:
    scores = pl.DataFrame(
        {
            "model": ["selected"] * 4 + ["auto_ets"] * 4,
            "window": [0, 1, 0, 1] * 2,
            "series_id": ["a", "a", "b", "b"] * 2,
            "mase": [1.0, 3.0, 10.0, 20.0, 2.0, 2.0, 4.0, 4.0],
            "coverage_80": [1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        }
    ).with_columns(smape=pl.lit(0.1), rmsse=pl.lit(1.0), coverage_95=pl.lit(1.0))
    columns = ["model", "mase", "coverage_80", "series"]
    every = model_summary(scores).select(columns).sort("model")
    assert every.rows() == [("auto_ets", 3.0, 1.0, 2), ("selected", 8.5, 0.75, 2)]
    only_a = model_summary(scores.filter(pl.col("series_id") == "a")).select(columns).sort("model")
    assert only_a.rows() == [("auto_ets", 2.0, 1.0, 1), ("selected", 2.0, 0.5, 1)]
