"""Which reconciliation a hierarchy gets, decided on the backtest like the per-series model choice (pure polars).

The served (`selected`) forecasts of every node of a hierarchy are reconciled window by window with each method
and scored against the actuals: MASE averaged over the hierarchy's nodes. A method is chosen on earlier
windows only when it is scored (bottom-up for the first window, as it needs no base forecasts of the
aggregates), and on every window for the forecasts that are served.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import polars as pl

from models.metrics import window_scores
from models.reconciliation import (
    METHODS,
    complete_links,
    date_aligned_links,
    lagging_sums,
    reconciled,
    split_reconciled,
)
from models.selection import SELECTED

Reconcile = Callable[[pl.DataFrame, pl.DataFrame], pl.DataFrame]  # (node forecasts, links) -> coherent ones
BASE = "base"  # the selected forecasts as they are, not coherent
MARGIN = 0.02  # how much lower (relative) a method's mean MASE must be than bottom-up's to be chosen


def _selected_and_present(forecasts: pl.DataFrame, links: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the backtest's selected forecasts, the links whose parent and children were all forecast in every window)."""
    selected = forecasts.filter(pl.col("model") == SELECTED)
    forecast = selected.group_by("series_id").agg(pl.col("yhat").is_not_null().all().alias("ok")).filter("ok")
    return selected, complete_links(links, forecast["series_id"])


def _summed(forecasts: pl.DataFrame, links: pl.DataFrame, observed: pl.DataFrame | None) -> pl.DataFrame:
    """lagging_sums of the parents whose data ends before their children's (none without `observed`)."""
    if observed is None:
        return pl.DataFrame(schema={"series_id": pl.String, "step": pl.Int32, "yhat": pl.Float64})
    return lagging_sums(forecasts, links, observed)


def _replaced(base: pl.DataFrame, values: pl.DataFrame) -> pl.DataFrame:
    """`base` (series_id, step, yhat, ...) with yhat taken from `values` (series_id, step, yhat) where it has one."""
    new = values.select("series_id", "step", pl.col("yhat").alias("new"))
    joined = base.join(new, on=["series_id", "step"], how="left", maintain_order="left")
    return joined.with_columns(yhat=pl.coalesce("new", "yhat")).drop("new")


def _method_scores(frames: list[pl.DataFrame], scales: pl.DataFrame) -> pl.DataFrame:
    """method, window, mase (mean over the nodes), nodes, from forecasts (model = the method, window, series_id,
    step, y, yhat)."""
    if not frames:
        return pl.DataFrame(schema={"method": pl.String, "window": pl.Int32, "mase": pl.Float64, "nodes": pl.Int64})
    scores = window_scores(pl.concat(frames), scales)
    return (
        scores.group_by("model", "window")
        .agg(pl.col("mase").mean(), pl.len().alias("nodes"))
        .rename({"model": "method"})
        .sort("method", "window")
        .with_columns(pl.col("window").cast(pl.Int32))
    )


def _hierarchy_parts(
    forecasts: pl.DataFrame, links: pl.DataFrame, observed: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(the backtest's selected forecasts, the links of parents forecast in every window with all their children,
    those of them whose nodes forecast the same dates, and the lagging parents' sums by date from `observed`)."""
    selected, present = _selected_and_present(forecasts, links)
    return selected, present, date_aligned_links(present, selected), _summed(selected, present, observed)


def reconciliation_scores(forecasts: pl.DataFrame, links: pl.DataFrame, scales: pl.DataFrame,
                          observed: pl.DataFrame | None = None) -> pl.DataFrame:  # fmt: skip
    """method (`base` and each of METHODS), window, mase (mean over the hierarchy's nodes), nodes.

    forecasts: a backtest's forecasts (model, window, series_id, step, ds, y, yhat); links: parent, child;
    scales: window, series_id, mae_scale, mse_scale. Only parents whose series and children were all forecast
    in every window take part, and only for the same dates; with `observed` (the series' history: series_id, ds,
    y), bottom-up also adds up, by date, the parents whose data ends before their children's (lagging_sums), which
    the other methods leave as forecast."""
    return _scores_of(*_hierarchy_parts(forecasts, links, observed), scales)


def _scores_of(selected: pl.DataFrame, present: pl.DataFrame, usable: pl.DataFrame, summed: pl.DataFrame,
               scales: pl.DataFrame) -> pl.DataFrame:  # fmt: skip
    """reconciliation_scores of the parts _hierarchy_parts gives."""
    lagging = present.filter(pl.col("parent").is_in(summed["series_id"].unique().implode()))
    nodes = pl.concat([usable["parent"], usable["child"], lagging["parent"], lagging["child"]]).unique()
    if nodes.is_empty():
        return _method_scores([], scales)
    frames = []
    for window in sorted(selected["window"].unique().to_list()):
        base = selected.filter((pl.col("window") == window) & pl.col("series_id").is_in(nodes.implode()))
        base = base.select("series_id", "step", "y", "window", "yhat")
        frames.append(base.with_columns(model=pl.lit(BASE)))
        for method in METHODS:
            coherent = base if usable.is_empty() else _replaced(base, reconciled(base, usable, method))
            if method == "bottom_up" and not summed.is_empty():
                coherent = _replaced(coherent, summed.filter(pl.col("window") == window))
            frames.append(coherent.with_columns(model=pl.lit(method)))
    return _method_scores(frames, scales)


def chosen_reconciliation(scores: pl.DataFrame) -> str:
    """bottom_up, unless another method beat it on every given window and by MARGIN on their mean MASE (then
    the best such method). Bottom-up needs no forecasts of the aggregates and is the safe default: with few
    windows, a method that wins one by a hair loses the next as often as not."""
    wide = scores.filter(pl.col("method").is_in(METHODS)).pivot(on="method", index="window", values="mase")
    if wide.is_empty() or "bottom_up" not in wide.columns:
        return "bottom_up"
    reference = wide["bottom_up"]
    winners = [
        (float(wide[m].mean()), m)  # type: ignore[arg-type]
        for m in METHODS[1:]
        if m in wide.columns
        and (wide[m] < reference).all()
        and float(wide[m].mean()) <= (1 - MARGIN) * float(reference.mean())  # type: ignore[arg-type]
    ]
    return min(winners)[1] if winners else "bottom_up"


def reconciliation_summary(scores: pl.DataFrame) -> dict[str, object]:
    """Mean MASE per method, the method served (chosen on all windows) and the MASE of choosing on earlier
    windows only (the honest estimate of what reconciling by backtest gives)."""
    windows = sorted(scores["window"].unique().to_list())
    rolling = [
        scores.filter(
            (pl.col("window") == w) & (pl.col("method") == chosen_reconciliation(scores.filter(pl.col("window") < w)))
        )["mase"].item()
        for w in windows
    ]
    means = scores.group_by("method").agg(pl.col("mase").mean()).sort("method")
    return {
        "method": chosen_reconciliation(scores),
        "nodes": int(scores.select(pl.col("nodes").max()).item() or 0),
        "mase": dict(means.iter_rows()),
        "chosen_on_earlier_windows_mase": sum(rolling) / len(rolling) if rolling else None,
    }


def split_summary(scores: pl.DataFrame) -> dict[str, object]:
    """Mean MASE of the split hierarchy's children per method (`base`, `split`) and how many there are."""
    means = scores.group_by("method").agg(pl.col("mase").mean()).sort("method")
    return {"nodes": int(scores.select(pl.col("nodes").max()).item() or 0), "mase": dict(means.iter_rows())}


def _moved(forecasts: pl.DataFrame, links: pl.DataFrame, reconcile: Reconcile,
           observed: pl.DataFrame | None = None) -> pl.DataFrame:  # fmt: skip
    """`forecasts` (series_id, step, ds, yhat and any of lo_80, hi_80, lo_95, hi_95) with the nodes of `links`'
    complete hierarchies whose nodes forecast the same dates made coherent by `reconcile` (series_id, step, yhat of
    the nodes, links -> the coherent ones) and, with `observed`, the parents whose data ends before their
    children's made their children's sums by date (lagging_sums); each interval moves with its point forecast,
    keeping its width, and stays non-negative. Other series are unchanged."""
    present = complete_links(links, forecasts["series_id"].unique())
    usable = date_aligned_links(present, forecasts)
    nodes = pl.concat([usable["parent"], usable["child"]]).unique()
    parts = [] if usable.is_empty() else [
        reconcile(forecasts.filter(pl.col("series_id").is_in(nodes.implode())).select("series_id", "step", "yhat"),
                  usable)
    ]  # fmt: skip
    parts.append(_summed(forecasts, present, observed).select("series_id", "step", "yhat"))
    coherent = pl.concat(parts).rename({"yhat": "coherent"})
    if coherent.is_empty():
        return forecasts
    shift = pl.col("coherent") - pl.col("yhat")
    bounds = [name for name in ("lo_80", "hi_80", "lo_95", "hi_95") if name in forecasts.columns]
    moved = {
        name: (pl.col(name) + shift).clip(0, pl.col("coherent")) if name.startswith("lo") else pl.col(name) + shift
        for name in bounds
    }
    return (
        forecasts.join(coherent, on=["series_id", "step"], how="left")
        .with_columns(
            **{name: pl.when(pl.col("coherent").is_null()).then(pl.col(name)).otherwise(e) for name, e in moved.items()}
        )
        .with_columns(yhat=pl.coalesce("coherent", "yhat"))
        .select(forecasts.columns)
    )


def coherent_forecasts(forecasts: pl.DataFrame, links: pl.DataFrame, method: str,
                       observed: pl.DataFrame | None = None) -> pl.DataFrame:  # fmt: skip
    """`forecasts` (series_id, step, ds, yhat, lo_80, hi_80, lo_95, hi_95, ...) with the hierarchy's nodes
    reconciled by `method`, and by bottom-up with `observed` (series_id, ds, y: observed_after_parents) also the
    parents whose data ends before their children's; each interval moves with its point forecast. Series outside
    the hierarchy are unchanged."""
    return _moved(forecasts, links, partial(reconciled, method=method), observed if method == "bottom_up" else None)


def split_forecasts(forecasts: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """`forecasts` with the children of a split hierarchy (links: parent, child, weight) moved to add up to their
    parents' forecasts (`split_reconciled`), each interval with its point forecast. Other series are unchanged."""
    return _moved(forecasts, links, split_reconciled)


def split_scores(forecasts: pl.DataFrame, links: pl.DataFrame, split: pl.DataFrame, method: str,
                 scales: pl.DataFrame, observed: pl.DataFrame | None = None) -> pl.DataFrame:  # fmt: skip
    """method (`base`, `split`), window, mase (mean over the split hierarchy's children), nodes: the children's
    selected forecasts as they are, and split from their parents after the parents were reconciled over `links` by
    `method`, as the served forecasts are. Only children forecast in every window, under parents that were, count."""
    selected, present = _selected_and_present(forecasts, split)
    usable = date_aligned_links(present, selected)
    if usable.is_empty():
        return _method_scores([], scales)
    children = usable["child"].unique()
    frames = []
    for window in sorted(selected["window"].unique().to_list()):
        base = selected.filter(pl.col("window") == window).select("series_id", "step", "ds", "y", "window", "yhat")
        coherent = split_forecasts(coherent_forecasts(base, links, method, observed), usable)
        for name, frame in ((BASE, base), ("split", coherent)):
            frames.append(frame.filter(pl.col("series_id").is_in(children.implode())).select(
                "series_id", "step", "y", "window", "yhat", model=pl.lit(name)))  # fmt: skip
    return _method_scores(frames, scales)


def reconciliation_report(forecasts: pl.DataFrame, links: pl.DataFrame, split: pl.DataFrame, scales: pl.DataFrame,
                          observed: pl.DataFrame | None = None) -> dict[str, object]:  # fmt: skip
    """What reconciling a backtest's selected forecasts gives: reconciliation_summary over `links`; the parents
    whose data ends before their children's that bottom-up adds up by date from `observed` (the series' history:
    `summed_by_date`) and the parents left as forecast because their dates are not their children's; with split
    links (`split` not empty) `split`: the split hierarchy's children as forecast and split (split_summary)."""
    parts = _hierarchy_parts(forecasts, links, observed)
    _, present, usable, summed = parts
    report = reconciliation_summary(_scores_of(*parts, scales))
    added = set(summed["series_id"]) if report["method"] == "bottom_up" else set()
    report["summed_by_date"] = sorted(added)
    report["parents_off_their_childrens_dates"] = sorted(set(present["parent"]) - set(usable["parent"]) - added)
    if not split.is_empty():
        report["split"] = split_summary(split_scores(forecasts, links, split, str(report["method"]), scales, observed))
    return report
