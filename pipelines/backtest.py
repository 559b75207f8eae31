"""`moocast backtest`: rolling-origin backtests of every forecaster on the panel or on any long-format file
(series_id, ds, y as CSV or Parquet), scored and saved to the warehouse as a per-series scorecard."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from features.hierarchy import DERIVED_HIERARCHIES, SPLIT_HIERARCHIES
from models.backtest import Backtest, cross_validation
from models.base import Forecaster, Panel
from models.baselines import Naive, SeasonalNaive, WindowAverage
from models.frequency import (
    PERIOD_NAMES,
    aggregated,
    first_missing_periods,
    frequency_named,
    inferred_frequency,
    off_grid_dates,
    series_frequencies,
)
from models.goal import goal_scores
from models.lightgbm_direct import DirectLightGBM
from models.lightgbm_model import GlobalLightGBM
from models.metrics import step_scores
from models.prophet_model import ProphetForecaster
from models.reconciliation import complete_links
from models.statistical import statistical_factories
from models.temporal import temporal_factories
from pipelines.panel_sources import frame_of
from pipelines.readers import LINE, InputError, read_csv_strings, read_parquet_checked
from pipelines.warehouse import insert_frame, transaction

MODELS: dict[str, Callable[[], Forecaster]] = {
    "naive": Naive,
    "seasonal_naive": SeasonalNaive,
    "window_average": WindowAverage,
    **statistical_factories(),
    **temporal_factories(),
    "lightgbm": GlobalLightGBM,
    "lightgbm_direct": DirectLightGBM,
    "prophet": ProphetForecaster,
}
# Served as `selected` when two or more of them run: the median of those present (the mean of two). Chosen on the
# tuning series (README, "Forecasting"), by the rule set before looking: the lowest geometric mean of MASE relative
# to AutoETS over the three tuning sets, among every model alone and every mean of 2-4 and median of 3 and 5 of
# ten cheap models (AutoARIMA left out for its cost).
ENSEMBLE = ["auto_ets", "ets_ses", "ets_damped"]
# What `backtest`, `train` and `retrain` run unless told otherwise (AutoTheta and AutoCES lost on the tuning series;
# the direct LightGBM, a member of the earlier ensemble, runs when asked for).
DEFAULT_MODELS = [
    "seasonal_naive", "naive", "window_average", "auto_ets", "ets_ses", "ets_damped", "lightgbm", "prophet"
]  # fmt: skip
REQUIRED = ("series_id", "ds", "y")
# The series attributes the global LightGBMs read as categoricals, for a panel from the warehouse
ATTRIBUTE_COLUMNS = ["region", "region_level", "sector", "skill_group", "hierarchy_level"]


def series_file(path: Path) -> pl.DataFrame:
    """series_id, ds (date), y (float) and _line (the row's line in the file; a Parquet file's row number) of a CSV
    or Parquet file (ds: an ISO date YYYY-MM-DD, a time part ignored, or a Parquet date or timestamp column);
    InputError naming the line and field of the first value that does not parse or is not finite, or the lines of
    a date given twice."""
    if path.suffix == ".parquet":
        frame = read_parquet_checked(path, REQUIRED).select(REQUIRED)
        if frame.schema["ds"].is_temporal():  # a date or timestamp column (pandas writes datetime64)
            frame = frame.with_columns(pl.col("ds").dt.strftime("%Y-%m-%d"))
        frame = frame.cast({c: pl.String for c in REQUIRED}).with_row_index(LINE, offset=1)
    else:  # the header is line 1
        frame = read_csv_strings(path, REQUIRED).select(pl.col(LINE) + 1, *REQUIRED)
    if frame.is_empty():
        raise InputError(path, "has no rows: the long format needs a row per series and period (series_id, ds, y)")
    parsed = frame.with_columns(
        ds_parsed=pl.col("ds").str.head(10).str.to_date("%Y-%m-%d", strict=False),  # a time part is ignored
        y_parsed=pl.col("y").cast(pl.Float64, strict=False),
    )
    invalid = {
        "series_id": (pl.col("series_id").is_null(), "value"),
        "ds": (pl.col("ds_parsed").is_null(), "date (YYYY-MM-DD)"),
        "y": (pl.col("y_parsed").is_null() | ~pl.col("y_parsed").is_finite(), "finite number"),
    }
    for field, (is_invalid, kind) in invalid.items():
        bad = parsed.filter(is_invalid)
        if not bad.is_empty():
            value = bad[field][0]
            problem = f"{field} is empty" if value is None else f"{field} {value!r} is not a valid {kind}"
            raise InputError(path, problem, line=bad[LINE][0], field=field)
    series = parsed.select("series_id", ds=pl.col("ds_parsed"), y=pl.col("y_parsed"), _line=pl.col(LINE))
    duplicated = series.filter(pl.struct("series_id", "ds").is_duplicated()).sort("series_id", "ds", LINE)
    if not duplicated.is_empty():
        first, second = duplicated.row(0, named=True), duplicated.row(1, named=True)
        raise InputError(path, f"series {first['series_id']!r} has two values for {first['ds']} (lines "
                         f"{first[LINE]} and {second[LINE]})", line=second[LINE], field="ds")  # fmt: skip
    return series.sort("series_id", "ds")


def panel_of(series: pl.DataFrame, freq: str | None, season: int | None, how: str, label: str) -> Panel:
    """A Panel at `freq` (inferred when None; data at a finer frequency is aggregated with `how`). InputError,
    naming `label` (where the series come from) and the row's _line when `series` has them, for a date off its
    series' period grid; ValueError for a hole in a series: the models read consecutive rows as consecutive
    periods."""
    native = inferred_frequency(series["ds"])
    target = frequency_named(freq) if freq else native
    if target.code != native.code:
        series = aggregated(series, target, how)
    elif not (off := off_grid_dates(series, target)).is_empty():
        row = off.row(0, named=True)
        raise InputError(
            label,
            f"series {row['series_id']!r} has {row['ds']} off its period grid at frequency {target.code}: its "
            f"other dates fall elsewhere in their {PERIOD_NAMES[target.code]} ({off.height:,} dates off the grid in "
            "all); give one date per period, at the same place in each",
            line=row.get(LINE),
            field="ds",
        )
    holes = first_missing_periods(series, target)
    if not holes.is_empty():
        other = series_frequencies(series).filter(pl.col("code") != target.code)
        if target.code == native.code and not other.is_empty():
            series_id, code = other.row(0)
            raise ValueError(
                f"{label}: series {series_id!r} is at frequency {code}, most of the others at {target.code} "
                f"({other.height:,} series at another frequency): give --freq with the coarsest of them to aggregate "
                "every series to it, or backtest them apart"
            )
        series_id, missing = holes.row(0)
        raise ValueError(
            f"{label}: series {series_id!r} has no value for {missing} ({holes.height} series with holes at "
            f"frequency {target.code}); the long format needs one row per period: fill the holes (0 where nothing "
            "was counted) or aggregate to a coarser --freq"
        )
    return Panel(series.select("series_id", "ds", "y"), replace(target, season=season) if season else target)


def warehouse_panel(
    con: duckdb.DuckDBPyConnection, source: str, hierarchy_level: str | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(series, attributes) of the panel for one source (and hierarchy level). Without a level, the series derived
    as fixed shares of another (children of DERIVED_HIERARCHIES: ONS and Indeed sectors x skill groups) are left
    out: their forecasts are their parent's times the share (pipelines/training.py)."""
    attributes = con.sql(
        "SELECT * FROM series_attributes WHERE source = ? AND (? IS NULL OR hierarchy_level = ?) AND (? IS NOT NULL "
        "OR series_id NOT IN (SELECT child FROM series_links WHERE list_contains(?, hierarchy)))",
        params=[source, hierarchy_level, hierarchy_level, hierarchy_level, list(DERIVED_HIERARCHIES.values())],
    ).pl()
    if attributes.is_empty():
        held = con.sql("SELECT DISTINCT source FROM series_attributes ORDER BY source").pl()["source"].to_list()
        raise ValueError(
            f"the panel has no series from {source!r} (it holds: {', '.join(held) or 'nothing'}): run `moocast "
            "panel` first, or check --source (reconciled series need postings from Germany)"
        )
    con.register("wanted", attributes.select("series_id").to_arrow())
    series = con.sql("SELECT series_id, ds, y FROM series WHERE series_id IN (SELECT series_id FROM wanted) "
                     "ORDER BY series_id, ds").pl()  # fmt: skip
    con.unregister("wanted")
    return series, attributes


def panel_links(con: duckdb.DuckDBPyConnection, series: pl.Series, split: bool = False) -> pl.DataFrame:
    """parent, child, weight: the hierarchy links of the parents among `series` (children may be missing from it),
    of the split hierarchies (SPLIT_HIERARCHIES) with `split`, else of the others (plain sums)."""
    links = frame_of(
        con,
        "SELECT parent, child, weight FROM series_links WHERE list_contains(?, hierarchy) = ? ORDER BY parent, child",
        [list(SPLIT_HIERARCHIES.values()), split],
    )
    return links.filter(pl.col("parent").is_in(series.implode()))


def hierarchy_links(con: duckdb.DuckDBPyConnection, series: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(links, split links) of the hierarchies among `series` whose parent and children are all in it."""
    return complete_links(panel_links(con, series), series), complete_links(panel_links(con, series, True), series)


def ensemble_members(models: list[str], ensemble: list[str] | None = None) -> list[str]:
    """The members of `ensemble` (default ENSEMBLE) among `models`; none when fewer than two run (then each series
    gets its choice)."""
    members = [m for m in (ENSEMBLE if ensemble is None else ensemble) if m in models]
    return members if len(members) > 1 else []


def with_attributes(panel: Panel, attributes: pl.DataFrame) -> Panel:
    """`panel` with the warehouse's series attributes (ATTRIBUTE_COLUMNS), so that `backtest --source` scores the
    global models as `train` fits them."""
    return Panel(panel.series, panel.freq, attributes.select("series_id", *ATTRIBUTE_COLUMNS), panel.exogenous)


def run_backtest(panel: Panel, models: list[str], h: int, windows: int, ensemble: list[str] | None = None,
                 on_fit: Callable[[str, int], None] = lambda model, window: None) -> Backtest:  # fmt: skip
    """Backtest `models`, serving the median of `ensemble` (default: ensemble_members(models)) as selected."""
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        raise ValueError(f"unknown model(s) {unknown}: choose from {', '.join(MODELS)}")
    members = ensemble_members(models) if ensemble is None else ensemble
    return cross_validation(panel, {m: MODELS[m] for m in models}, h, windows, ensemble=members or None,
                            on_fit=on_fit)  # fmt: skip


def backtest_json(backtest: Backtest) -> dict[str, Any]:
    """Scores per model, the run's shape, issue 4's accuracy goal (`goal`: null unless selected, auto_ets and
    seasonal_naive ran) and each model's MASE and coverage per horizon step (`by_step`)."""
    return {
        "models": {
            row["model"]: {k: row[k] for k in ("mase", "smape", "rmsse", "coverage_80", "coverage_95")}
            for row in backtest.summary.iter_rows(named=True)
        },
        "series": backtest.summary.select(pl.col("series").max()).item(),
        "series_skipped": backtest.series_skipped,
        "windows": backtest.windows,
        "horizon": backtest.horizon,
        "goal": goal_scores(backtest.summary),
        "by_step": by_step(backtest),
    }


def by_step(backtest: Backtest) -> dict[str, list[dict[str, Any]]]:
    """model -> its MASE and coverage at each horizon step (step, mase, coverage_80, coverage_95): how accuracy
    changes with the horizon."""
    steps = step_scores(backtest.forecasts, backtest.scales)
    return {str(name): rows.drop("model").to_dicts() for (name,), rows in steps.group_by("model", maintain_order=True)}


def series_scorecard(backtest: Backtest) -> pl.DataFrame:
    """model, series_id, mase, smape, rmsse, coverage_80, coverage_95: each series' scores averaged over the scored
    windows (the warehouse's backtest_scores, `moocast backtest --output`)."""
    metrics = ("mase", "smape", "rmsse", "coverage_80", "coverage_95")
    return backtest.scores.group_by("model", "series_id").agg(pl.col(metrics).mean()).sort("series_id", "model")


def saved_backtest(con: duckdb.DuckDBPyConnection, backtest: Backtest, summary: dict[str, Any], panel: Panel,
                   label: str, model: tuple[str, str] | None = None) -> str:  # fmt: skip
    """Store the run (its `summary`: backtest_json), its per-series scorecard and its served forecasts (`selected`)
    of every scored window in one transaction, stamped with the registered model (name, version) it was made for if
    any; returns the run id."""
    run_id = uuid.uuid4().hex[:12]
    per_series = series_scorecard(backtest).with_columns(run_id=pl.lit(run_id))
    served = backtest.forecasts.filter(pl.col("model") == "selected").select(
        pl.lit(run_id).alias("run_id"), "series_id", "step", "ds", "y", "yhat", "lo_80", "hi_80", "lo_95", "hi_95"
    )
    with transaction(con):
        con.execute("INSERT INTO backtest_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, datetime.now(), label, panel.freq.code, panel.freq.season, backtest.horizon,
                     backtest.windows, summary["series"], backtest.series_skipped, json.dumps(summary),
                     *(model or (None, None))])  # fmt: skip
        insert_frame(con, "backtest_scores", per_series)
        insert_frame(con, "backtest_forecasts", served)
    return run_id
