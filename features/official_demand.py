"""Official vacancy counts by class (occupation group or sector) turned into skill demand (pure polars).

A class is whatever the statistics count vacancies by: a BA occupation group (KldB 2010, 3 digits), an ONS
SIC 2007 section, an Indeed occupational sector. Each class gets weights over ESCO occupations that sum to 1
(BA: KldB -> ISCO-08 unit groups by the BA crosswalk's shares -> the ESCO occupations of each unit group, equal
shares, a unit group without ESCO occupations falling back to its 3-digit minor group; sectors:
features/sector_occupations.py), then each occupation's skill mix (ESCO essential and optional skills). Every
vacancy is spread over skills with weights that sum to 1, so skill-group demand adds up to the vacancies.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from features.panel import exact_sum


def isco_occupation_weights(class_isco: pl.DataFrame, occupations: pl.DataFrame) -> pl.DataFrame:
    """Weight of each ESCO occupation in each class linked to ISCO-08 unit groups; weights of a class sum to 1.

    class_isco: class_code, isco, weight (e.g. the BA crosswalk's share of a KldB group in the ISCO unit group).
    occupations: occupation_uri, isco_group (4 digits). Returns class_code, occupation_uri, weight."""
    by_unit = occupations.select("occupation_uri", pl.col("isco_group").alias("isco"))
    by_minor = occupations.select("occupation_uri", pl.col("isco_group").str.slice(0, 3).alias("minor"))
    exact = class_isco.join(by_unit, on="isco")
    missing = class_isco.join(by_unit, on="isco", how="anti").with_columns(minor=pl.col("isco").str.slice(0, 3))
    fallback = missing.join(by_minor, on="minor").drop("minor")
    linked = pl.concat([exact, fallback.select(exact.columns)])
    return normalized_weights(linked.with_columns(weight=pl.col("weight") / pl.len().over("class_code", "isco")))


def normalized_weights(links: pl.DataFrame) -> pl.DataFrame:
    """class_code, occupation_uri, weight summed per pair and scaled so that each class's weights sum to 1."""
    return (
        links.group_by("class_code", "occupation_uri")
        .agg(exact_sum(pl.col("weight")))
        .with_columns(pl.col("weight") / exact_sum(pl.col("weight")).over("class_code"))
        .sort("class_code", "occupation_uri")
    )


def class_mix(weights: pl.DataFrame, occupation_mix: pl.DataFrame, key: str) -> pl.DataFrame:
    """Share of each skill or skill group (`key`) in each class.

    weights: class_code, occupation_uri, weight; occupation_mix: occupation_uri, `key`, share."""
    return (
        weights.join(occupation_mix, on="occupation_uri")
        .group_by("class_code", key)
        .agg(exact_sum(pl.col("weight") * pl.col("share")).alias("share"))
        .with_columns(pl.col("share") / exact_sum(pl.col("share")).over("class_code"))
        .sort("class_code", key)
    )


def distributed_demand(
    counts: pl.DataFrame, mix: pl.DataFrame, key: str, by: Sequence[str] = ("region",)
) -> pl.DataFrame:
    """Counts by class x period spread over `key` (skill or skill group) by the class's mix, summed over the
    classes within each `by` (pass "class_code" in `by` to keep the classes apart).

    counts: `by` columns, class_code, ds, value; mix: class_code, `key`, share. Returns `by`, `key`, ds, y;
    counts of classes the mix does not know are left out (see `unmapped_classes`). Every `by` x `key` series
    has a row for each period in which its `by` group counted any class the mix knows, 0 where those counts were
    all 0, so a series has no holes (forecasters read consecutive rows as consecutive periods)."""
    counted = counts.lazy().join(mix.lazy().select("class_code").unique(), on="class_code")
    spread = (
        counted.filter(pl.col("value") > 0)
        .join(mix.lazy(), on="class_code")
        .group_by(*by, key, "ds")
        .agg(exact_sum(pl.col("value") * pl.col("share")).alias("y"))
    )
    periods = counted.select(*by, "ds").unique()
    return (
        spread.select(*by, key)
        .unique()
        .join(periods, on=list(by))
        .join(spread, on=[*by, key, "ds"], how="left")
        .with_columns(pl.col("y").fill_null(0.0))
        .sort(*by, key, "ds")
        .collect()
    )


def unmapped_classes(counts: pl.DataFrame, mix: pl.DataFrame) -> pl.DataFrame:
    """Classes with counts but no skill mix, with their total count (class_code, value)."""
    return (
        counts.join(mix.select("class_code").unique(), on="class_code", how="anti")
        .group_by("class_code")
        .agg(exact_sum(pl.col("value")))
        .sort("class_code")
    )
