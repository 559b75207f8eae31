"""Hierarchies of the panel (pure polars): aggregate series rolled up from bottom series, and the
(parent, child) links that reconciliation needs.

A roll-up is a set of attribute overrides applied to bottom demand rows, e.g. {region: its state, region_level:
'state'} or {skill_group: 'ALL', hierarchy_level: 'total'}; the rows that then share every attribute and date
are summed into the parent series. Every link joins a parent to a *bottom* series, so any set of roll-ups
(regions x skill groups, crossed) is one summing matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from features.panel import ATTRIBUTES, series_id

Rollup = Mapping[str, pl.Expr]


def _overridden(bottom: pl.DataFrame, rollup: Rollup) -> pl.DataFrame:
    return bottom.with_columns(child=series_id()).with_columns(**rollup).with_columns(parent=series_id())


def rolled_up_demand(bottom: pl.DataFrame, rollups: Sequence[Rollup]) -> pl.DataFrame:
    """The parent series' demand rows (ATTRIBUTES, ds, y): bottom rows summed under each roll-up."""
    frames = [_overridden(bottom, rollup).group_by(*ATTRIBUTES, "ds").agg(pl.col("y").sum()) for rollup in rollups]
    return pl.concat(frames).select(*ATTRIBUTES, "ds", "y").sort(*ATTRIBUTES, "ds")


def hierarchy_links(bottom: pl.DataFrame, rollups: Sequence[Rollup], hierarchy: str) -> pl.DataFrame:
    """hierarchy, parent, child: every bottom series under each parent that a roll-up makes of it."""
    frames = [_overridden(bottom, rollup).select("parent", "child") for rollup in rollups]
    return (
        pl.concat(frames)
        .unique()
        .filter(pl.col("parent") != pl.col("child"))
        .with_columns(hierarchy=pl.lit(hierarchy))
        .select("hierarchy", "parent", "child")
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
