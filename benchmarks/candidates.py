"""Score candidate forecasts (a model, or the mean or median of several) relative to AutoETS on the tuning series,
the way every design of issue 4 was chosen (README, "Forecasting and backtests"): the same rolling-origin windows
as `moocast backtest` (2 calibration windows, then 2 scored), MASE of each candidate divided by AutoETS's on the
same windows, and the geometric mean over the sets. The rule used so far, set before looking: the candidate with
the lowest geometric mean over the three tuning sets, adopted only if lower than the design of the day.

Tuning sets (none is a goal series): `indeed_other` and `ba_other` are the files `benchmarks/tuning_series.py`
writes to `data/tune/` (BA's series with a hole are left out), `indeed_sector` is the panel's Indeed sector
level. The goal sets (`ons`, `indeed`, `ba`, as in benchmarks/accuracy.py) can be scored too, once a design is
fixed: scoring candidates there and choosing among them is what the goal forbids.

    python benchmarks/candidates.py "median(auto_ets,ets_ses,ets_damped)" thief_ets_var \\
        "median(auto_ets,ets_damped,auto_arima)" [--sets indeed_other indeed_sector ba_other] [--ba-sample N] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from accuracy import SOURCES, goal_panel

from models.backtest import cross_validation
from models.base import Forecaster, Panel
from models.frequency import FREQUENCIES, first_missing_periods
from pipelines.backtest import MODELS, panel_of, series_file, warehouse_panel, with_attributes
from pipelines.warehouse import connect

TUNING = ["indeed_other", "indeed_sector", "ba_other"]
CANDIDATE = re.compile(r"^(?:(mean|median)\(([\w,\s]+)\)|(\w+))$")


def parsed(candidate: str) -> tuple[str, list[str]]:
    """(how: single | mean | median, members) of "model", "mean(a,b)" or "median(a,b,c)"; SystemExit naming it."""
    match = CANDIDATE.match(candidate.strip())
    members = [m.strip() for m in (match.group(2) or match.group(3)).split(",")] if match else []
    unknown = [m for m in members if m not in MODELS]
    if not match or unknown:
        raise SystemExit(f"candidate {candidate!r}: write a model or mean(...)/median(...) of models "
                         f"({', '.join(MODELS)}){'; unknown: ' + ', '.join(unknown) if unknown else ''}")  # fmt: skip
    return match.group(1) or "single", members


def tuning_panel(warehouse: Path, tune: Path, name: str, ba_sample: int | None) -> Panel:
    """The panel of a tuning set (TUNING) or a goal set (accuracy.SOURCES)."""
    if name in SOURCES:
        return goal_panel(warehouse, name)[0]
    if name == "indeed_other":
        return panel_of(series_file(tune / "indeed_other.parquet"), "M", None, "mean", name)
    if name == "ba_other":
        series = series_file(tune / "ba_other.parquet")
        holes = first_missing_periods(series, FREQUENCIES["A"])["series_id"]
        series = series.filter(~pl.col("series_id").is_in(holes.implode()))
        if ba_sample:
            sample = series["series_id"].unique().sort().sample(n=ba_sample, seed=5)
            series = series.filter(pl.col("series_id").is_in(sample.implode()))
        return Panel(series, FREQUENCIES["A"])
    with connect(warehouse, read_only=True) as con:
        frame, attributes = warehouse_panel(con, "indeed", "sector")
    return with_attributes(panel_of(frame, "M", None, "mean", name), attributes)


def scored_errors(panel: Panel, factories: dict[str, Callable[[], Forecaster]]) -> pl.DataFrame:
    """One row per scored window, series and step of a backtest: y, each model's forecast and the window's MASE
    scale."""
    result = cross_validation(panel, factories, panel.freq.horizon, windows=2)
    keys = ["window", "series_id", "step", "y"]
    wide = result.forecasts.pivot(on="model", index=keys, values="yhat")
    return wide.join(result.scales, on=["window", "series_id"]).sort(keys)


def combined(wide: pl.DataFrame, how: str, members: Sequence[str]) -> np.ndarray:
    """The forecasts of a candidate (how: single | mean | median of `members`) in the rows of `wide`."""
    stack = np.column_stack([wide[m].to_numpy() for m in members])
    return {"single": stack[:, 0], "mean": stack.mean(axis=1), "median": np.median(stack, axis=1)}[how]  # type: ignore[no-any-return]


def mase_of(wide: pl.DataFrame) -> Callable[[np.ndarray], float]:
    """The MASE of forecasts in the rows of `wide`: equal steps per window and series, so the mean of the
    per-window MASEs."""
    y, scale = wide["y"].to_numpy(), wide["mae_scale"].to_numpy()
    return lambda yhat: float(np.mean(np.abs(y - yhat) / scale))


def candidate_ratios(panel: Panel, candidates: list[str]) -> dict[str, Any]:
    """MASE of AutoETS and of each candidate relative to it, on the scored windows of one backtest."""
    models = sorted({"auto_ets", *(m for c in candidates for m in parsed(c)[1])})
    wide = scored_errors(panel, {m: MODELS[m] for m in models})
    mase = mase_of(wide)
    ets = mase(wide["auto_ets"].to_numpy())
    ratios = {c: mase(combined(wide, *parsed(c))) / ets for c in candidates}
    return {"series": wide["series_id"].n_unique(), "auto_ets_mase": ets, "ratios": ratios}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("candidates", nargs="+", help='a model, "mean(a,b)" or "median(a,b,c)"')
    parser.add_argument("--sets", nargs="+", choices=TUNING + list(SOURCES), default=TUNING)
    parser.add_argument("--warehouse", type=Path, default=Path("data/warehouse.duckdb"))
    parser.add_argument("--tune", type=Path, default=Path("data/tune"), help="benchmarks/tuning_series.py's --out")
    parser.add_argument("--ba-sample", type=int, help="score only this many BA tuning series (a fixed sample)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args = parser.parse_args()
    for candidate in args.candidates:
        parsed(candidate)  # refuse a bad candidate before the first backtest
    found = {}
    for name in args.sets:
        start = time.perf_counter()
        found[name] = candidate_ratios(tuning_panel(args.warehouse, args.tune, name, args.ba_sample), args.candidates)
        print(f"candidates: {name} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    geometric = {c: math.exp(sum(math.log(f["ratios"][c]) for f in found.values()) / len(found))
                 for c in args.candidates}  # fmt: skip
    if args.json:
        print(json.dumps({"sets": found, "geometric_mean": geometric}, indent=2))
        return
    print("| candidate | " + " | ".join(f"{n} ({f['series']})" for n, f in found.items()) + " | geometric mean |")
    print("|---" * (len(found) + 2) + "|")
    for c in sorted(args.candidates, key=geometric.__getitem__):
        print(f"| {c} | " + " | ".join(f"{f['ratios'][c]:.4f}" for f in found.values()) + f" | {geometric[c]:.4f} |")


if __name__ == "__main__":
    main()
