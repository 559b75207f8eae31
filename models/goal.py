"""Issue 4's accuracy goal, scored on a backtest summary: the selected model's MASE at most 0.95x AutoETS's and
0.80x seasonal naive's on the same windows, and its 80% intervals covering within 7 points of 80%."""

from __future__ import annotations

from typing import Any

import polars as pl

MAX_VS_AUTO_ETS = 0.95
MAX_VS_SEASONAL_NAIVE = 0.80
NOMINAL_80, COVERAGE_TOLERANCE = 0.80, 0.07
REFERENCES = ("selected", "auto_ets", "seasonal_naive")


def goal_scores(summary: pl.DataFrame) -> dict[str, Any] | None:
    """The goal's three parts from a summary (model, mase, coverage_80, series: models/metrics.model_summary of a
    backtest's scores, or of some of its series'): each ratio or coverage with whether it is met; None when
    selected, auto_ets or seasonal_naive was not backtested."""
    rows = {row["model"]: row for row in summary.iter_rows(named=True)}
    if not all(model in rows for model in REFERENCES):
        return None
    selected = rows["selected"]
    coverage = selected["coverage_80"]
    return {
        "series": selected["series"],
        "vs_auto_ets": _relative(selected["mase"], rows["auto_ets"]["mase"], MAX_VS_AUTO_ETS),
        "vs_seasonal_naive": _relative(selected["mase"], rows["seasonal_naive"]["mase"], MAX_VS_SEASONAL_NAIVE),
        "coverage_80": {
            "coverage": coverage,
            "goal": [NOMINAL_80 - COVERAGE_TOLERANCE, NOMINAL_80 + COVERAGE_TOLERANCE],
            "met": abs(coverage - NOMINAL_80) <= COVERAGE_TOLERANCE + 1e-12,
        },
    }


def _relative(mase: float, reference: float, goal: float) -> dict[str, Any]:
    """{ratio, goal, met} of `mase` against a reference model's: met when mase <= goal x reference. A reference that
    forecast every window exactly (MASE 0, e.g. seasonal naive on series that repeat each season) has no ratio
    (None); only an exact selected forecast meets it then."""
    if reference == 0:
        return {"ratio": None, "goal": goal, "met": mase == 0}
    return {"ratio": mase / reference, "goal": goal, "met": mase / reference <= goal}
