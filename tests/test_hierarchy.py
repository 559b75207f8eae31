"""Panel hierarchies (features/hierarchy.py) and the reconciliation chosen by backtest (models/coherent.py)."""

from datetime import date

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from features.hierarchy import BA_ROLLUPS, hierarchy_links, rolled_up_demand, split_links
from features.panel import ATTRIBUTES, long_series, with_attributes
from models.backtest import cross_validation
from models.base import Panel
from models.baselines import SeasonalNaive
from models.coherent import (
    BASE,
    chosen_reconciliation,
    coherent_forecasts,
    reconciliation_scores,
    reconciliation_summary,
)
from models.frequency import FREQUENCIES
from models.lightgbm_model import GlobalLightGBM
from models.reconciliation import (
    METHODS,
    coherence_error,
    complete_links,
    date_aligned_links,
    observed_after_parents,
)

from .test_reconciliation import _hierarchy

BA = dict(freq="A", sector_scheme="none", source="ba", unit="vacancies", region_level="district",
          hierarchy_level="skill_group", route="r")  # fmt: skip


def _ba_bottom() -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "region": ["01001", "01002", "02000", "01001"],
            "skill_group": ["g1", "g1", "g1", "g2"],
            "ds": [date(2024, 1, 1)] * 4,
            "y": [1.0, 2.0, 4.0, 8.0],
        }
    )
    return with_attributes(frame, **BA)


def test_ba_rollups_sum_districts_into_states_germany_and_all_groups() -> None:
    parents = rolled_up_demand(_ba_bottom(), BA_ROLLUPS)
    series, _ = long_series(parents)
    assert dict(series.select("series_id", "y").iter_rows()) == {
        "ba|01|ALL|ALL|g1": 3.0, "ba|02|ALL|ALL|g1": 4.0, "ba|01|ALL|ALL|g2": 8.0,
        "ba|DE|ALL|ALL|g1": 7.0, "ba|DE|ALL|ALL|g2": 8.0,
        "ba|01001|ALL|ALL|ALL": 9.0, "ba|01002|ALL|ALL|ALL": 2.0, "ba|02000|ALL|ALL|ALL": 4.0,
        "ba|01|ALL|ALL|ALL": 11.0, "ba|02|ALL|ALL|ALL": 4.0, "ba|DE|ALL|ALL|ALL": 15.0,
    }  # fmt: skip
    assert parents.filter(pl.col("region") == "01")["region_level"].unique().to_list() == ["state"]
    assert set(parents.columns) == {*ATTRIBUTES, "ds", "y"}


def test_split_links_weigh_each_skill_by_its_share_of_each_group() -> None:
    frame = pl.DataFrame({"region": ["DE", "DE"], "skill": ["s1", "s2"], "skill_group": ["g1", "g2"],
                          "ds": [date(2024, 1, 1)] * 2, "y": [1.0, 2.0]})  # fmt: skip
    skills = with_attributes(frame, **(BA | {"region_level": "country", "hierarchy_level": "skill"}))
    shares = pl.DataFrame({"skill": ["s1", "s2", "s2"], "skill_group": ["g1", "g1", "g2"], "share": [1.0, 0.25, 0.75]})
    links = split_links(skills, shares, "split")
    assert set(links["hierarchy"]) == {"split"}
    assert links.drop("hierarchy").rows() == [
        ("ba|DE|ALL|ALL|ALL", "ba|DE|ALL|ALL|s1", 1.0), ("ba|DE|ALL|ALL|ALL", "ba|DE|ALL|ALL|s2", 1.0),
        ("ba|DE|ALL|ALL|g1", "ba|DE|ALL|ALL|s1", 1.0), ("ba|DE|ALL|ALL|g1", "ba|DE|ALL|ALL|s2", 0.25),
        ("ba|DE|ALL|ALL|g2", "ba|DE|ALL|ALL|s2", 0.75),
    ]  # fmt: skip


def test_hierarchy_links_join_each_parent_to_its_bottom_series() -> None:
    links = hierarchy_links(_ba_bottom(), BA_ROLLUPS, "ba")
    children = links.group_by("parent").agg(pl.col("child").sort()).sort("parent")
    assert dict(children.iter_rows()) == {
        "ba|01001|ALL|ALL|ALL": ["ba|01001|ALL|ALL|g1", "ba|01001|ALL|ALL|g2"],
        "ba|01002|ALL|ALL|ALL": ["ba|01002|ALL|ALL|g1"],
        "ba|01|ALL|ALL|ALL": ["ba|01001|ALL|ALL|g1", "ba|01001|ALL|ALL|g2", "ba|01002|ALL|ALL|g1"],
        "ba|01|ALL|ALL|g1": ["ba|01001|ALL|ALL|g1", "ba|01002|ALL|ALL|g1"],
        "ba|01|ALL|ALL|g2": ["ba|01001|ALL|ALL|g2"],
        "ba|02000|ALL|ALL|ALL": ["ba|02000|ALL|ALL|g1"],
        "ba|02|ALL|ALL|ALL": ["ba|02000|ALL|ALL|g1"],
        "ba|02|ALL|ALL|g1": ["ba|02000|ALL|ALL|g1"],
        "ba|DE|ALL|ALL|ALL": ["ba|01001|ALL|ALL|g1", "ba|01001|ALL|ALL|g2", "ba|01002|ALL|ALL|g1",
                              "ba|02000|ALL|ALL|g1"],
        "ba|DE|ALL|ALL|g1": ["ba|01001|ALL|ALL|g1", "ba|01002|ALL|ALL|g1", "ba|02000|ALL|ALL|g1"],
        "ba|DE|ALL|ALL|g2": ["ba|01001|ALL|ALL|g2"],
    }  # fmt: skip
    assert links["hierarchy"].unique().to_list() == ["ba"]


def test_complete_links_drop_parents_missing_a_child() -> None:
    links = pl.DataFrame({"parent": ["T", "T", "U"], "child": ["a", "b", "a"]})
    assert_frame_equal(complete_links(links, pl.Series(["T", "U", "a"])), links.filter(pl.col("parent") == "U"))


def test_chosen_reconciliation_takes_the_lowest_mean_and_bottom_up_on_ties() -> None:
    scores = pl.DataFrame(
        {"method": ["bottom_up", "mint_ols", "mint_wls_struct", BASE] * 2, "window": [0] * 4 + [1] * 4,
         "mase": [1.0, 0.8, 1.0, 0.5, 1.0, 1.4, 1.0, 0.5], "nodes": [3] * 8}
    )  # fmt: skip
    assert chosen_reconciliation(scores) == "bottom_up"  # mint_ols loses window 1; base is never chosen
    assert chosen_reconciliation(scores.filter(pl.col("window") == 0)) == "mint_ols"
    consistent = scores.with_columns(
        mase=pl.when(pl.col("method") == "mint_wls_struct").then(pl.col("mase") * 0.95).otherwise(pl.col("mase"))
    )
    assert chosen_reconciliation(consistent) == "mint_wls_struct"  # beats bottom-up in both windows, by 5%
    summary = reconciliation_summary(scores)
    # window 0 is chosen with nothing before it (bottom_up: 1.0); window 1 on window 0 (mint_ols: 1.4)
    assert summary["chosen_on_earlier_windows_mase"] == pytest.approx(1.2)
    assert summary["mase"] == {BASE: 0.5, "bottom_up": 1.0, "mint_ols": pytest.approx(1.1), "mint_wls_struct": 1.0}


def test_reconciling_by_backtest_is_not_worse_than_bottom_up_on_later_windows() -> None:
    """The global LightGBM on a generated district/state/country hierarchy: every method is scored per window;
    choosing the method on earlier windows only does not lose to bottom-up on the windows it is scored on."""
    series, links = _hierarchy()
    factories = {"seasonal_naive": lambda: SeasonalNaive(), "lightgbm": lambda: GlobalLightGBM(rounds=40)}
    backtest = cross_validation(Panel(series, FREQUENCIES["M"]), factories, h=6, windows=4)  # type: ignore[arg-type]
    scores = reconciliation_scores(backtest.forecasts, links, backtest.scales)
    assert set(scores["method"]) == {BASE, *METHODS} and scores["nodes"].unique().to_list() == [9]
    summary = reconciliation_summary(scores)
    bottom_up = summary["mase"]["bottom_up"]  # type: ignore[index]
    assert summary["chosen_on_earlier_windows_mase"] <= bottom_up * (1 + 1e-9)  # type: ignore[operator]


def test_a_parent_whose_data_ends_on_another_date_is_left_as_forecast() -> None:
    """The ONS total ends a month before its sectors: step 1 is June for it and July for them, so adding up the
    sectors' step 1 would give it July's vacancies for June. Such a parent is left out of the reconciliation, in
    the served forecasts and in the backtest's scoring; aligned parents still add up."""
    links = pl.DataFrame({"parent": ["T", "T", "U", "U"], "child": ["a", "b", "c", "d"]})
    june, july = date(2023, 6, 1), date(2023, 7, 1)
    forecasts = pl.DataFrame(
        {"series_id": ["T", "a", "b", "U", "c", "d"], "step": [1] * 6, "ds": [june, july, july, july, july, july],
         "yhat": [10.0, 2.0, 3.0, 10.0, 2.0, 3.0]}
    )  # fmt: skip
    assert date_aligned_links(links, forecasts)["parent"].unique().to_list() == ["U"]
    served = coherent_forecasts(forecasts, links, "bottom_up")
    assert dict(served.select("series_id", "yhat").iter_rows()) == {"T": 10.0, "a": 2.0, "b": 3.0, "U": 5.0, "c": 2.0,
                                                                    "d": 3.0}  # fmt: skip
    windows = forecasts.with_columns(model=pl.lit("selected"), window=pl.lit(2), y=pl.col("yhat"))
    scales = windows.select("series_id", "window", mae_scale=pl.lit(1.0), mse_scale=pl.lit(1.0))
    assert reconciliation_scores(windows, links, scales)["nodes"].unique().to_list() == [3]  # U, c, d


def test_bottom_up_adds_up_a_lagging_parent_by_date_from_its_childrens_observed_and_forecast_months() -> None:
    """With the children's history, the total's June is the sum of its sectors' observed June and its July the sum
    of their July forecasts; never a child's value from after its own data; other methods leave it as forecast."""
    links = pl.DataFrame({"parent": ["T", "T"], "child": ["a", "b"]})
    june, july, aug = date(2023, 6, 1), date(2023, 7, 1), date(2023, 8, 1)
    forecasts = pl.DataFrame(
        {"series_id": ["T", "T", "a", "a", "b", "b"], "step": [1, 2] * 3, "ds": [june, july, july, aug, july, aug],
         "yhat": [10.0, 11.0, 2.0, 3.0, 4.0, 5.0], "lo_80": [9.0, 9.0, 1.0, 2.0, 3.0, 4.0]}
    )  # fmt: skip
    history = pl.DataFrame({"series_id": ["T", "a", "b", "a", "b"], "ds": [date(2023, 5, 1), june, june, july, july],
                            "y": [9.0, 1.0, 1.5, 99.0, 99.0]})  # fmt: skip
    observed = observed_after_parents(history, links)
    assert observed.rows() == [("a", june, 1.0), ("a", july, 99.0), ("b", june, 1.5), ("b", july, 99.0)]
    served = coherent_forecasts(forecasts, links, "bottom_up", observed)
    total = served.filter(pl.col("series_id") == "T")
    assert total.select("ds", "yhat", "lo_80").rows() == [(june, 2.5, 1.5), (july, 6.0, 4.0)]
    assert served.filter(pl.col("series_id") != "T").equals(forecasts.filter(pl.col("series_id") != "T"))
    assert coherent_forecasts(forecasts, links, "mint_ols", observed).equals(forecasts)
    # a child without its June observation: the total cannot be added up, and stays as forecast
    assert coherent_forecasts(forecasts, links, "bottom_up", observed.filter(pl.col("ds") != june)).equals(forecasts)
    # nor when a child's July forecast is missing: its July value, from after its own data's end, is never used
    missing = forecasts.with_columns(yhat=pl.when((pl.col("series_id") == "b") & (pl.col("ds") == july))
                                     .then(None).otherwise("yhat"))  # fmt: skip
    assert coherent_forecasts(missing, links, "bottom_up", observed).equals(missing)
    windows = forecasts.with_columns(model=pl.lit("selected"), window=pl.lit(2), y=pl.lit(6.0))
    scales = windows.select("series_id", "window", mae_scale=pl.lit(1.0), mse_scale=pl.lit(1.0))
    scores = reconciliation_scores(windows, links, scales, history).filter(pl.col("method") != "base")
    assert dict(scores.select("method", "nodes").iter_rows()) == dict.fromkeys(METHODS, 3)
    mase = dict(scores.select("method", "mase").iter_rows())
    # T: |6 - 2.5|, |6 - 6|; a: |6 - 2|, |6 - 3|; b: |6 - 4|, |6 - 5| (as forecast, T's would be 4 and 5)
    assert mase["bottom_up"] == pytest.approx(((3.5 + 0) / 2 + (4 + 3) / 2 + (2 + 1) / 2) / 3)


def test_coherent_forecasts_move_intervals_with_points() -> None:
    links = pl.DataFrame({"parent": ["T", "T"], "child": ["a", "b"]})
    forecasts = pl.DataFrame(
        {"series_id": ["T", "a", "b", "x"], "step": [1] * 4, "ds": [date(2024, 1, 1)] * 4,
         "yhat": [10.0, 2.0, 3.0, 7.0], "lo_80": [8.0, 1.0, 2.5, 6.0], "hi_80": [12.0, 4.0, 3.5, 8.0],
         "lo_95": [6.0, 0.0, 2.0, 5.0], "hi_95": [14.0, 5.0, 4.0, 9.0], "model": ["m"] * 4}
    )  # fmt: skip
    served = coherent_forecasts(forecasts, links, "bottom_up")
    assert coherence_error(served, links) < 1e-9 and served.columns == forecasts.columns
    total = served.filter(pl.col("series_id") == "T").row(0, named=True)
    assert (total["yhat"], total["lo_80"], total["hi_80"], total["lo_95"], total["hi_95"]) == (5.0, 3.0, 7.0, 1.0, 9.0)
    assert served.filter(pl.col("series_id") == "x").row(0) == forecasts.filter(pl.col("series_id") == "x").row(0)
    mint = coherent_forecasts(forecasts, links, "mint_ols")
    assert coherence_error(mint, links) < 1e-9
    assert ((mint["lo_95"] >= 0) & (mint["lo_80"] <= mint["yhat"]) & (mint["yhat"] <= mint["hi_80"])).all()
    assert np.isclose(mint.filter(pl.col("series_id") == "x")["yhat"].item(), 7.0)
