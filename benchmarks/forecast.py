"""Forecaster speed on generated monthly panels, each beside the bare library call in the same run.

- LightGBM: `GlobalLightGBM.fit` + `predict(12)` (features, scaling, training, recursive forecasts) beside a
  bare `lgb.train` with the same parameters and rounds on the same feature matrix (built once, not timed);
- Prophet: `ProphetForecaster.predict(12)` (per-series fits in worker processes) beside bare Prophet
  fit + predict loops over the same series in this process, per core and with all cores;
- AutoETS: moocast's `positional_forecasts` (series shared among spawned workers when they would take long) with one
  worker and with one per core, beside a bare statsforecast `StatsForecast(n_jobs=1).forecast` in this process,
  on generated annual series of 13 points (BA's shape).
Prints seconds, series/s, the ratios (bare time / moocast time) and peak RSS of this process.

    python benchmarks/forecast.py [--series 10000 100000] [--months 60] [--prophet-series 200] [--ets-series 20000]
        [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from datetime import date
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from models.base import Panel
from models.frequency import FREQUENCIES
from models.lightgbm_model import LAGS, PARAMS, ROUNDS, GlobalLightGBM
from models.prophet_model import ProphetForecaster, series_forecast
from models.statistical import MIN_OBSERVATIONS, positional_forecasts


def generated_panel(series: int, months: int, seed: int = 0) -> Panel:
    """Seasonal monthly series of very different sizes, with a region attribute."""
    rng = np.random.default_rng(seed)
    level = np.repeat(rng.lognormal(3, 1.5, series), months)
    month = np.tile(np.arange(months), series)
    noise = rng.normal(0, 0.1, series * months)
    y = np.maximum(0, level * (1 + 0.3 * np.sin(2 * np.pi * month / 12) + 0.005 * month + noise))
    dates = [date(2015 + m // 12, m % 12 + 1, 1) for m in range(months)]
    ids = [f"s{i}" for i in range(series)]
    frame = pl.DataFrame({"series_id": np.repeat(ids, months), "ds": dates * series, "y": y})
    attributes = pl.DataFrame({"series_id": ids, "region": [f"r{i % 50}" for i in range(series)]})
    return Panel(frame, FREQUENCIES["M"], attributes)


def lightgbm_figures(series: int, months: int) -> dict[str, Any]:
    panel = generated_panel(series, months)
    start = time.perf_counter()
    model = GlobalLightGBM().fit(panel)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    model.predict(12)
    predict_s = time.perf_counter() - start
    # the same feature matrix and label, then the bare library call on it
    scaled = panel.series.join(model.statics.select("series_id", "scale"), on="series_id").select(  # type: ignore[union-attr]
        "series_id", "ds", z=pl.col("y") / pl.col("scale")
    )
    design = model._design(scaled).filter(pl.col(f"lag_{LAGS['M'][0]}").is_not_null())
    matrix = design.select(model.features).to_numpy().astype(np.float64)
    data = lgb.Dataset(matrix, label=design["z"].to_numpy(), feature_name=model.features,
                       categorical_feature=[c for c in model.categories if c in model.features])  # fmt: skip
    start = time.perf_counter()
    lgb.train(PARAMS, data, num_boost_round=ROUNDS)
    bare_s = time.perf_counter() - start
    return {
        "series": series, "rows": panel.series.height, "fit_s": round(fit_s, 2), "predict_12_s": round(predict_s, 2),
        "bare_lgb_train_s": round(bare_s, 2), "ratio_bare_train_vs_fit": round(bare_s / fit_s, 3),
        "series_per_s_fit_and_predict": round(series / (fit_s + predict_s)),
    }  # fmt: skip


def prophet_figures(series: int, months: int) -> dict[str, Any]:
    panel = generated_panel(series, months, seed=1)
    grouped = panel.series.group_by("series_id", maintain_order=True).agg("ds", "y")
    future = [date(2015 + (months + k) // 12, (months + k) % 12 + 1, 1) for k in range(12)]
    start = time.perf_counter()
    for _, ds, y in grouped.iter_rows():
        series_forecast(ds, y, future, "M")
    bare_s = time.perf_counter() - start
    figures: dict[str, Any] = {"series": series, "bare_prophet_series_per_s": round(series / bare_s, 1)}
    for workers in sorted({1, os.cpu_count() or 1}):
        start = time.perf_counter()
        ProphetForecaster(workers=workers).fit(panel).predict(12)
        seconds = time.perf_counter() - start
        figures[f"moocast_series_per_s_{workers}_workers"] = round(series / seconds, 1)
        figures[f"ratio_vs_bare_{workers}_workers"] = round(bare_s / seconds, 3)
    return figures


def ets_figures(series: int, years: int = 13) -> dict[str, Any]:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    rng = np.random.default_rng(2)
    level = np.repeat(rng.lognormal(3, 1.5, series), years)
    walk = np.exp(np.cumsum(rng.normal(0, 0.15, (series, years)), axis=1)).ravel()
    frame = pl.DataFrame({"series_id": np.repeat([f"s{i}" for i in range(series)], years), "y": level * walk})
    bare = frame.select(unique_id="series_id", y="y").to_pandas()
    bare["ds"] = bare.groupby("unique_id").cumcount() + 1
    start = time.perf_counter()
    StatsForecast(models=[AutoETS(season_length=1, alias="yhat")], freq=1, n_jobs=1).forecast(df=bare, h=2)
    bare_s = time.perf_counter() - start
    figures: dict[str, Any] = {"series": series, "bare_statsforecast_series_per_s": round(series / bare_s)}
    for workers in sorted({1, os.cpu_count() or 1}):
        start = time.perf_counter()
        positional_forecasts(frame, AutoETS(season_length=1, alias="yhat"), 2, MIN_OBSERVATIONS, workers=workers)
        seconds = time.perf_counter() - start
        figures[f"moocast_series_per_s_{workers}_workers"] = round(series / seconds)
        figures[f"ratio_vs_bare_{workers}_workers"] = round(bare_s / seconds, 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--prophet-series", type=int, default=200)
    parser.add_argument("--ets-series", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = {
        "lightgbm": [lightgbm_figures(n, args.months) for n in args.series],
        "prophet": prophet_figures(args.prophet_series, args.months),
        "auto_ets": ets_figures(args.ets_series),
        "cores": os.cpu_count(),
    }
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
