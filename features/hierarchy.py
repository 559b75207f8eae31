"""Hierarchies of the panel (pure polars): aggregate series rolled up from bottom series, and the
(parent, child) links that reconciliation needs.

A roll-up is a set of attribute overrides applied to bottom demand rows, e.g. {region: its state, region_level:
'state'} or {skill_group: 'ALL', hierarchy_level: 'total'}; the rows that then share every attribute and date
are summed into the parent series. Every link joins a parent to a *bottom* series, so any set of roll-ups
(regions x skill groups, crossed) is one summing matrix.

A split hierarchy (SPLIT_HIERARCHIES) has weighted links instead: a single skill belongs to one or more ESCO skill
groups with shares that sum to 1, and each skill group series is the share-weighted sum of its skill series.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from features.panel import ALL, ATTRIBUTES, exact_sum, series_id

Rollup = Mapping[str, pl.Expr]


def _overridden(bottom: pl.DataFrame, rollup: Rollup) -> pl.DataFrame:
    return bottom.with_columns(child=series_id()).with_columns(**rollup).with_columns(parent=series_id())


def rolled_up_demand(bottom: pl.DataFrame, rollups: Sequence[Rollup]) -> pl.DataFrame:
    """The parent series' demand rows (ATTRIBUTES, ds, y): bottom rows summed under each roll-up."""
    frames = [_overridden(bottom, rollup).group_by(*ATTRIBUTES, "ds").agg(exact_sum(pl.col("y"))) for rollup in rollups]
    return pl.concat(frames).select(*ATTRIBUTES, "ds", "y").sort(*ATTRIBUTES, "ds")


def hierarchy_links(bottom: pl.DataFrame, rollups: Sequence[Rollup], hierarchy: str) -> pl.DataFrame:
    """hierarchy, parent, child, weight (1): every bottom series under each parent that a roll-up makes of it."""
    frames = [_overridden(bottom, rollup).select("parent", "child") for rollup in rollups]
    return (
        pl.concat(frames)
        .unique()
        .filter(pl.col("parent") != pl.col("child"))
        .with_columns(hierarchy=pl.lit(hierarchy), weight=pl.lit(1.0))
        .select("hierarchy", "parent", "child", "weight")
        .sort("parent", "child")
    )


def _rollup(**overrides: str | pl.Expr) -> Rollup:
    return {name: value if isinstance(value, pl.Expr) else pl.lit(value) for name, value in overrides.items()}


_STATE = pl.col("region").str.slice(0, 2)  # a German district's AGS code starts with its state's
_ALL_GROUPS = {"skill_group": "ALL", "hierarchy_level": "total"}
# BA district x skill-group series add up to states (Länder) and Germany, and over skill groups to all skills.
BA_ROLLUPS: list[Rollup] = [
    _rollup(region=_STATE, region_level="state", route="sum of the BA district series of the state"),
    _rollup(region="DE", region_level="country", route="sum of the BA district series of Germany"),
    _rollup(**_ALL_GROUPS, route="sum of the BA skill-group series of the district"),
    _rollup(region=_STATE, region_level="state", **_ALL_GROUPS, route="sum of the BA district series of the state"),
    _rollup(region="DE", region_level="country", **_ALL_GROUPS, route="sum of the BA district series of Germany"),
]
# ONS sector series add up to the published all-industries total (a series of its own, not rolled up).
ONS_ROLLUPS: list[Rollup] = [_rollup(sector="ALL", sector_scheme="none", hierarchy_level="total")]
# ONS and Indeed sector x skill-group series add up to their sector series (which are published, not rolled up).
SECTOR_ROLLUPS: list[Rollup] = [_rollup(**_ALL_GROUPS | {"hierarchy_level": "sector"})]
# Hierarchies whose children are fixed shares of their parent (a sector spread by one static skill mix): the
# children are derived from the parent, never trained on (`moocast train` and `backtest` leave them out).
DERIVED_HIERARCHIES = {source: f"{source}_sector_x_skill_group" for source in ("ons", "indeed")}
# Hierarchies of single skills under skill groups (BA's Germany x skill series, the share-weighted parts of the
# Germany x skill-group series that the districts also add up to): the skills' forecasts are split from their
# groups' coherent forecasts (models/reconciliation.py, `split_reconciled`), never the groups summed from them.
SPLIT_HIERARCHIES = {"ba": "ba_skill_x_skill_group"}


def split_links(skills: pl.DataFrame, shares: pl.DataFrame, hierarchy: str) -> pl.DataFrame:
    """hierarchy, parent, child, weight: each skill series (rows with ATTRIBUTES, `skill` set) under the skill-group
    series of the same source, region, sector and occupation, weighted by the skill's share of the group, and under
    their all-skills total with weight 1. shares: skill, skill_group, share (a skill's shares sum to 1)."""
    children = skills.select(*ATTRIBUTES).unique().with_columns(child=series_id())
    groups = (
        children.drop("skill_group")
        .join(shares.rename({"share": "weight"}), on="skill")
        .with_columns(skill=pl.lit(ALL), hierarchy_level=pl.lit("skill_group"))
    )
    total = children.with_columns(skill=pl.lit(ALL), skill_group=pl.lit(ALL), hierarchy_level=pl.lit("total"),
                                  weight=pl.lit(1.0))  # fmt: skip
    return (
        pl.concat([frame.select(parent=series_id(), child="child", weight="weight") for frame in (groups, total)])
        .with_columns(hierarchy=pl.lit(hierarchy))
        .select("hierarchy", "parent", "child", "weight")
        .sort("parent", "child")
    )


def fixed_shares(series: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """parent, child, share: each child's share of its parent over the dates both have (sum of the child's values
    over the sum of the parent's), for children that are fixed shares of their parent (DERIVED_HIERARCHIES).

    series: series_id, ds, y; links: parent, child. Parents whose values sum to 0 get no shares."""
    values = series.select("series_id", "ds", "y")
    return (
        links.join(values.rename({"series_id": "child"}), on="child")
        .join(values.rename({"series_id": "parent", "y": "parent_y"}), on=["parent", "ds"])
        .group_by("parent", "child")
        .agg(exact_sum(pl.col("y")), exact_sum(pl.col("parent_y")))
        .filter(pl.col("parent_y") > 0)
        .select("parent", "child", share=pl.col("y") / pl.col("parent_y"))
        .sort("parent", "child")
    )


def derived_forecasts(forecasts: pl.DataFrame, shares: pl.DataFrame) -> pl.DataFrame:
    """The children's forecasts: their parent's point forecast and interval bounds times the child's share (a
    fixed share scales every quantile), the parent's model kept. forecasts: series_id, step, ds, yhat, lo_80,
    hi_80, lo_95, hi_95, model; shares: parent, child, share. Returns the same columns for the children."""
    scaled = ["yhat", "lo_80", "hi_80", "lo_95", "hi_95"]
    return (
        forecasts.rename({"series_id": "parent"})
        .join(shares, on="parent")
        .with_columns(pl.col(scaled) * pl.col("share"))
        .select(pl.col("child").alias("series_id"), "step", "ds", *scaled, "model")
        .sort("series_id", "step")
    )
