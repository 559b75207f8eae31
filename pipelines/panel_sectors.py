"""Official sector series spread over skill groups for the panel: ONS vacancies by SIC 2007 section through
O*NET knowledge areas, Indeed's postings index by occupational sector through its example job titles (the
transforms are in features/sector_occupations.py and features/official_demand.py). Reads the warehouse."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from features.official_demand import class_mix, distributed_demand
from features.panel import with_attributes
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
from pipelines.coding import esco_occupation_lexicon
from pipelines.panel_sources import INDEED_INDICATOR, frame_of
from pipelines.warehouse import latest_version

PROFILES = "essential skills 1, optional 0.5"
ONS_ROUTE = (
    "ONS vacancies of SIC 2007 section {sector} (rolling 3-month average) spread over ESCO skill groups through the "
    "O*NET occupations rating {areas} above important (importance - 3), the ESCO-O*NET crosswalk (an O*NET "
    "occupation split equally over its ESCO occupations) and ESCO occupation profiles (" + PROFILES + ")"
)
INDEED_ROUTE = (
    "Indeed postings index of the sector (seasonally adjusted) spread over ESCO skill groups through {basis} "
    "{titles} coded to ESCO occupations ({occupations}, equal weights) and their profiles (" + PROFILES + "); index "
    "points that add up to the sector's index"
)
BASIS = {"example": "its example job titles", "sector name": "its name as a job title"}
SOURCES = {  # source -> (indicator, class scheme in labour_stats, sector scheme in the panel, unit, freq)
    "ons": ("vacancies", "sic2007", "nace", "thousands of vacancies", "M"),
    "indeed": (INDEED_INDICATOR, "indeed_sector", "indeed_sector", "index points (2020-02-01 = 100)", "D"),
}


def sector_counts(con: duckdb.DuckDBPyConnection, source: str) -> pl.DataFrame:
    """region, region_level, class_code, ds, value of one source's sector series."""
    indicator, scheme, *_ = SOURCES[source]
    return frame_of(
        con,
        "SELECT geo_code AS region, geo_level AS region_level, class_code, period AS ds, value FROM labour_stats "
        "WHERE source = ? AND indicator = ? AND class_scheme = ?",
        [source, indicator, scheme],
    )


def ons_weights(con: duckdb.DuckDBPyConnection, version: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """SIC section -> ESCO occupation weights (class_code, occupation_uri, weight) and each section's route."""
    ratings = frame_of(
        con,
        "SELECT code AS onet_code, element_name AS area, importance FROM onet_elements WHERE domain = 'knowledge' "
        "AND importance IS NOT NULL AND version = ?",
        [latest_version(con, "onet_elements")],
    )
    crosswalk = frame_of(
        con,
        "SELECT c.from_code AS occupation_uri, c.to_code AS onet_code FROM crosswalks c JOIN occupations o "
        "ON o.uri = c.from_code AND o.version = ? WHERE c.crosswalk = 'esco_onet'",
        [version],
    )
    weights = onet_occupation_weights(knowledge_weights(ratings, knowledge_table(SIC_KNOWLEDGE)), crosswalk)
    routes = pl.DataFrame(
        [(code, ONS_ROUTE.format(sector=code, areas=" or ".join(" and ".join(p) for p in profiles)))
         for code, profiles in SIC_KNOWLEDGE.items()],
        schema=["class_code", "route"], orient="row",
    )  # fmt: skip
    return weights, routes


def indeed_weights(
    con: duckdb.DuckDBPyConnection, version: str, sectors: pl.Series
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Indeed sector -> ESCO occupation weights, each sector's route, and every title tried (class_code, title,
    basis, occupation_uri: null when the title coded to nothing)."""
    examples = frame_of(
        con,
        "SELECT from_code AS class_code, to_code AS job_titles FROM crosswalks WHERE crosswalk = ?",
        ["indeed_sector_titles"],
    )
    lexicon = esco_occupation_lexicon(con, "en", version)
    coded = coded_titles(sector_titles(examples, sectors), lexicon)
    coded = pl.concat([coded, coded_titles(name_titles(coded, sectors), lexicon)])
    weights = title_weights(coded)
    labels = frame_of(con, "SELECT uri AS occupation_uri, preferred_label AS label FROM occupations WHERE version = ?",
                      [version])  # fmt: skip
    grouped = (
        coded.filter(pl.col("occupation_uri").is_not_null())
        .join(labels, on="occupation_uri", how="left")
        .sort("class_code", "title", "label")
        .group_by("class_code", maintain_order=True)
        .agg(pl.col("basis").first(), pl.col("title").unique(maintain_order=True),
             pl.col("label").unique(maintain_order=True))
    )  # fmt: skip
    routes = pl.DataFrame(
        [(code, INDEED_ROUTE.format(basis=BASIS[basis], titles=", ".join(titles), occupations=", ".join(names)))
         for code, basis, titles, names in grouped.iter_rows()],
        schema=["class_code", "route"], orient="row",
    )  # fmt: skip
    return weights, routes, coded


def sector_skill_demand(
    con: duckdb.DuckDBPyConnection, version: str, group_shares: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """ONS and Indeed sector x skill-group demand (a demand frame) and a report of how each sector was mapped.

    group_shares: occupation_uri, group_uri, share (each occupation's skill-group mix)."""
    frames, report = [], {}
    for source, (_, _, sector_scheme, unit, freq) in SOURCES.items():
        counts = sector_counts(con, source)
        sectors = counts["class_code"].unique().sort()
        if source == "ons":
            weights, routes = ons_weights(con, version)
            extra: dict[str, Any] = {}
        else:
            weights, routes, coded = indeed_weights(con, version, sectors)
            extra = {
                "coded_by": dict(coded.filter(pl.col("occupation_uri").is_not_null())
                                 .group_by("basis").agg(pl.col("class_code").n_unique()).sort("basis").iter_rows()),
                "titles_not_coded": coded.filter(pl.col("occupation_uri").is_null())
                .select(pl.concat_str("class_code", pl.lit(": "), "title").alias("title"))["title"].to_list(),
            }  # fmt: skip
        mix = class_mix(weights.filter(pl.col("class_code").is_in(sectors.implode())), group_shares, "group_uri")
        spread = distributed_demand(counts, mix, "group_uri", by=("region", "region_level", "class_code"))
        demand = spread.join(routes, on="class_code", how="left").select(
            "region", "region_level", "ds", "y", "route", sector="class_code", skill_group="group_uri"
        )
        frames.append(with_attributes(demand, freq=freq, sector_scheme=sector_scheme, hierarchy_level="skill_group",
                                      source=source, unit=unit))  # fmt: skip
        unmapped = unmapped_sectors(mix, sectors)
        total = float(counts["value"].sum())
        left = float(counts.filter(pl.col("class_code").is_in(unmapped))["value"].sum())
        report[source] = {"sectors": sectors.len(), "mapped": sectors.len() - len(unmapped), "unmapped": unmapped,
                          "value_mapped_share": round(1 - left / total, 6) if total else None, **extra}  # fmt: skip
    return pl.concat(frames), report
