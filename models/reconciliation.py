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
from scipy import sparse
from scipy.sparse.linalg import LinearOperator, cg

METHODS = ("bottom_up", "mint_ols", "mint_wls_struct")


def summing_matrix(links: pl.DataFrame, bottom: list[str]) -> tuple[list[str], sparse.csr_matrix]:
    """(node ids, S, sparse): the bottom series first (identity rows), then each parent (its children's columns)."""
    parents = sorted(links["parent"].unique().to_list())
    position = {series: i for i, series in enumerate(bottom)}
    row_of = {parent: i for i, parent in enumerate(parents, start=len(bottom))}
    rows = [*range(len(bottom)), *(row_of[p] for p in links["parent"])]
    columns = [*range(len(bottom)), *(position[c] for c in links["child"])]
    shape = (len(bottom) + len(parents), len(bottom))
    return [*bottom, *parents], sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=shape)


def _mint_bottom(matrix: sparse.csr_matrix, weights: np.ndarray, base: np.ndarray) -> np.ndarray:
    """b = (S' W^-1 S)^-1 S' W^-1 y for a diagonal W, per column of y, by conjugate gradients: S' W^-1 S is
    symmetric positive definite (it is I plus non-negative terms) and never formed, since a parent over every
    bottom series would make it dense."""
    inverse = sparse.csr_matrix(matrix.T.multiply(1.0 / weights))  # S' W^-1
    n = matrix.shape[1]
    normal = LinearOperator((n, n), matvec=lambda x: inverse @ (matrix @ x), dtype=float)
    jacobi = 1.0 / np.asarray(inverse.multiply(matrix.T).sum(axis=1)).ravel()  # the diagonal of S' W^-1 S
    preconditioner = LinearOperator((n, n), matvec=lambda x: jacobi * x, dtype=float)
    right = inverse @ base
    bottom = np.empty((n, base.shape[1]))
    for column in range(base.shape[1]):
        solved, info = cg(normal, right[:, column], x0=base[:n, column], rtol=1e-12, atol=0.0, maxiter=20 * n,
                          M=preconditioner)  # fmt: skip
        if info != 0:
            raise RuntimeError(f"MinTrace did not converge ({info} iterations) for forecast step {column + 1}")
        bottom[:, column] = solved
    return bottom


def _node_by_step(forecasts: pl.DataFrame, nodes: list[str]) -> tuple[list[int], np.ndarray]:
    """(steps, array nodes x steps) of the forecasts' yhat; every node needs a forecast at every step."""
    steps = sorted(forecasts["step"].unique().to_list())
    order = pl.DataFrame({"series_id": nodes, "row": np.arange(len(nodes))})
    located = forecasts.join(order, on="series_id").with_columns(column=pl.col("step").rank("dense").cast(pl.Int64) - 1)
    base = np.full((len(nodes), len(steps)), np.nan)
    base[located["row"].to_numpy(), located["column"].to_numpy()] = located["yhat"].to_numpy()
    if np.isnan(base).any():
        gaps = [nodes[i] for i in np.flatnonzero(np.isnan(base).any(axis=1))]
        raise ValueError(f"no base forecast for {len(gaps)} node(s), e.g. {gaps[:3]}")
    return steps, base


def reconciled(forecasts: pl.DataFrame, links: pl.DataFrame, method: str) -> pl.DataFrame:
    """Coherent forecasts (series_id, step, yhat) of every node of the hierarchy, from base forecasts of every
    node (bottom_up needs only the bottom ones)."""
    if method not in METHODS:
        raise ValueError(f"unknown reconciliation {method!r}: use one of {', '.join(METHODS)}")
    bottom = sorted(set(links["child"]) - set(links["parent"]))
    nodes, matrix = summing_matrix(links, bottom)
    needed = bottom if method == "bottom_up" else nodes
    steps, base = _node_by_step(forecasts, needed)
    if method == "bottom_up":
        base_bottom = base
    else:
        weights = np.ones(len(nodes)) if method == "mint_ols" else np.asarray(matrix.sum(axis=1)).ravel()
        base_bottom = _mint_bottom(matrix, weights, base)
    coherent = matrix @ np.clip(base_bottom, 0, None)
    return pl.DataFrame(
        {
            "series_id": np.repeat(nodes, len(steps)),
            "step": np.tile(steps, len(nodes)).astype(np.int32),
            "yhat": coherent.ravel(),
        }
    ).sort("series_id", "step")


def complete_links(links: pl.DataFrame, present: pl.Series) -> pl.DataFrame:
    """The links of parents whose own series and every child series are all in `present` (a parent missing
    any child would no longer be the sum of the children left)."""
    known = links.with_columns(ok=pl.col("child").is_in(present.implode()) & pl.col("parent").is_in(present.implode()))
    whole = known.group_by("parent").agg(pl.col("ok").all()).filter(pl.col("ok"))["parent"]
    return links.filter(pl.col("parent").is_in(whole.implode()))


def coherence_error(forecasts: pl.DataFrame, links: pl.DataFrame) -> float:
    """The largest |parent - sum of its children| over steps (0 for coherent forecasts)."""
    children = (
        links.join(forecasts.rename({"series_id": "child"}), on="child")
        .group_by("parent", "step")
        .agg(pl.col("yhat").sum().alias("children"))
    )
    joined = children.join(forecasts.rename({"series_id": "parent"}), on=["parent", "step"])
    return float((joined["yhat"] - joined["children"]).abs().max() or 0.0)  # type: ignore[arg-type]
