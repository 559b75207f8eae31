"""Coherent forecasts across a hierarchy: bottom-up and MinTrace-style reconciliation, non-negative (numpy).

A hierarchy is a table of (parent, child) links where every child is a bottom series; a parent is the sum of
its children (districts -> state, districts -> country, skills -> group ...). For forecasts ŷ of every node,
MinTrace gives bottom forecasts b = (S' W⁻¹ S)⁻¹ S' W⁻¹ ŷ with S the summing matrix and W either the identity
("mint_ols") or the diagonal of how many bottom series each node sums ("mint_wls_struct"); negative bottom
forecasts are set to 0 and every node is re-aggregated as S b, so the result is coherent and non-negative.

A split hierarchy (weighted links, a child under several parents: skills under their ESCO skill groups) is made
coherent the other way round, from its parents down (`split_reconciled`): the parents' forecasts are kept and the
children's move, each in proportion to its size, until their weighted sums are the parents'.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import sparse
from scipy.sparse.linalg import LinearOperator, cg

METHODS = ("bottom_up", "mint_ols", "mint_wls_struct")


def summing_matrix(links: pl.DataFrame, bottom: list[str]) -> tuple[list[str], sparse.csr_matrix]:
    """(node ids, S, sparse): the bottom series first (identity rows), then each parent (its children's columns,
    1 or the link's weight)."""
    parents = sorted(links["parent"].unique().to_list())
    position = {series: i for i, series in enumerate(bottom)}
    row_of = {parent: i for i, parent in enumerate(parents, start=len(bottom))}
    rows = [*range(len(bottom)), *(row_of[p] for p in links["parent"])]
    columns = [*range(len(bottom)), *(position[c] for c in links["child"])]
    weights = links["weight"].to_numpy() if "weight" in links.columns else np.ones(links.height)
    shape = (len(bottom) + len(parents), len(bottom))
    return [*bottom, *parents], sparse.csr_matrix((np.concatenate([np.ones(len(bottom)), weights]), (rows, columns)),
                                                  shape=shape)  # fmt: skip


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


def _split_step(weights: sparse.csr_matrix, children: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """The non-negative x closest to `children` in sum((x - children)^2 / children) with weights @ x = parents.
    A child forecast 0 stays 0 (its distance is infinite), except under a parent whose children are all 0: those
    take the parent in proportion to their weights. Children that the solution would make negative are set to 0
    and the rest solved again, until none is."""
    base = np.clip(children, 0, None)
    size = base.copy()
    empty = np.flatnonzero((weights @ base) <= 0)
    size[weights[empty].nonzero()[1]] = 1.0
    free = size > 0
    for _ in range(len(base) + 1):
        d = np.where(free, size, 0.0)
        x = np.where(free, base, 0.0)
        normal = (weights.multiply(d) @ weights.T).toarray()
        multipliers = np.linalg.lstsq(normal, parents - weights @ x, rcond=None)[0]
        solved = np.where(free, x + d * (weights.T @ multipliers), 0.0)
        if not (solved < 0).any():
            return solved
        free &= solved >= 0
    raise RuntimeError("split reconciliation did not settle")  # each round frees fewer children, so unreachable


def split_reconciled(forecasts: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """The children's coherent forecasts (series_id, step, yhat) under a split hierarchy (links: parent, child,
    weight; a parent is the weighted sum of its children): the parents' forecasts are kept, and the children's are
    the non-negative ones closest to their own forecasts (each moving in proportion to its size, so children of one
    parent are scaled by the parent over their sum: top-down by forecast proportions) whose weighted sums are the
    parents'. Every parent and child needs a forecast at every step."""
    children = sorted(set(links["child"]))
    parents = sorted(set(links["parent"]))
    steps, values = _node_by_step(forecasts, [*children, *parents])
    column = {child: i for i, child in enumerate(children)}
    row = {parent: i for i, parent in enumerate(parents)}
    weights = sparse.csr_matrix(
        (links["weight"].to_numpy(), ([row[p] for p in links["parent"]], [column[c] for c in links["child"]])),
        shape=(len(parents), len(children)),
    )
    n = len(children)
    split = np.column_stack([_split_step(weights, values[:n, j], values[n:, j]) for j in range(len(steps))])
    return pl.DataFrame(
        {
            "series_id": np.repeat(children, len(steps)),
            "step": np.tile(steps, n).astype(np.int32),
            "yhat": split.ravel(),
        }
    ).sort("series_id", "step")


def complete_links(links: pl.DataFrame, present: pl.Series) -> pl.DataFrame:
    """The links of parents whose own series and every child series are all in `present` (a parent missing
    any child would no longer be the sum of the children left)."""
    known = links.with_columns(ok=pl.col("child").is_in(present.implode()) & pl.col("parent").is_in(present.implode()))
    whole = known.group_by("parent").agg(pl.col("ok").all()).filter(pl.col("ok"))["parent"]
    return links.filter(pl.col("parent").is_in(whole.implode()))


def date_aligned_links(links: pl.DataFrame, forecasts: pl.DataFrame) -> pl.DataFrame:
    """The links of parents whose every child forecasts the same date as the parent at each step (forecasts:
    series_id, step, ds and, for a backtest's, window). Forecasts are reconciled step by step, so a parent whose
    data ends on another date than its children's (the ONS all-industries total, a month before its sectors)
    would be given its children's forecasts of another month: it is left as forecast instead."""
    keys = ["window", "step"] if "window" in forecasts.columns else ["step"]
    dates = forecasts.select("series_id", *keys, "ds").unique()
    pairs = links.join(dates.rename({"series_id": "parent", "ds": "parent_ds"}), on="parent").join(
        dates.rename({"series_id": "child", "ds": "child_ds"}), on=["child", *keys], how="left"
    )
    shifted = pairs.filter(pl.col("child_ds").is_null() | (pl.col("child_ds") != pl.col("parent_ds")))["parent"]
    return links.filter(~pl.col("parent").is_in(shifted.unique().implode()))


def observed_after_parents(series: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """series_id, ds, y: the observations of children dated after their parent's last one, which bottom-up by date
    adds up for a parent whose data ends earlier (lagging_sums)."""
    last = series.group_by("series_id").agg(last=pl.col("ds").max())
    after = links.join(last.rename({"series_id": "parent"}), on="parent").group_by("child").agg(pl.col("last").min())
    return (
        series.join(after.rename({"child": "series_id"}), on="series_id")
        .filter(pl.col("ds") > pl.col("last"))
        .select("series_id", "ds", "y")
        .sort("series_id", "ds")
    )


def lagging_sums(forecasts: pl.DataFrame, links: pl.DataFrame, observed: pl.DataFrame) -> pl.DataFrame:
    """series_id, step (and window), yhat: bottom-up by date for the parents whose forecasts begin before all their
    children's, because their data ends earlier (the ONS total, a month before its sectors): at each of the parent's
    dates, the (weighted) sum of its children's forecasts or, before a child's first forecast, its observed value
    (observed: series_id, ds, y; never a value from after the child's own data). forecasts: series_id, step, ds,
    yhat (and window). Parents with a child lacking both at some date are left out."""
    keys = ["window"] if "window" in forecasts.columns else []
    weight = pl.col("weight") if "weight" in links.columns else pl.lit(1.0)
    starts = forecasts.group_by("series_id", *keys).agg(start=pl.col("ds").min())
    pairs = links.join(starts.rename({"series_id": "parent", "start": "parent_start"}), on="parent").join(
        starts.rename({"series_id": "child"}), on=["child", *keys]
    )
    lagging = pairs.group_by("parent", *keys).agg(
        (pl.col("start") > pl.col("parent_start")).all().alias("lagging"), pl.len().alias("children")
    )
    lagging = (
        lagging.filter("lagging")
        .join(links.group_by("parent").agg(pl.len().alias("linked")), on="parent")
        .filter(pl.col("children") == pl.col("linked"))
    )
    dates = forecasts.select("series_id", *keys, "step", "ds").rename({"series_id": "parent"})
    needed = (
        lagging.select("parent", *keys)
        .join(dates, on=["parent", *keys])
        .join(pairs.select("parent", "child", *keys, "start", weight.alias("weight")), on=["parent", *keys])
    )
    values = needed.join(
        forecasts.select(pl.col("series_id").alias("child"), *keys, "ds", pl.col("yhat").alias("forecast")),
        on=["child", *keys, "ds"], how="left",
    ).join(observed.select(pl.col("series_id").alias("child"), "ds", pl.col("y").alias("seen")), on=["child", "ds"],
           how="left")  # fmt: skip
    value = pl.coalesce("forecast", pl.when(pl.col("ds") < pl.col("start")).then(pl.col("seen")))
    sums = values.group_by("parent", *keys, "step").agg(
        (value * pl.col("weight")).sum().alias("yhat"), value.is_null().any().alias("gap")
    )
    whole = sums.group_by("parent", *keys).agg(pl.col("gap").any()).filter(~pl.col("gap")).drop("gap")
    return (
        sums.join(whole, on=["parent", *keys])
        .select(pl.col("parent").alias("series_id"), *keys, pl.col("step").cast(pl.Int32), "yhat")
        .sort("series_id", *keys, "step")
    )


def coherence_error(forecasts: pl.DataFrame, links: pl.DataFrame) -> float:
    """The largest |parent - (weighted) sum of its children| over steps (0 for coherent forecasts); links: parent,
    child and, for weighted links, weight."""
    weight = pl.col("weight") if "weight" in links.columns else pl.lit(1.0)
    children = (
        links.join(forecasts.rename({"series_id": "child"}), on="child")
        .group_by("parent", "step")
        .agg((pl.col("yhat") * weight).sum().alias("children"))
    )
    joined = children.join(forecasts.rename({"series_id": "parent"}), on=["parent", "step"])
    return float((joined["yhat"] - joined["children"]).abs().max() or 0.0)  # type: ignore[arg-type]
