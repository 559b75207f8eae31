"""How far the goal's AutoETS and seasonal-naive parts are from reach, in hindsight: every fixed combination of the
design 3 search (ten cheap models; each alone, every mean of 2 to 4 and every median of 3 and 5: 757 candidates)
scored on the goal series' own scored windows, and each series' best single model on its own windows (an oracle).

This is a bound, not a design: a candidate chosen here is chosen on the windows it is scored on, which is exactly
what the goal forbids ("on real series the models were not tuned on"). If even the best of these misses a part,
no fixed combination of these models can meet it honestly. Point forecasts only (intervals need no bound here).
Takes about 10 minutes on 2 cores (the BA panel: 24,802 series x 4 windows x 11 models).

    python benchmarks/hindsight.py [--warehouse data/warehouse.duckdb] [--sets ons indeed ba] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from accuracy import SOURCES, goal_panel
from candidates import combined, mase_of, scored_errors

from models.goal import MAX_VS_AUTO_ETS, MAX_VS_SEASONAL_NAIVE
from models.statistical import MIN_OBSERVATIONS, StatsForecastForecaster
from pipelines.backtest import MODELS

POOL = ["auto_ets", "naive", "window_average", "auto_theta", "auto_ces", "lightgbm", "lightgbm_direct", "ets_ses",
        "ets_holt", "ets_damped"]  # fmt: skip
# Holt's linear trend (not a model of moocast's: it lost in the design 3 search) was in that search's pool
FACTORIES = {m: MODELS[m] for m in POOL if m in MODELS} | {
    "seasonal_naive": MODELS["seasonal_naive"],
    "ets_holt": partial(StatsForecastForecaster, "ets_holt", "AutoETS", {"model": "ZAZ"}, MIN_OBSERVATIONS + 2),
}


def candidates() -> list[tuple[str, tuple[str, ...]]]:
    """(how, members) of the design 3 search: each model alone, every mean of 2-4, every median of 3 and 5."""
    return ([("single", (m,)) for m in POOL]
            + [("mean", c) for k in (2, 3, 4) for c in itertools.combinations(POOL, k)]
            + [("median", c) for k in (3, 5) for c in itertools.combinations(POOL, k)])  # fmt: skip


def bounds(wide: pl.DataFrame) -> dict[str, Any]:
    """The best candidate by MASE relative to AutoETS and to seasonal naive, how many meet each goal, the oracle,
    and every candidate's ratio to AutoETS (for the best across sets)."""
    mase = mase_of(wide)
    ets, snaive = mase(wide["auto_ets"].to_numpy()), mase(wide["seasonal_naive"].to_numpy())
    ratios = {f"{how}({', '.join(members)})": mase(combined(wide, how, members)) / ets for how, members in candidates()}
    errors = wide.select("series_id", *[((pl.col("y") - pl.col(m)).abs() / pl.col("mae_scale")).alias(m) for m in POOL])
    per_series = errors.group_by("series_id").agg(pl.col(POOL).mean())
    oracle = float(np.mean(per_series.select(pl.min_horizontal(POOL)).to_series().to_numpy()))
    best = min(ratios, key=ratios.__getitem__)
    return {
        "series": wide["series_id"].n_unique(),
        "auto_ets_mase": ets,
        "seasonal_naive_mase": snaive,
        "best": {"candidate": best, "vs_auto_ets": ratios[best], "vs_seasonal_naive": ratios[best] * ets / snaive},
        "meeting_auto_ets_part": sum(r <= MAX_VS_AUTO_ETS for r in ratios.values()),
        "meeting_seasonal_naive_part": sum(r * ets / snaive <= MAX_VS_SEASONAL_NAIVE for r in ratios.values()),
        "candidates": len(ratios),
        "oracle": {"vs_auto_ets": oracle / ets, "vs_seasonal_naive": oracle / snaive},
        "ratios": ratios,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("data/warehouse.duckdb"))
    parser.add_argument("--sets", nargs="+", choices=list(SOURCES), default=list(SOURCES))
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args = parser.parse_args()
    found = {}
    for name in args.sets:
        start = time.perf_counter()
        found[name] = bounds(scored_errors(goal_panel(args.warehouse, name)[0], FACTORIES))
        print(f"hindsight: {name} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    everywhere = {c: math.exp(sum(math.log(b["ratios"][c]) for b in found.values()) / len(found))
                  for c in found[args.sets[0]]["ratios"]}  # fmt: skip
    across = min(everywhere, key=everywhere.__getitem__)
    summary = {
        "sets": {name: {k: v for k, v in b.items() if k != "ratios"} for name, b in found.items()},
        "best_across_sets": {
            "candidate": across,
            "geometric_mean_vs_auto_ets": everywhere[across],
            **{name: b["ratios"][across] for name, b in found.items()},
        },
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print("| series | n | best of 757 in hindsight | / AutoETS | / seasonal naive | meeting <=0.95x AutoETS "
          "| meeting <=0.80x s. naive | oracle / AutoETS | oracle / s. naive |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name, b in summary["sets"].items():
        print(f"| {name} | {b['series']} | {b['best']['candidate']} | {b['best']['vs_auto_ets']:.3f} "
              f"| {b['best']['vs_seasonal_naive']:.3f} | {b['meeting_auto_ets_part']} "
              f"| {b['meeting_seasonal_naive_part']} | {b['oracle']['vs_auto_ets']:.3f} "
              f"| {b['oracle']['vs_seasonal_naive']:.3f} |")  # fmt: skip
    best = summary["best_across_sets"]
    print(f"best on every set at once (geometric mean): {best['candidate']}: "
          + ", ".join(f"{name} {best[name]:.3f}" for name in found) + " x AutoETS")  # fmt: skip


if __name__ == "__main__":
    main()
