"""Official statistics and ESCO mixes for the panel: BA vacancies spread over skills, ONS and Indeed by
sector, and the exogenous features. Reads the warehouse; the transforms are in features/."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from features.official_demand import class_mix, distributed_demand, isco_occupation_weights, unmapped_classes
from features.panel import ALL, exact_sum, monthly_means, with_attributes
from features.skill_groups import occupation_group_shares, occupation_skill_shares, skill_group_shares

SKILL_GROUP_LEVEL = 1  # ESCO hierarchy level of the panel's skill groups: S1..S8, T1..T6, L1, L2, knowledge fields
BA_ROUTE = (
    "BA registered vacancies (annual average) by {geo} x KldB 2010 group, spread over ESCO {what} through "
    "the BA KldB->ISCO-08 crosswalk and ESCO occupation profiles (essential 1, optional 0.5)"
)
INDEED_INDICATOR = "total_postings_index_sa"
EXOGENOUS = {  # (source, indicator) -> feature name
    ("ba", "unemployed"): "unemployed",
    ("ons", "unemployment"): "unemployed",
    ("indeed", "ai_share_postings"): "ai_share",
    ("indeed", "remote_share_postings"): "remote_share",
    ("indeed", "posted_wage_growth_yoy"): "wage_growth",
}


def frame_of(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pl.DataFrame:
    return con.sql(sql, params=params).pl()


def skill_tree(con: duckdb.DuckDBPyConnection, version: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The skill pillar's broader relations (uri, broader_uri, hierarchy parents included) and the hierarchy's
    groups (uri, level), as `skill_group_shares` takes them."""
    broader = frame_of(
        con,
        "SELECT uri, broader_uri FROM broader_relations WHERE pillar = 'skill' AND version = ? "
        "UNION SELECT uri, parent_uri FROM skill_hierarchy WHERE parent_uri IS NOT NULL AND version = ?",
        [version, version],
    )
    hierarchy = frame_of(con, "SELECT DISTINCT uri, level FROM skill_hierarchy WHERE version = ?", [version])
    return broader, hierarchy


def skill_group_mix(con: duckdb.DuckDBPyConnection, version: str) -> pl.DataFrame:
    """Share of each skill in each skill group of the panel's level (skill_uri, group_uri, share)."""
    return skill_group_shares(*skill_tree(con, version), SKILL_GROUP_LEVEL)


def skill_mixes(con: duckdb.DuckDBPyConnection, version: str) -> dict[str, pl.DataFrame]:
    """The ESCO-derived mixes: skill->group shares, occupation->skill and ->group shares, KldB->occupation
    weights and KldB->skill and ->group shares."""
    groups = skill_group_mix(con, version)
    relations = frame_of(
        con, "SELECT occupation_uri, skill_uri, relation_type FROM occupation_skills WHERE version = ?", [version]
    )
    occupation_skills = occupation_skill_shares(relations)
    crosswalk = frame_of(
        con,
        "SELECT from_code AS class_code, to_code AS isco, weight FROM crosswalks WHERE crosswalk = 'kldb3_isco'",
        [],
    )
    occupations = frame_of(
        con,
        "SELECT uri AS occupation_uri, isco_group FROM occupations WHERE version = ? AND isco_group IS NOT NULL",
        [version],
    )
    weights = isco_occupation_weights(crosswalk, occupations)
    occupation_groups = occupation_group_shares(occupation_skills, groups)
    return {
        "skill_groups": groups,
        "occupation_skills": occupation_skills,
        "occupation_groups": occupation_groups,
        "kldb_occupations": weights,
        "kldb_groups": class_mix(weights, occupation_groups, "group_uri"),
        "kldb_skills": class_mix(weights, occupation_skills, "skill_uri"),
    }


def ba_demand(con: duckdb.DuckDBPyConnection, mixes: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, float]:
    """BA district x skill group and Germany x skill series; and the vacancies no mix covers."""
    counts = frame_of(
        con,
        "SELECT geo_code AS region, class_code, period AS ds, value FROM labour_stats "
        "WHERE source = 'ba' AND indicator = 'vacancies_total'",
        [],
    )
    districts = distributed_demand(counts, mixes["kldb_groups"], "group_uri").rename({"group_uri": "skill_group"})
    national = counts.group_by("class_code", "ds").agg(exact_sum(pl.col("value"))).with_columns(region=pl.lit("DE"))
    main_group = (
        mixes["skill_groups"]
        .sort("share", "group_uri", descending=[True, False])
        .group_by("skill_uri", maintain_order=True)
        .first()
        .select(pl.col("skill_uri").alias("skill"), pl.col("group_uri").alias("skill_group"))
    )
    skills = (
        distributed_demand(national, mixes["kldb_skills"], "skill_uri")
        .rename({"skill_uri": "skill"})
        .join(main_group, on="skill", how="left")
        .with_columns(pl.col("skill_group").fill_null(ALL))
    )
    common = {"freq": "A", "sector_scheme": "none", "source": "ba", "unit": "vacancies"}
    frames = [
        with_attributes(
            districts,
            region_level="district",
            hierarchy_level="skill_group",
            route=BA_ROUTE.format(geo="district", what="skill groups"),
            **common,
        ),
        with_attributes(
            skills,
            region_level="country",
            hierarchy_level="skill",
            route=BA_ROUTE.format(geo="Germany", what="skills"),
            **common,
        ),
    ]
    return pl.concat(frames), float(unmapped_classes(counts, mixes["kldb_groups"])["value"].sum())


def ons_demand(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """UK vacancies by SIC 2007 section (the NACE sections) and in total, monthly (thousands)."""
    frame = frame_of(
        con,
        "SELECT geo_code AS region, class_code, class_scheme, period AS ds, value AS y "
        "FROM labour_stats WHERE source = 'ons' AND indicator = 'vacancies'",
        [],
    )
    sectors = frame.filter(pl.col("class_scheme") == "sic2007").with_columns(
        sector=pl.col("class_code"), sector_scheme=pl.lit("nace"), hierarchy_level=pl.lit("sector")
    )
    total = frame.filter(pl.col("class_scheme") == "total").with_columns(
        sector=pl.lit(ALL), sector_scheme=pl.lit("none"), hierarchy_level=pl.lit("total")
    )
    return with_attributes(
        pl.concat([sectors, total]).drop("class_code", "class_scheme"),
        freq="M",
        region_level="country",
        source="ons",
        unit="thousands of vacancies",
        route="ONS vacancy survey, rolling 3-month average by SIC 2007 section (= NACE Rev. 2 section)",
    )


def indeed_demand(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Indeed's seasonally adjusted postings index by country, region, city and occupational sector, daily."""
    frame = frame_of(
        con,
        "SELECT geo_code AS region, geo_level AS region_level, class_code, class_scheme, "
        "period AS ds, value AS y FROM labour_stats WHERE source = 'indeed' AND indicator = ?",
        [INDEED_INDICATOR],
    )
    frame = frame.with_columns(
        sector=pl.when(pl.col("class_scheme") == "total").then(pl.lit(ALL)).otherwise(pl.col("class_code")),
        sector_scheme=pl.when(pl.col("class_scheme") == "total").then(pl.lit("none")).otherwise("class_scheme"),
        hierarchy_level=pl.when(pl.col("class_scheme") == "total").then(pl.lit("total")).otherwise(pl.lit("sector")),
    ).drop("class_code", "class_scheme")
    return with_attributes(
        frame,
        freq="D",
        source="indeed",
        unit="index (2020-02-01 = 100)",
        route="Indeed Hiring Lab job postings index, seasonally adjusted (CC BY 4.0)",
    )


def exogenous_features(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """region, ds, name, value: unemployment (BA districts and Germany, ONS UK), Indeed AI and remote shares
    (daily, averaged per month) and posted wage growth (monthly)."""
    frames = []
    for (source, indicator), name in EXOGENOUS.items():
        frame = frame_of(
            con,
            "SELECT geo_code AS region, period AS ds, freq, sum(value) AS value FROM labour_stats "
            "WHERE source = ? AND indicator = ? GROUP BY ALL",
            [source, indicator],
        )
        daily = frame.filter(pl.col("freq") == "D")
        frame = pl.concat(
            [frame.filter(pl.col("freq") != "D").drop("freq"), monthly_means(daily.drop("freq"), ["region"])]
        )
        if source == "ba":
            frame = pl.concat(
                [
                    frame,
                    frame.group_by("ds")
                    .agg(exact_sum(pl.col("value")))
                    .select(region=pl.lit("DE"), ds="ds", value="value"),
                ]
            )
        frames.append(frame.with_columns(name=pl.lit(name)))
    return pl.concat(frames).select("region", "ds", "name", "value").sort("name", "region", "ds")
