"""Issue 4's accuracy goal on its goal series, in one command: the backtests the README's goal table comes from
(`moocast backtest --source ons`; `--source indeed --level total --freq M --how mean`; `--source ba`, and its BA
district series alone), each scored against the goal (models/goal.py): selected MASE <= 0.95x AutoETS and
<= 0.80x seasonal naive on the same windows, 80% coverage within 7 points of 80%.

Only the models the goal needs run by default: seasonal naive, AutoETS and the ensemble's members (`selected` is
their median, as in a backtest with every model), so the three sources take about 3 minutes on 2 cores; the
figures are those of `moocast backtest` with the default models. Nothing is written: the warehouse is opened
read-only.

    python benchmarks/accuracy.py [--warehouse data/warehouse.duckdb] [--sets ons indeed ba ba_districts]
                                  [--windows 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

from models.base import Panel
from models.goal import REFERENCES, goal_scores
from models.metrics import model_summary
from pipelines.backtest import ENSEMBLE, panel_of, run_backtest, warehouse_panel, with_attributes
from pipelines.warehouse import connect

# set name -> (source, hierarchy level, frequency, aggregation): the goal series named by issue 4
SOURCES = {
    "ons": ("ons", None, None, "mean"),
    "indeed": ("indeed", "total", "M", "mean"),
    "ba": ("ba", None, None, "mean"),
}
SETS = ["ons", "indeed", "ba", "ba_districts"]  # ba_districts: the BA backtest's district series alone
MODELS = list(dict.fromkeys(["seasonal_naive", "auto_ets", *ENSEMBLE]))


def goal_panel(warehouse: Path, name: str) -> tuple[Panel, pl.DataFrame]:
    """The panel of one of SOURCES as `moocast backtest --source` reads it, and its series attributes."""
    source, level, freq, how = SOURCES[name]
    with connect(warehouse, read_only=True) as con:
        frame, attributes = warehouse_panel(con, source, level)
    return with_attributes(panel_of(frame, freq, None, how, f"panel source={source}"), attributes), attributes


def goal_rows(warehouse: Path, sets: list[str], windows: int) -> list[dict[str, Any]]:
    """One row per goal set: its goal scores (models/goal.py) with the three models' MASE and the seconds taken."""
    rows = []
    for name in SOURCES:
        wanted = [s for s in sets if s == name or s.startswith(f"{name}_")]
        if not wanted:
            continue
        start = time.perf_counter()
        panel, attributes = goal_panel(warehouse, name)
        result = run_backtest(panel, MODELS, panel.freq.horizon, windows)
        seconds = time.perf_counter() - start
        print(f"accuracy: {name} backtested in {seconds:.0f} s", file=sys.stderr)
        for goal_set in wanted:
            summary = result.summary
            if goal_set.endswith("_districts"):
                districts = attributes.filter(pl.col("region_level") == "district")["series_id"].implode()
                summary = model_summary(result.scores.filter(pl.col("series_id").is_in(districts)))
            scores = goal_scores(summary)
            if scores is None:
                raise SystemExit(f"{goal_set}: the backtest scored no selected, auto_ets or seasonal_naive")
            mase = dict(zip(summary["model"], summary["mase"], strict=True))
            rows.append({"set": goal_set, "seconds": round(seconds, 1), **scores,
                         "mase": {m: mase[m] for m in REFERENCES}})  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("data/warehouse.duckdb"))
    parser.add_argument("--sets", nargs="+", choices=SETS, default=SETS)
    parser.add_argument("--windows", type=int, default=2, help="scored windows (2 more calibrate)")
    parser.add_argument("--json", action="store_true", help="one JSON list instead of the table")
    args = parser.parse_args()
    rows = goal_rows(args.warehouse, args.sets, args.windows)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print("| series | n | selected MASE | / AutoETS (<=0.95) | / seasonal naive (<=0.80) | coverage 80% (0.73-0.87) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        ets, snaive, cover = row["vs_auto_ets"], row["vs_seasonal_naive"], row["coverage_80"]
        print(f"| {row['set']} | {row['series']} | {row['mase']['selected']:.3f} "
              f"| {ets['ratio']:.3f} ({'met' if ets['met'] else 'not met'}) "
              f"| {snaive['ratio']:.3f} ({'met' if snaive['met'] else 'not met'}) "
              f"| {cover['coverage']:.3f} ({'met' if cover['met'] else 'not met'}) |")  # fmt: skip
    met = sum(row[part]["met"] for row in rows for part in ("vs_auto_ets", "vs_seasonal_naive", "coverage_80"))
    print(f"{met} of {3 * len(rows)} parts met")


if __name__ == "__main__":
    main()
