"""Sector series over skill groups (features/sector_occupations.py, official_demand.py, hierarchy.py) on tiny
literal frames: occupation mixes of Indeed sectors (coded example titles, the sector name as a fallback) and of
ONS sections (O*NET knowledge ratings), demand that adds up to the sector's value, links and derived forecasts."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from features.hierarchy import SECTOR_ROLLUPS, derived_forecasts, fixed_shares, hierarchy_links
from features.occupations import occupation_entries, occupation_lexicon
from features.official_demand import class_mix, distributed_demand, unmapped_classes
from features.panel import long_series, with_attributes
from features.sector_occupations import (
    SIC_KNOWLEDGE,
    coded_titles,
    knowledge_table,
    knowledge_weights,
    name_titles,
    onet_occupation_weights,
    sector_titles,
    title_weights,
    unmapped_sectors,
)
from tests.conftest import moocast_json

LEXICON = occupation_lexicon(
    occupation_entries(
        pl.DataFrame(
            [
                ("o:acc", "2411", "preferred", "accountant"),
                ("o:fin", "2413", "preferred", "financial analyst"),
                ("o:estate", "3334", "alt", "real estate"),
            ],
            schema=["uri", "isco_group", "label_type", "label"],
            orient="row",
        )
    ),
    "en",
)
EXAMPLES = pl.DataFrame(
    {
        "class_code": ["Accounting", "Dental", "Unused"],
        "job_titles": ["accountant, financial analyst", "dental hygenist", "x"],
    }
)
SECTORS = pl.Series(["Accounting", "Dental", "Real Estate", "Zither Tuning"])


def _indeed_coded() -> pl.DataFrame:
    coded = coded_titles(sector_titles(EXAMPLES, SECTORS), LEXICON)
    return pl.concat([coded, coded_titles(name_titles(coded, SECTORS), LEXICON)])


def test_indeed_sectors_code_their_examples_then_their_name_and_report_the_rest() -> None:
    coded = _indeed_coded()
    assert coded.sort("class_code", "title").rows() == [
        ("Accounting", "accountant", "example", "o:acc"),
        ("Accounting", "financial analyst", "example", "o:fin"),
        ("Dental", "Dental", "sector name", None),
        ("Dental", "dental hygenist", "example", None),
        ("Real Estate", "Real Estate", "sector name", "o:estate"),
        ("Zither Tuning", "Zither Tuning", "sector name", None),
    ]
    weights = title_weights(coded)
    assert weights.rows() == [
        ("Accounting", "o:acc", 0.5),
        ("Accounting", "o:fin", 0.5),
        ("Real Estate", "o:estate", 1.0),
    ]
    assert unmapped_sectors(weights, SECTORS) == ["Dental", "Zither Tuning"]


def test_ons_sections_weigh_onet_occupations_by_importance_above_important() -> None:
    ratings = pl.DataFrame(
        [
            ("x", "Building", 4.5), ("x", "Mechanical", 4.0),
            ("y", "Building", 3.5), ("y", "Mechanical", 2.0),
            ("z", "Building", 2.0),
            ("w", "Building", 3.2),  # not rated on Mechanical: no part in the Mechanical-and-Building profile
        ],
        schema=["onet_code", "area", "importance"], orient="row",
    )  # fmt: skip
    table = knowledge_table({"F": (("Building",),), "B": (("Mechanical", "Building"),), "Q": (("Medicine",),)})
    weights = knowledge_weights(ratings, table)
    assert dict(((c, o), w) for c, o, w in weights.rows()) == pytest.approx(
        {("B", "x"): 1.0, ("F", "w"): 0.2, ("F", "x"): 1.5, ("F", "y"): 0.5}
    )
    crosswalk = pl.DataFrame({"occupation_uri": ["e1", "e2", "e3", "e4"], "onet_code": ["x", "x", "y", "w"]})
    esco = onet_occupation_weights(weights, crosswalk)
    assert dict(((c, o), w) for c, o, w in esco.rows()) == pytest.approx(
        {("B", "e1"): 0.5, ("B", "e2"): 0.5, ("F", "e1"): 0.75 / 2.2, ("F", "e2"): 0.75 / 2.2, ("F", "e3"): 0.5 / 2.2,
         ("F", "e4"): 0.2 / 2.2}
    )  # fmt: skip
    assert esco.group_by("class_code").agg(pl.col("weight").sum())["weight"].to_list() == pytest.approx([1.0, 1.0])
    assert unmapped_sectors(esco, pl.Series(["B", "F", "Q"])) == ["Q"]


def test_every_sic_section_of_the_ons_series_has_a_knowledge_profile() -> None:
    assert sorted(SIC_KNOWLEDGE) == [chr(c) for c in range(ord("B"), ord("S") + 1)]
    assert all(profiles and all(profiles) for profiles in SIC_KNOWLEDGE.values())


def test_sector_demand_adds_up_to_each_sector_value_and_links_to_the_sector_series() -> None:
    weights = pl.DataFrame(
        {"class_code": ["F", "F", "K"], "occupation_uri": ["e1", "e2", "e3"], "weight": [0.5, 0.5, 1.0]}
    )
    shares = pl.DataFrame(
        {
            "occupation_uri": ["e1", "e2", "e2", "e3"],
            "group_uri": ["g/S1", "g/S1", "g/S2", "g/S2"],
            "share": [1.0, 0.5, 0.5, 1.0],
        }
    )
    mix = class_mix(weights, shares, "group_uri")
    assert mix.group_by("class_code").agg(pl.col("share").sum())["share"].to_list() == pytest.approx([1.0, 1.0])
    counts = pl.DataFrame(
        {
            "region": ["UK"] * 4,
            "class_code": ["F", "F", "K", "P"],
            "ds": [date(2020, 1, 1), date(2020, 2, 1), date(2020, 1, 1), date(2020, 1, 1)],
            "value": [40.0, 20.0, 10.0, 5.0],
        }
    )
    demand = distributed_demand(counts, mix, "group_uri", by=("region", "class_code"))
    assert demand.rows() == [
        ("UK", "F", "g/S1", date(2020, 1, 1), 30.0), ("UK", "F", "g/S1", date(2020, 2, 1), 15.0),
        ("UK", "F", "g/S2", date(2020, 1, 1), 10.0), ("UK", "F", "g/S2", date(2020, 2, 1), 5.0),
        ("UK", "K", "g/S2", date(2020, 1, 1), 10.0),
    ]  # fmt: skip
    assert unmapped_classes(counts, mix).rows() == [("P", 5.0)]
    frame = with_attributes(
        demand.rename({"class_code": "sector", "group_uri": "skill_group"}),
        freq="M", region_level="country", sector_scheme="nace", hierarchy_level="skill_group", source="ons",
        route="r", unit="u",
    )  # fmt: skip
    links = hierarchy_links(frame, SECTOR_ROLLUPS, "ons_sector_x_skill_group")
    assert links.select("parent", "child").rows() == [
        ("ons|UK|F|ALL|ALL", "ons|UK|F|ALL|S1"), ("ons|UK|F|ALL|ALL", "ons|UK|F|ALL|S2"),
        ("ons|UK|K|ALL|ALL", "ons|UK|K|ALL|S2"),
    ]  # fmt: skip
    series, _ = long_series(frame)
    sums = series.join(links, left_on="series_id", right_on="child").group_by("parent", "ds").agg(pl.col("y").sum())
    assert sorted(sums.rows()) == [
        ("ons|UK|F|ALL|ALL", date(2020, 1, 1), 40.0), ("ons|UK|F|ALL|ALL", date(2020, 2, 1), 20.0),
        ("ons|UK|K|ALL|ALL", date(2020, 1, 1), 10.0),
    ]  # fmt: skip


def test_derived_children_forecast_as_their_fixed_share_of_the_parent() -> None:
    series = pl.DataFrame(
        {
            "series_id": ["p", "p", "a", "a", "b", "b", "q"],
            "ds": [date(2020, 1, 1), date(2020, 2, 1)] * 3 + [date(2020, 1, 1)],
            "y": [10.0, 20.0, 3.0, 6.0, 7.0, 14.0, 0.0],
        }
    )
    links = pl.DataFrame({"parent": ["p", "p", "q"], "child": ["a", "b", "c"]})
    shares = fixed_shares(series, links)
    assert shares.rows() == [("p", "a", pytest.approx(0.3)), ("p", "b", pytest.approx(0.7))]
    forecasts = pl.DataFrame(
        {"series_id": ["p", "p"], "step": [1, 2], "ds": [date(2020, 3, 1), date(2020, 4, 1)], "yhat": [30.0, 40.0],
         "lo_80": [25.0, 30.0], "hi_80": [35.0, 50.0], "lo_95": [20.0, 20.0], "hi_95": [40.0, 60.0],
         "model": ["naive", "naive"]}
    )  # fmt: skip
    children = derived_forecasts(forecasts, shares)
    assert children["series_id"].to_list() == ["a", "a", "b", "b"] and set(children["model"]) == {"naive"}
    assert children.filter(pl.col("series_id") == "a")["hi_95"].to_list() == pytest.approx([12.0, 18.0])
    total = children.group_by("step").agg(pl.col("yhat", "lo_80", "hi_95").sum()).sort("step")
    assert_frame_equal(total, forecasts.select("step", "yhat", "lo_80", "hi_95"), check_dtypes=False)


def test_indeed_sector_titles_load_into_the_crosswalks_table(tmp_path: Path) -> None:
    path = tmp_path / "sector-job-title-examples.csv"
    path.write_text('sector,job_titles\nAccounting,"accountant, financial analyst"\nAccounting,"clerk"\n,"cook"\n')
    report = moocast_json("--warehouse", str(tmp_path / "w.duckdb"), "ingest", "stats", str(path), "--json")
    (run,) = report["runs"]
    assert (run["format"], run["rows_read"], run["rows_loaded"], run["rows_quarantined"]) == (
        "indeed_sector_titles", 3, 1, 2)  # fmt: skip
