"""The panel's pure transforms on tiny literal frames: skill groups, occupation mixes, official demand, postings
counts, reconciliation, the long series format."""

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from features.official_demand import class_mix, distributed_demand, isco_occupation_weights, unmapped_classes
from features.panel import (
    exact_sum,
    long_series,
    monthly_means,
    posting_counts,
    posting_group_mix,
    reconciled_demand,
    with_attributes,
)
from features.skill_groups import occupation_group_shares, occupation_skill_shares, skill_group_shares

GROUPS = pl.DataFrame({"uri": ["S", "S1", "S2", "S1.1"], "level": [0, 1, 1, 2]})


def test_skill_group_shares_climb_and_split() -> None:
    broader = pl.DataFrame(
        {
            "uri": ["a", "b", "b", "c", "S1.1", "S1", "S2"],
            "broader_uri": ["S1.1", "S1.1", "S2", "a", "S1", "S", "S"],
        }
    )
    shares = skill_group_shares(broader, GROUPS, 1)
    expected = pl.DataFrame(
        {"skill_uri": ["a", "b", "b", "c"], "group_uri": ["S1", "S1", "S2", "S1"], "share": [1.0, 0.5, 0.5, 1.0]}
    )
    assert_frame_equal(shares, expected)


def test_skill_group_shares_survive_a_cycle() -> None:
    broader = pl.DataFrame({"uri": ["x", "y"], "broader_uri": ["y", "x"]})
    assert skill_group_shares(broader, GROUPS, 1).is_empty()


def test_occupation_mixes_weight_essential_over_optional() -> None:
    relations = pl.DataFrame(
        {
            "occupation_uri": ["o", "o", "o"],
            "skill_uri": ["a", "b", "b"],
            "relation_type": ["essential", "optional", "optional"],
        }
    )
    skills = occupation_skill_shares(relations)
    assert skills["share"].to_list() == pytest.approx([2 / 3, 1 / 3])
    groups = occupation_group_shares(
        skills, pl.DataFrame({"skill_uri": ["a", "b", "b"], "group_uri": ["S1", "S1", "S2"], "share": [1.0, 0.5, 0.5]})
    )
    assert dict(zip(groups["group_uri"], groups["share"], strict=True)) == pytest.approx({"S1": 5 / 6, "S2": 1 / 6})


def test_isco_occupation_weights_split_and_fall_back_to_the_minor_group() -> None:
    crosswalk = pl.DataFrame(
        {"class_code": ["111", "111", "222"], "isco": ["2132", "6111", "7119"], "weight": [0.5, 0.5, 1]}
    )
    occupations = pl.DataFrame(
        {"occupation_uri": ["o1", "o2", "o3", "o4"], "isco_group": ["2132", "2132", "6111", "7112"]}
    )
    weights = isco_occupation_weights(crosswalk, occupations)
    expected = pl.DataFrame(
        {
            "class_code": ["111", "111", "111", "222"],
            "occupation_uri": ["o1", "o2", "o3", "o4"],
            "weight": [0.25, 0.25, 0.5, 1],
        }
    )
    assert_frame_equal(weights, expected)


def test_distributed_demand_keeps_the_volume_and_reports_what_it_cannot_map() -> None:
    weights = pl.DataFrame({"class_code": ["111", "111"], "occupation_uri": ["o1", "o2"], "weight": [0.5, 0.5]})
    mix = class_mix(
        weights,
        pl.DataFrame({"occupation_uri": ["o1", "o2", "o2"], "group_uri": ["S1", "S1", "S2"], "share": [1.0, 0.5, 0.5]}),
        "group_uri",
    )
    counts = pl.DataFrame(
        {
            "region": ["d1", "d1", "d2"],
            "class_code": ["111", "999", "111"],
            "ds": [date(2020, 1, 1)] * 3,
            "value": [40.0, 7.0, 0.0],
        }
    )
    demand = distributed_demand(counts, mix, "group_uri")
    assert demand.rows() == [("d1", "S1", date(2020, 1, 1), 30.0), ("d1", "S2", date(2020, 1, 1), 10.0)]
    assert unmapped_classes(counts, mix).rows() == [("999", 7.0)]


def test_distributed_demand_writes_a_zero_for_a_period_counted_as_zero() -> None:
    """A district that counted 0 vacancies in 2021 keeps a 2021 row of 0 instead of a hole; a period counted only
    in a class the mix does not know adds no row, and a group never demanded gets no series."""
    mix = pl.DataFrame({"class_code": ["111", "222"], "group_uri": ["S1", "S2"], "share": [1.0, 1.0]})
    years = [date(2020, 1, 1), date(2021, 1, 1), date(2022, 1, 1)]
    counts = pl.DataFrame(
        {
            "region": ["d1"] * 7,
            "class_code": ["111", "111", "111", "222", "222", "222", "999"],
            "ds": [*years, *years, date(2023, 1, 1)],
            "value": [5.0, 0.0, 2.0, 0.0, 0.0, 0.0, 4.0],
        }
    )
    demand = distributed_demand(counts, mix, "group_uri")
    assert demand.rows() == [("d1", "S1", years[0], 5.0), ("d1", "S1", years[1], 0.0), ("d1", "S1", years[2], 2.0)]


POSTINGS = pl.DataFrame(
    {
        "posting_key": ["p1", "p2", "p3"],
        "region": ["IE", "IE", "IE"],
        "region_level": ["country"] * 3,
        "sector": ["J", "J", "J"],
        "sector_scheme": ["nace"] * 3,
        "ds": [date(2025, 1, 1), date(2025, 3, 1), date(2025, 3, 1)],
    }
)
POSTING_GROUPS = pl.DataFrame({"posting_key": ["p1", "p2", "p2", "p3"], "skill_group": ["S1", "S1", "S2", "S1"]})


def test_posting_group_counts_count_postings_once_and_fill_empty_months() -> None:
    counts = posting_counts(POSTINGS, POSTING_GROUPS, "skill_group")
    s1 = counts.filter(pl.col("skill_group") == "S1")
    assert s1.select("ds", "y").rows() == [(date(2025, 1, 1), 1.0), (date(2025, 2, 1), 0.0), (date(2025, 3, 1), 2.0)]
    assert counts.filter(pl.col("skill_group") == "S2")["y"].to_list() == [0.0, 0.0, 1.0]


def test_posting_group_mix_spreads_each_posting_over_its_groups() -> None:
    mix = posting_group_mix(POSTINGS, POSTING_GROUPS)
    assert mix.select("skill_group", "ds", "weight").rows() == [
        ("S1", date(2025, 1, 1), 1.0),
        ("S1", date(2025, 3, 1), 1.5),
        ("S2", date(2025, 3, 1), 0.5),
    ]


def test_reconciled_demand_keeps_the_volume_and_moves_towards_postings() -> None:
    ds = date(2025, 1, 1)
    official = pl.DataFrame({"region": ["DE", "DE"], "skill_group": ["S1", "S2"], "ds": [ds, ds], "y": [90.0, 10.0]})
    few = pl.DataFrame({"region": ["DE"], "skill_group": ["S2"], "ds": [ds], "weight": [10.0]})
    many = few.with_columns(weight=pl.lit(10_000.0))
    shifted = reconciled_demand(official, few, prior=10.0)
    assert shifted["y"].sum() == pytest.approx(100.0)
    assert shifted["y"].to_list() == pytest.approx([45.0, 55.0])  # (0 + 10 x 0.9) / 20, (10 + 10 x 0.1) / 20
    assert reconciled_demand(official, many, prior=10.0)["y"].to_list()[1] == pytest.approx(100 * 10_001 / 10_010)
    elsewhere = few.with_columns(region=pl.lit("FR"))
    assert reconciled_demand(official, elsewhere).is_empty()


def test_long_series_ids_attributes_and_clashes() -> None:
    frame = pl.DataFrame({"region": ["d1", "d1"], "skill_group": ["http://x/S1"] * 2, "ds": [date(2020, 1, 1)] * 2})
    demand = with_attributes(
        frame.with_columns(y=pl.Series([1, 2])),
        freq="A", region_level="district", sector_scheme="none", hierarchy_level="skill_group", source="ba",
        route="r", unit="vacancies",
    )  # fmt: skip
    series, attributes = long_series(demand)
    assert series.rows() == [("ba|d1|ALL|ALL|S1", date(2020, 1, 1), 3.0)]
    assert attributes.row(0, named=True)["skill"] == "ALL" and attributes.height == 1
    clash = pl.concat([demand, demand.with_columns(unit=pl.lit("postings"))])
    with pytest.raises(ValueError, match="different attributes"):
        long_series(clash)


def test_monthly_means() -> None:
    daily = pl.DataFrame(
        {"region": ["DE"] * 3, "ds": [date(2024, 1, 1), date(2024, 1, 31), date(2024, 2, 1)], "value": [1.0, 3.0, 5.0]}
    )
    assert monthly_means(daily, ["region"]).rows() == [("DE", date(2024, 1, 1), 2.0), ("DE", date(2024, 2, 1), 5.0)]


def test_exact_sum_is_the_same_in_any_row_order() -> None:
    """Float addition is not associative: (1e16 + 1) - 1e16 is 0 and (1e16 - 1e16) + 1 is 1; the exact sum is 1 in
    both orders, and a group's sum does not depend on where its rows are."""
    rows = pl.DataFrame({"g": ["a", "a", "a", "b"], "v": [1e16, 1.0, -1e16, 0.1]})
    shuffled = rows[[3, 2, 0, 1]]
    assert rows.select(pl.col("v").sum()).item() != shuffled.select(pl.col("v").sum()).item()
    assert rows.select(exact_sum(pl.col("v"))).item() == shuffled.select(exact_sum(pl.col("v"))).item() == 1.1
    sums = [frame.lazy().group_by("g").agg(exact_sum(pl.col("v"))).sort("g").collect() for frame in (rows, shuffled)]
    assert sums[0]["v"].to_list() == sums[1]["v"].to_list() == [1.0, 0.1]
