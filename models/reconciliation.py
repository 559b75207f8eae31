"""Coherent forecasts across a hierarchy: bottom-up and MinTrace-style reconciliation, non-negative (numpy).

A hierarchy is a table of (parent, child) links where every child is a bottom series; a parent is the sum of
its children (districts -> state, districts -> country, skills -> group ...). For forecasts ŷ of every node,
MinTrace gives bottom forecasts b = (S' W⁻¹ S)⁻¹ S' W⁻¹ ŷ with S the summing matrix and W either the identity
("mint_ols") or the diagonal of how many bottom series each node sums ("mint_wls_struct"); negative bottom
forecasts are set to 0 and every node is re-aggregated as S b, so the result is coherent and non-negative.
"""

from __future__ import annotations

import numpy as np
import polars as pl

METHODS = ("bottom_up", "mint_ols", "mint_wls_struct")


def summing_matrix(links: pl.DataFrame, bottom: list[str]) -> tuple[list[str], np.ndarray]:
    """(node ids, S): the bottom series first (identity rows), then each parent (its children's columns)."""
    parents = sorted(links["parent"].unique().to_list())
    position = {series: i for i, series in enumerate(bottom)}
    matrix = np.zeros((len(bottom) + len(parents), len(bottom)))
    matrix[: len(bottom)] = np.eye(len(bottom))
    for row, parent in enumerate(parents, start=len(bottom)):
        for child in links.filter(pl.col("parent") == parent)["child"]:
            matrix[row, position[child]] = 1.0
    return [*bottom, *parents], matrix


def reconciled(forecasts: pl.DataFrame, links: pl.DataFrame, method: str) -> pl.DataFrame:
    """Coherent forecasts (series_id, step, yhat) of every node of the hierarchy, from base forecasts of every
    node (bottom_up needs only the bottom ones)."""
    if method not in METHODS:
        raise ValueError(f"unknown reconciliation {method!r}: use one of {', '.join(METHODS)}")
    bottom = sorted(set(links["child"]) - set(links["parent"]))
    nodes, matrix = summing_matrix(links, bottom)
    wide = forecasts.pivot(on="series_id", index="step", values="yhat").sort("step")
    missing = [n for n in (bottom if method == "bottom_up" else nodes) if n not in wide.columns]
    if missing:
        raise ValueError(f"no base forecast for {len(missing)} node(s), e.g. {missing[:3]}")
    if method == "bottom_up":
        base_bottom = wide.select(bottom).to_numpy().T
    else:
        weights = np.ones(len(nodes)) if method == "mint_ols" else matrix.sum(axis=1)
        inverse = matrix.T / weights  # S' W^-1 for a diagonal W
        projection = np.linalg.solve(inverse @ matrix, inverse)
        base_bottom = projection @ wide.select(nodes).to_numpy().T
    coherent = matrix @ np.clip(base_bottom, 0, None)
    steps = wide["step"].to_list()
    return pl.DataFrame(
        {
            "series_id": np.repeat(nodes, len(steps)),
            "step": np.tile(steps, len(nodes)).astype(np.int32),
            "yhat": coherent.ravel(),
        }
    ).sort("series_id", "step")


def coherence_error(forecasts: pl.DataFrame, links: pl.DataFrame) -> float:
    """The largest |parent - sum of its children| over steps (0 for coherent forecasts)."""
    children = (
        links.join(forecasts.rename({"series_id": "child"}), on="child")
        .group_by("parent", "step")
        .agg(pl.col("yhat").sum().alias("children"))
    )
    joined = children.join(forecasts.rename({"series_id": "parent"}), on=["parent", "step"])
    return float((joined["yhat"] - joined["children"]).abs().max() or 0.0)  # type: ignore[arg-type]
