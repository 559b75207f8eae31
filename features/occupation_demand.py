"""Who demands a skill: vacancies by ESCO occupation, each skill's weight and entry-level share, and jobseeker
pressure by region and skill group (pure polars). The occupation and skill mixes are the panel's own
(features/official_demand.py, features/skill_groups.py), so these figures agree with the demand series.
"""

from __future__ import annotations

import polars as pl

# ISCO-08 major groups whose occupations need skill level 1 or 2 (elementary and medium: no tertiary education):
# 4 clerical support, 5 services and sales, 6 agriculture, 7 craft, 8 operators, 9 elementary occupations.
ENTRY_MAJOR_GROUPS = ("4", "5", "6", "7", "8", "9")


def occupation_demand(counts: pl.DataFrame, weights: pl.DataFrame, occupations: pl.DataFrame) -> pl.DataFrame:
    """Vacancies by ESCO occupation. counts: class_code, value; weights: class_code, occupation_uri, weight
    (each class's weights sum to 1, `isco_occupation_weights`); occupations: occupation_uri. Without counts (no
    BA statistics) every occupation weighs 1. Returns occupation_uri, demand."""
    if counts.is_empty():
        return occupations.select("occupation_uri", demand=pl.lit(1.0)).sort("occupation_uri")
    return (
        counts.group_by("class_code")
        .agg(pl.col("value").sum())
        .join(weights, on="class_code")
        .group_by("occupation_uri")
        .agg((pl.col("value") * pl.col("weight")).sum().alias("demand"))
        .sort("occupation_uri")
    )


def skill_profile(demand: pl.DataFrame, occupation_skills: pl.DataFrame, occupations: pl.DataFrame) -> pl.DataFrame:
    """Each skill's demand weight and the share of it coming from entry-level occupations.

    demand: occupation_uri, demand; occupation_skills: occupation_uri, skill_uri, share (each occupation's
    profile sums to 1, `occupation_skill_shares`); occupations: occupation_uri, isco_group.
    weight = sum over occupations of demand x share; entry_share = the part of it from ISCO major groups 4-9.
    Returns skill, weight, entry_share (skills with weight 0 left out)."""
    entry = occupations.select(
        "occupation_uri", entry=pl.col("isco_group").str.slice(0, 1).is_in(list(ENTRY_MAJOR_GROUPS))
    )
    return (
        occupation_skills.join(demand, on="occupation_uri")
        .join(entry, on="occupation_uri", how="left")
        .with_columns(w=pl.col("demand") * pl.col("share"))
        .group_by(pl.col("skill_uri").alias("skill"))
        .agg(
            pl.col("w").sum().alias("weight"),
            pl.col("w").filter(pl.col("entry").fill_null(False)).sum().alias("entry_weight"),
        )
        .filter(pl.col("weight") > 0)
        .select("skill", "weight", entry_share=pl.col("entry_weight") / pl.col("weight"))
        .sort("skill")
    )


def within_group_shares(profile: pl.DataFrame, group_shares: pl.DataFrame) -> pl.DataFrame:
    """How a skill group's demand divides over its skills: each skill's demand weight times its share in the group,
    normalised per group. profile: skill, weight; group_shares: skill_uri, group_uri, share.
    Returns skill_group, skill, share (shares of a group sum to 1)."""
    return (
        profile.join(group_shares.rename({"skill_uri": "skill", "group_uri": "skill_group"}), on="skill")
        .with_columns(w=pl.col("weight") * pl.col("share"))
        .select("skill_group", "skill", share=pl.col("w") / pl.col("w").sum().over("skill_group"))
        .sort("skill_group", "skill")
    )


def jobseeker_pressure(unemployed: pl.DataFrame, vacancies: pl.DataFrame) -> pl.DataFrame:
    """Jobseeker pressure by region and skill group: pressure = U / (U + V), the share of jobseekers among
    jobseekers and openings near that skill group, and relative = pressure / the same share over all regions and
    groups (above 1: more jobseekers per opening than on average). unemployed, vacancies: region, skill_group, y
    (the same KldB -> skill-group spread as the demand, `distributed_demand`).
    Returns region, skill_group, pressure, relative."""
    both = unemployed.rename({"y": "u"}).join(
        vacancies.rename({"y": "v"}), on=["region", "skill_group"], how="full", coalesce=True
    )
    both = both.with_columns(pl.col("u").fill_null(0.0), pl.col("v").fill_null(0.0)).filter(
        pl.col("u") + pl.col("v") > 0
    )
    jobseekers, openings = float(both["u"].sum()), float(both["v"].sum())
    overall = jobseekers / (jobseekers + openings) if jobseekers + openings > 0 else 1.0  # no statistics at all
    return (
        both.with_columns(pressure=pl.col("u") / (pl.col("u") + pl.col("v")))
        .select("region", "skill_group", "pressure", relative=pl.col("pressure") / overall)
        .sort("region", "skill_group")
    )
