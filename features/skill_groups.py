"""Skills to ESCO skill groups, and occupations to their skill mix (pure polars).

A skill reaches the groups of a hierarchy level by climbing its broader relations (skill -> broader skill or
skill group -> parent group). A skill with several broader concepts splits its weight equally between them, so
each skill's shares over the groups of a level sum to 1 (or to less when a path never reaches that level).
"""

from __future__ import annotations

import polars as pl

from features.panel import exact_sum

# Weight of a skill in an occupation's ESCO profile: essential skills count fully, optional ones half.
RELATION_WEIGHT = {"essential": 1.0, "optional": 0.5}
MAX_CLIMB = 12  # longer than any broader chain in ESCO; stops a cycle from looping forever


def skill_group_shares(broader: pl.DataFrame, groups: pl.DataFrame, level: int) -> pl.DataFrame:
    """Share of each skill in each skill group of `level`.

    broader: uri, broader_uri (skill pillar: skill -> skill, skill -> group, group -> group).
    groups:  uri, level (the skills hierarchy; a group's level is its depth, 0 = S, K, T, L).
    Returns skill_uri, group_uri, share (shares of a skill sum to at most 1)."""
    parents = broader.select("uri", "broader_uri").unique()
    parents = parents.with_columns(
        split=(1.0 / pl.len().over("uri")).cast(pl.Float64),
    )
    targets = groups.filter(pl.col("level") == level).select(pl.col("uri").alias("node")).unique()
    skills = parents.filter(~pl.col("uri").is_in(groups["uri"].implode())).select("uri").unique()
    frontier = skills.select(pl.col("uri").alias("skill_uri"), pl.col("uri").alias("node"), share=pl.lit(1.0))
    reached: list[pl.DataFrame] = []
    for _ in range(MAX_CLIMB):
        if frontier.is_empty():
            break
        done = frontier.join(targets, on="node", how="semi")
        reached.append(done)
        frontier = (
            frontier.join(targets, on="node", how="anti")
            .join(parents, left_on="node", right_on="uri")
            .select("skill_uri", pl.col("broader_uri").alias("node"), share=pl.col("share") * pl.col("split"))
            .group_by("skill_uri", "node")
            .agg(exact_sum(pl.col("share")))
        )
    return (
        pl.concat(reached)
        .group_by("skill_uri", pl.col("node").alias("group_uri"))
        .agg(exact_sum(pl.col("share")))
        .sort("skill_uri", "group_uri")
    )


def occupation_skill_shares(relations: pl.DataFrame) -> pl.DataFrame:
    """Share of each skill in each occupation's profile (essential 1, optional 0.5, normalised per occupation).

    relations: occupation_uri, skill_uri, relation_type. Returns occupation_uri, skill_uri, share."""
    weights = pl.DataFrame({"relation_type": list(RELATION_WEIGHT), "weight": list(RELATION_WEIGHT.values())})
    return (
        relations.join(weights, on="relation_type")
        .group_by("occupation_uri", "skill_uri")
        .agg(pl.col("weight").max())
        .with_columns(share=pl.col("weight") / exact_sum(pl.col("weight")).over("occupation_uri"))
        .select("occupation_uri", "skill_uri", "share")
        .sort("occupation_uri", "skill_uri")
    )


def occupation_group_shares(skill_shares: pl.DataFrame, group_shares: pl.DataFrame) -> pl.DataFrame:
    """Share of each skill group in each occupation's profile, renormalised over the skills that reach a group.

    skill_shares: occupation_uri, skill_uri, share; group_shares: skill_uri, group_uri, share."""
    return (
        skill_shares.join(group_shares.rename({"share": "group_share"}), on="skill_uri")
        .group_by("occupation_uri", "group_uri")
        .agg(exact_sum(pl.col("share") * pl.col("group_share")).alias("share"))
        .with_columns(pl.col("share") / exact_sum(pl.col("share")).over("occupation_uri"))
        .sort("occupation_uri", "group_uri")
    )
