"""Official vacancy counts by occupation turned into skill demand (pure polars).

Route: BA occupation group (KldB 2010, 3 digits) -> ISCO-08 unit groups (the BA crosswalk's shares) -> the ESCO
occupations of each unit group (equal shares; a unit group without ESCO occupations falls back to the ESCO
occupations of its 3-digit minor group) -> each occupation's skill mix (ESCO essential and optional skills).
Every vacancy is spread over skills with weights that sum to 1, so skill-group demand adds up to the vacancies.
"""

from __future__ import annotations

import polars as pl


def kldb_occupation_weights(kldb_isco: pl.DataFrame, occupations: pl.DataFrame) -> pl.DataFrame:
    """Weight of each ESCO occupation in each KldB group; weights of a group sum to 1.

    kldb_isco: kldb, isco, weight (the crosswalk's share of the KldB group in the ISCO unit group).
    occupations: occupation_uri, isco_group (4 digits). Returns kldb, occupation_uri, weight."""
    by_unit = occupations.select("occupation_uri", pl.col("isco_group").alias("isco"))
    by_minor = occupations.select("occupation_uri", pl.col("isco_group").str.slice(0, 3).alias("minor"))
    exact = kldb_isco.join(by_unit, on="isco")
    missing = kldb_isco.join(by_unit, on="isco", how="anti").with_columns(minor=pl.col("isco").str.slice(0, 3))
    fallback = missing.join(by_minor, on="minor").drop("minor")
    linked = pl.concat([exact, fallback.select(exact.columns)])
    return (
        linked.with_columns(weight=pl.col("weight") / pl.len().over("kldb", "isco"))
        .group_by("kldb", "occupation_uri")
        .agg(pl.col("weight").sum())
        .with_columns(pl.col("weight") / pl.col("weight").sum().over("kldb"))
        .sort("kldb", "occupation_uri")
    )


def class_mix(weights: pl.DataFrame, occupation_mix: pl.DataFrame, key: str) -> pl.DataFrame:
    """Share of each skill or skill group (`key`) in each KldB group.

    weights: kldb, occupation_uri, weight; occupation_mix: occupation_uri, `key`, share."""
    return (
        weights.join(occupation_mix, on="occupation_uri")
        .group_by("kldb", key)
        .agg((pl.col("weight") * pl.col("share")).sum().alias("share"))
        .with_columns(pl.col("share") / pl.col("share").sum().over("kldb"))
        .sort("kldb", key)
    )


def distributed_demand(counts: pl.DataFrame, mix: pl.DataFrame, key: str) -> pl.DataFrame:
    """Counts by region x KldB group x period spread over `key` (skill or skill group) by the group's mix.

    counts: region, kldb, ds, value; mix: kldb, `key`, share. Returns region, `key`, ds, y; counts of KldB
    groups the mix does not know are left out (see `unmapped_classes`)."""
    return (
        counts.lazy()
        .filter(pl.col("value") > 0)
        .join(mix.lazy(), on="kldb")
        .group_by("region", key, "ds")
        .agg((pl.col("value") * pl.col("share")).sum().alias("y"))
        .sort("region", key, "ds")
        .collect()
    )


def unmapped_classes(counts: pl.DataFrame, mix: pl.DataFrame) -> pl.DataFrame:
    """KldB groups with counts but no skill mix, with their total count (kldb, value)."""
    return (
        counts.join(mix.select("kldb").unique(), on="kldb", how="anti")
        .group_by("kldb")
        .agg(pl.col("value").sum())
        .sort("kldb")
    )
