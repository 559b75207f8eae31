"""`moocast panel`: the skill-demand panel (series, series_attributes, series_exogenous) rebuilt from the
warehouse in one transaction. Reads what ingest, extract and code wrote; the transforms are in features/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import polars as pl

from features.hierarchy import (
    BA_ROLLUPS,
    DERIVED_HIERARCHIES,
    ONS_ROLLUPS,
    SECTOR_ROLLUPS,
    SPLIT_HIERARCHIES,
    hierarchy_links,
    rolled_up_demand,
    split_links,
)
from features.panel import (
    ALL,
    exact_sum,
    long_series,
    posting_counts,
    posting_group_mix,
    reconciled_demand,
    with_attributes,
)
from pipelines.extract import latest_esco_version
from pipelines.panel_sectors import sector_skill_demand
from pipelines.panel_sources import ba_demand, exogenous_features, frame_of, indeed_demand, ons_demand, skill_mixes
from pipelines.warehouse import insert_frame, transaction


def posting_frames(
    con: duckdb.DuckDBPyConnection, version: str, mixes: dict[str, pl.DataFrame]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Coded postings (one row each, month ds), their skills and their skill groups (extracted postings only)."""
    postings = frame_of(
        con,
        "SELECT p.posting_key, coalesce(c.region_code, p.country) AS region, "
        "coalesce(c.region_level, 'country') AS region_level, p.country, "
        "coalesce(c.sector_code, ?) AS sector, "
        "CASE WHEN c.sector_code IS NULL THEN 'none' ELSE c.sector_scheme END AS sector_scheme, "
        "date_trunc('month', p.posted_at)::DATE AS ds FROM postings p "
        "JOIN extraction_status e ON e.posting_key = p.posting_key AND e.taxonomy_version = ? "
        "AND e.status = 'extracted' LEFT JOIN posting_codes c ON c.posting_key = p.posting_key "
        "WHERE p.duplicate_of IS NULL AND p.near_duplicate_of IS NULL",
        [ALL, version],
    )
    skills = frame_of(
        con, "SELECT DISTINCT posting_key, skill_uri AS skill FROM posting_skills WHERE taxonomy_version = ?", [version]
    )
    groups = (
        skills.join(mixes["skill_groups"].rename({"skill_uri": "skill"}), on="skill")
        .select("posting_key", pl.col("group_uri").alias("skill_group"))
        .unique()
    )
    return postings, skills, groups


def postings_demand(postings: pl.DataFrame, skills: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    common = {"freq": "M", "source": "postings", "unit": "postings"}
    route = "online job postings (duplicates and near-duplicates excluded) demanding the {what}, per month"
    national = postings.with_columns(
        region=pl.col("country"), region_level=pl.lit("country"), sector=pl.lit(ALL), sector_scheme=pl.lit("none")
    )
    return pl.concat(
        [
            with_attributes(
                posting_counts(postings, groups, "skill_group"),
                hierarchy_level="skill_group",
                route=route.format(what="skill group"),
                **common,
            ),
            with_attributes(
                posting_counts(national, skills, "skill"),
                hierarchy_level="skill",
                route=route.format(what="skill"),
                **common,
            ),
        ]
    )


def reconciled_series(ba: pl.DataFrame, postings: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """Germany x skill group per year: BA volume with the skill mix of German postings of that year."""
    official = (
        ba.filter(pl.col("hierarchy_level") == "skill_group")
        .group_by("skill_group", "ds")
        .agg(exact_sum(pl.col("y")))
        .with_columns(region=pl.lit("DE"))
    )
    yearly = postings.filter(pl.col("country") == "DE").with_columns(
        region=pl.lit("DE"), ds=pl.col("ds").dt.truncate("1y")
    )
    reconciled = reconciled_demand(official, posting_group_mix(yearly, groups)).drop("postings")
    return with_attributes(
        reconciled,
        freq="A",
        region_level="country",
        sector_scheme="none",
        hierarchy_level="skill_group",
        source="reconciled",
        unit="vacancies",
        route="BA vacancy volume for Germany with the skill-group mix of German postings of the year, shrunk "
        "towards the ESCO-profile mix (prior worth 50 postings)",
    )


def build_panel(
    con: duckdb.DuckDBPyConnection, version: str | None = None, on_stage: Callable[[str], None] = lambda stage: None
) -> dict[str, Any]:
    """Rebuild the whole panel for the ESCO `version` (default latest) in one transaction; returns counts."""
    version = version or latest_esco_version(con)
    on_stage("ESCO skill mixes")
    mixes = skill_mixes(con, version)
    on_stage("BA vacancies")
    ba, unmapped = ba_demand(con, mixes)
    on_stage("postings")
    postings, skills, groups = posting_frames(con, version, mixes)
    on_stage("ONS, Indeed, exogenous")
    ba_bottom = ba.filter((pl.col("hierarchy_level") == "skill_group") & (pl.col("region_level") == "district"))
    ons = ons_demand(con)
    skill_shares = mixes["skill_groups"].select(
        pl.col("skill_uri").alias("skill"), pl.col("group_uri").alias("skill_group"), "share"
    )
    on_stage("ONS and Indeed sectors over skill groups")
    sector_groups, sector_report = sector_skill_demand(con, version, mixes["occupation_groups"])
    demand = pl.concat(
        [
            ba,
            rolled_up_demand(ba_bottom, BA_ROLLUPS),
            postings_demand(postings, skills, groups),
            reconciled_series(ba, postings, groups),
            ons,
            indeed_demand(con),
            sector_groups,
        ]
    )
    series, attributes = long_series(demand)
    links = pl.concat(
        [
            hierarchy_links(ba_bottom, BA_ROLLUPS, "ba_region_x_skill_group"),
            hierarchy_links(ons.filter(pl.col("hierarchy_level") == "sector"), ONS_ROLLUPS, "ons_sectors"),
            *[
                hierarchy_links(sector_groups.filter(pl.col("source") == source), SECTOR_ROLLUPS, hierarchy)
                for source, hierarchy in DERIVED_HIERARCHIES.items()
            ],
            split_links(ba.filter(pl.col("hierarchy_level") == "skill"), skill_shares, SPLIT_HIERARCHIES["ba"]),
        ]
    )
    links = links.filter(pl.col("parent").is_in(attributes["series_id"].implode()))
    exogenous = exogenous_features(con)
    on_stage("writing")
    with transaction(con):
        tables = {"series": series, "series_attributes": attributes, "series_exogenous": exogenous,
                  "series_links": links}  # fmt: skip
        for table, frame in tables.items():
            con.execute(f'DELETE FROM "{table}"')
            insert_frame(con, table, frame)
    by_source = attributes.group_by("source", "hierarchy_level").len().sort("source", "hierarchy_level")
    return {
        "taxonomy_version": version,
        "series": attributes.height,
        "rows": series.height,
        "exogenous_rows": exogenous.height,
        "hierarchy_links": {h: n for h, n in links.group_by("hierarchy").len().sort("hierarchy").iter_rows()},
        "series_by_source": {f"{s}/{h}": n for s, h, n in by_source.iter_rows()},
        "ba_vacancies_without_skill_mix": round(unmapped, 3),
        "sectors_over_skill_groups": sector_report,
    }
