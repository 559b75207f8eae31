"""The promotion gate: the current champion's configuration backtested on the same panel and windows as a new
version, so that a version is promoted only by beating it there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from models.base import Panel
from pipelines.backtest import ensemble_members, run_backtest

LEGACY_ENSEMBLE = ["auto_ets", "auto_arima", "lightgbm_direct"]  # the ensemble until 2026-12-06 (champion_ensemble)
# The ensemble of 2026-12-06 (design 3), which came with its members: for the versions of that day trained before the
# ensemble was recorded, having its models tells the two apart
DESIGN_3_ENSEMBLE = ["auto_ets", "ets_ses", "ets_damped"]


def gate_mase(panel: Panel, champion: dict[str, Any], config: dict[str, Any], selected: float,
              on_step: Callable[[str], None], step: str) -> tuple[float, str]:  # fmt: skip
    """The selected MASE of the champion's configuration on `panel` with the current code, and how it was had: this
    backtest's (`selected`) when the champion's would repeat it, else a backtest of its own (each fit told to
    `on_step` after `step`)."""
    if same_backtest(champion, config):
        return selected, "reused: the champion has this configuration"
    again = run_backtest(panel, champion["models"], config["horizon"], config["windows"], champion_ensemble(champion),
                         on_fit=lambda model, window: on_step(f"{step}, window {window}, {model}"))  # fmt: skip
    return again.summary.filter(pl.col("model") == "selected")["mase"].item(), "rerun"


def same_backtest(champion: dict[str, Any], config: dict[str, Any]) -> bool:
    """Whether the gate's backtest of the champion's configuration would repeat this one: the same models in the same
    order, ensemble, horizon and windows (the panel and the code are the current ones either way)."""
    return (champion["models"], champion_ensemble(champion), champion["horizon"], champion["windows"]) == (
        config["models"], config["ensemble"], config["horizon"], config["windows"])  # fmt: skip


def champion_ensemble(config: dict[str, Any]) -> list[str]:
    """The ensemble a registered version was trained with, so that the gate backtests it as it was even after the
    code's ENSEMBLE changed. Versions trained before the evening of 2026-12-06 did not record it: theirs were the
    members of DESIGN_3_ENSEMBLE among their models if they had the models that came with it, else of LEGACY_ENSEMBLE
    (main's moocast-ons version 2, design 3, was backtested by the gate as the legacy one: 3.354 against 2.254)."""
    if "ensemble" in config:
        return list(config["ensemble"])
    design_3 = {"ets_ses", "ets_damped"} & set(config["models"])
    return ensemble_members(config["models"], DESIGN_3_ENSEMBLE if design_3 else LEGACY_ENSEMBLE)
