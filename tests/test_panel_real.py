"""`moocast extract` then `moocast panel` on the real inputs: series for every BA district x skill group, every
ONS/Indeed sector and every ONS/Indeed sector x skill group, official volumes kept, hierarchies that add up,
exogenous features present, a re-run gives the same panel."""

import shutil
from pathlib import Path
from typing import Any

import pytest

from features.sector_occupations import SIC_KNOWLEDGE
from pipelines.warehouse import connect
from tests.conftest import moocast_json

CHECKSUM = "SELECT sum(hash(series_id, ds, y)), count(*) FROM series"


@pytest.mark.slow
def test_panel_on_real_data(tmp_path: Path, ingested: tuple[Path, dict[str, Any]]) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(ingested[0], warehouse)
    base = ("--warehouse", str(warehouse))
    extracted = moocast_json(*base, "extract", "--json")
    assert extracted["processed"] == 2_372 and extracted["extracted"] > 0
    first = moocast_json(*base, "panel", "--json")
    with connect(warehouse, read_only=True) as con:

        def one(sql: str, *params: str) -> Any:
            return con.execute(sql, list(params)).fetchall()[0][0]

        districts = one("SELECT count(DISTINCT geo_code) FROM labour_stats WHERE source = 'ba'")
        groups = one("SELECT count(DISTINCT skill_group) FROM series_attributes WHERE source = 'ba' "
                     "AND hierarchy_level = 'skill_group'")  # fmt: skip
        level_one = one("SELECT count(*) FROM skill_hierarchy WHERE level = 1")
        assert districts == 401 and level_one - 1 <= groups <= level_one
        missing = one(
            "SELECT count(*) FROM (SELECT DISTINCT geo_code FROM labour_stats WHERE source = 'ba') d "
            "CROSS JOIN (SELECT DISTINCT skill_group FROM series_attributes WHERE source = 'ba' "
            "AND hierarchy_level = 'skill_group') g WHERE NOT EXISTS (SELECT 1 FROM series_attributes a "
            "WHERE a.source = 'ba' AND a.region = d.geo_code AND a.skill_group = g.skill_group)"
        )
        assert missing == 0
        for source, scheme in (("ons", "sic2007"), ("indeed", "indeed_sector")):
            sectors = one(
                "SELECT count(DISTINCT (geo_code, class_code)) FROM labour_stats WHERE source = ? "
                "AND class_scheme = ? AND indicator IN ('vacancies', 'total_postings_index_sa')",
                source,
                scheme,
            )
            panel = one(
                "SELECT count(*) FROM series_attributes WHERE source = ? AND hierarchy_level = 'sector'", source
            )
            assert sectors == panel > 10
            # every sector present in labour_stats has skill-group series, or is reported as unmapped
            without = con.execute(
                "SELECT DISTINCT class_code FROM labour_stats l WHERE source = ? AND class_scheme = ? AND NOT EXISTS "
                "(SELECT 1 FROM series_attributes a WHERE a.source = l.source AND a.region = l.geo_code "
                "AND a.sector = l.class_code AND a.hierarchy_level = 'skill_group') ORDER BY 1",
                [source, scheme],
            ).fetchall()
            report = first["sectors_over_skill_groups"][source]
            assert [row[0] for row in without] == report["unmapped"] == []
            assert report["mapped"] == report["sectors"] > 10 and report["value_mapped_share"] == 1.0
            assert one("SELECT count(DISTINCT skill_group) FROM series_attributes WHERE source = ? "
                       "AND hierarchy_level = 'skill_group'", source) > 10  # fmt: skip
        knowledge = {row[0] for row in con.execute("SELECT DISTINCT element_name FROM onet_elements "
                                                   "WHERE domain = 'knowledge'").fetchall()}  # fmt: skip
        assert {area for profiles in SIC_KNOWLEDGE.values() for p in profiles for area in p} <= knowledge
        # the official volume is kept: skill-group series add up to the vacancies the crosswalk covers
        spread = one("SELECT sum(y) FROM series JOIN series_attributes USING (series_id) WHERE source = 'ba' "
                     "AND hierarchy_level = 'skill_group' AND region_level = 'district'")  # fmt: skip
        vacancies = one("SELECT sum(value) FROM labour_stats WHERE indicator = 'vacancies_total'")
        assert spread == pytest.approx(vacancies - first["ba_vacancies_without_skill_mix"], rel=1e-9)
        # BA parents (states, Germany, all skill groups) are the sums of their district x group children
        spread = {s: one("SELECT count(*) FROM series_attributes WHERE source = ? AND hierarchy_level = 'skill_group'",
                         s) for s in ("ons", "indeed")}  # fmt: skip
        assert first["hierarchy_links"] == {
            "ba_region_x_skill_group": 5 * 401 * groups, "ons_sectors": 18,
            "ons_sector_x_skill_group": spread["ons"], "indeed_sector_x_skill_group": spread["indeed"],
            "ba_skill_x_skill_group": first["hierarchy_links"]["ba_skill_x_skill_group"],
        }  # fmt: skip
        # every Germany x skill series is under Germany's total and under one or more skill groups
        skills = one("SELECT count(*) FROM series_attributes WHERE source = 'ba' AND hierarchy_level = 'skill'")
        assert first["hierarchy_links"]["ba_skill_x_skill_group"] > 2 * skills > 10_000
        # sector x skill-group series add up to their (published) sector series, as BA children to their parents
        # and Germany's skill-group series are the share-weighted sums of its skill series
        for hierarchy in ("ba_region_x_skill_group", "ons_sector_x_skill_group", "indeed_sector_x_skill_group",
                          "ba_skill_x_skill_group"):  # fmt: skip
            worst = one(
                "SELECT max(abs(p.y - c.y) / greatest(abs(p.y), 1)) FROM series p JOIN (SELECT l.parent, s.ds, "
                "sum(l.weight * s.y) AS y FROM series_links l JOIN series s ON s.series_id = l.child "
                "WHERE l.hierarchy = ? GROUP BY ALL) c ON c.parent = p.series_id AND c.ds = p.ds",
                hierarchy,
            )
            assert worst < 1e-9
        assert one("SELECT count(*) FROM series_attributes WHERE source = 'postings'") > 0
        names = {row[0] for row in con.execute("SELECT DISTINCT name FROM series_exogenous").fetchall()}
        assert names == {"unemployed", "ai_share", "remote_share", "wage_growth"}
        assert one("SELECT count(*) FROM series s ANTI JOIN series_attributes a USING (series_id)") == 0
        values = one(CHECKSUM)
    # a rebuild gives the same panel to the last bit (a backtest's LightGBM moved by 1% on 1e-15 differences)
    assert moocast_json(*base, "panel", "--json") == first
    with connect(warehouse, read_only=True) as con:
        assert con.execute(CHECKSUM).fetchall()[0][0] == values
