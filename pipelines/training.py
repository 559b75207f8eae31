"""`moocast train`, `moocast models` and `moocast forecast`: MLflow tracking and registry around the
forecast bundle (models/bundle.py).

One registered model per panel source (<prefix>-<source>). Training backtests the candidates, fits them on
all the data, logs parameters, the data snapshot, backtest metrics and the bundle, and registers a version.
The version becomes @champion only if it beats the current champion on the same backtest: the champion's
configuration is backtested again on the same panel and windows. The alias it replaces is kept as @previous,
so a rollback is one alias move."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import mlflow
import polars as pl
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from mlflow.utils.autologging_utils.logging_and_warnings import MlflowEventsAndWarningsBehaviorGlobally

from features.hierarchy import DERIVED_HIERARCHIES, derived_forecasts, fixed_shares
from models.bundle import ForecastBundle, feature_importances, trained_bundle
from models.coherent import reconciliation_report, split_forecasts
from models.frequency import frequency_named
from models.reconciliation import complete_links
from pipelines.backtest import (
    MODELS,
    backtest_json,
    ensemble_members,
    hierarchy_links,
    panel_links,
    panel_of,
    run_backtest,
    saved_backtest,
    warehouse_panel,
    with_attributes,
)
from pipelines.gate import gate_mase
from pipelines.panel_sources import frame_of
from pipelines.settings import Settings
from pipelines.warehouse import insert_frame, transaction

CHAMPION, PREVIOUS = "champion", "previous"
CONFIG_TAG = "moocast.config"  # the training configuration as JSON, read back by the promotion gate
BUNDLE_MODEL_CODE = str(Path(__file__).with_name("mlflow_bundle.py"))  # the pyfunc, logged as code


def tracking(settings: Settings) -> MlflowClient:
    """Point MLflow at MLFLOW_TRACKING_URI, else at the SQLite store under settings.mlruns."""
    uri = os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{settings.mlruns.resolve() / 'mlflow.db'}"
    settings.mlruns.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # a bar per model load, on stdout
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    with mlflow_quiet():  # a new store announces its tables
        return MlflowClient(uri, uri)


def mlflow_quiet() -> MlflowEventsAndWarningsBehaviorGlobally:
    """MLflow's event prints off (table creation, signature inference, registration notices: up to five lines per
    model logged), so that `moocast retrain` logs one line per stage and `moocast train`'s spinner is not broken up.
    MLflow's own nesting switch: a plain disable_logging() is undone by log_model's inner use of this one. Errors
    still raise and warnings still show."""
    return MlflowEventsAndWarningsBehaviorGlobally(disable_event_logs=True, disable_warnings=False,
                                                   reroute_warnings=False)  # fmt: skip


def _experiment(settings: Settings, name: str) -> str:
    found = mlflow.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    return str(mlflow.create_experiment(name, artifact_location=(settings.mlruns.resolve() / "artifacts").as_uri()))


def snapshot(series: pl.DataFrame) -> dict[str, Any]:
    """What identifies the training data: a hash of its rows and its extent."""
    buffer = io.BytesIO()
    series.sort("series_id", "ds").write_ipc(buffer)
    return {"data_sha256": hashlib.sha256(buffer.getvalue()).hexdigest(), "series": series["series_id"].n_unique(),
            "rows": series.height, "first_ds": str(series["ds"].min()), "last_ds": str(series["ds"].max())}  # fmt: skip


def _champion_version(client: MlflowClient, name: str) -> Any | None:
    try:
        return client.get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        return None


def train(con: duckdb.DuckDBPyConnection, settings: Settings, source: str, level: str | None, models: list[str],
          horizon: int | None, windows: int,
          on_step: Callable[[str], None] = lambda step: None) -> dict[str, Any]:  # fmt: skip
    """Backtest, fit, log, register and (if it wins) promote, telling `on_step` what it is doing; returns what
    happened."""
    series, attributes = warehouse_panel(con, source, level)
    freq = attributes["freq"].mode().sort()[0]
    series = series.filter(pl.col("series_id").is_in(attributes.filter(pl.col("freq") == freq)["series_id"].implode()))
    panel = panel_of(series, freq, None, "mean", f"panel source={source}")
    panel = with_attributes(panel, attributes)
    h = horizon or panel.freq.horizon
    members = ensemble_members(models)
    backtest = run_backtest(panel, models, h, windows, members,
                            on_fit=lambda model, window: on_step(f"backtest: window {window}, {model}"))  # fmt: skip
    on_step("reconciliation: scoring each method on the backtest")
    scores = backtest_json(backtest)
    links, split = hierarchy_links(con, panel.series["series_id"].unique())
    coherence = reconciliation_report(backtest.forecasts, links, split, backtest.scales, panel.series)
    scores["reconciliation"] = coherence
    config = {"source": source, "level": level, "models": models, "ensemble": members, "horizon": h,
              "windows": windows, "freq": panel.freq.code, "season": panel.freq.season,
              "reconciliation": coherence["method"]}  # fmt: skip
    bundle = trained_bundle(panel, {m: MODELS[m] for m in models}, members, backtest,
                            config, links if not links.is_empty() else None, str(coherence["method"]),
                            split if not split.is_empty() else None,
                            lambda model: on_step(f"fit on all the data: {model}"))  # fmt: skip
    on_step("MLflow: logging and registering")
    client = tracking(settings)
    name = f"{settings.model_prefix}-{source}"
    with (
        mlflow_quiet(),
        mlflow.start_run(experiment_id=_experiment(settings, name)) as run,
        tempfile.TemporaryDirectory() as tmp,
    ):
        mlflow.log_params({**{k: str(v) for k, v in config.items()}, **snapshot(panel.series)})
        mlflow.set_tag(CONFIG_TAG, json.dumps(config))
        for model, metrics in scores["models"].items():
            mlflow.log_metrics({f"{model}.{k}": v for k, v in metrics.items() if v is not None})
        mlflow.log_dict(scores["by_step"], "backtest_by_step.json")  # each model's MASE and coverage by step ahead
        data = Path(tmp) / "series.parquet"
        panel.series.write_parquet(data)
        mlflow.log_artifact(str(data), "data")
        by_model = feature_importances(bundle)  # what the LightGBMs learnt from, and how much
        mlflow.log_dict({m: rows.to_dicts() for m, rows in by_model.items()}, "features.json")
        mlflow.log_params({f"{m}.features": rows.height for m, rows in by_model.items()})
        path = Path(tmp) / "bundle.pkl"
        path.write_bytes(pickle.dumps(bundle))
        info = mlflow.pyfunc.log_model(name="model", python_model=BUNDLE_MODEL_CODE, artifacts={"bundle": str(path)},
                                       registered_model_name=name, pip_requirements=["moocast"])  # fmt: skip
        version = str(info.registered_model_version)
        selected = scores["models"]["selected"]["mase"]
        champion = _champion_version(client, name)
        champion_mase, gate = None, None
        if champion is not None:
            old = json.loads(client.get_run(str(champion.run_id)).data.tags[CONFIG_TAG])
            champion_mase, gate = gate_mase(panel, old, config, selected, on_step, f"gate: v{champion.version}")
        promoted = champion_mase is None or selected < champion_mase
        if promoted:
            if champion is not None:
                client.set_registered_model_alias(name, PREVIOUS, champion.version)
            client.set_registered_model_alias(name, CHAMPION, version)
        mlflow.set_tags({"promoted": str(promoted), "champion_mase_same_backtest": str(champion_mase)})
    label = f"panel source={source}" + (f" level={level}" if level else "")
    saved_backtest(con, backtest, scores, panel, label, (name, version))
    return {"model": name, "version": version, "run_id": run.info.run_id, "promoted": promoted,
            "selected_mase": selected, "champion_mase_same_backtest": champion_mase, "gate_backtest": gate,
            "backtest": scores}  # fmt: skip


def derived_shares(con: duckdb.DuckDBPyConnection, parents: pl.Series) -> pl.DataFrame:
    """parent, child, share of the derived series (DERIVED_HIERARCHIES) under `parents`."""
    hierarchies = list(DERIVED_HIERARCHIES.values())
    links = frame_of(con, "SELECT parent, child FROM series_links WHERE list_contains(?, hierarchy)", [hierarchies])
    links = links.filter(pl.col("parent").is_in(parents.implode()))
    ids = pl.concat([links["parent"], links["child"]]).unique().to_list()
    query = "SELECT series_id, ds, y FROM series WHERE series_id IN (SELECT unnest(?::VARCHAR[]))"
    series = frame_of(con, query, [ids])
    return fixed_shares(series, links)


def model_versions(settings: Settings, source: str) -> list[dict[str, Any]]:
    client = tracking(settings)
    name = f"{settings.model_prefix}-{source}"
    versions = client.search_model_versions("name = '" + name.replace("'", "") + "'")
    aliases = client.get_registered_model(name).aliases if versions else {}
    rows = []
    for v in sorted(versions, key=lambda v: int(v.version)):
        run = client.get_run(str(v.run_id))
        created = datetime.fromtimestamp(v.creation_timestamp / 1000).isoformat(timespec="seconds")
        labels = sorted(alias for alias, number in aliases.items() if str(number) == str(v.version))
        rows.append(
            {"version": str(v.version), "aliases": labels, "run_id": v.run_id,
             "selected_mase": run.data.metrics.get("selected.mase"), "created": created}
        )  # fmt: skip
    return rows


def promoted(settings: Settings, source: str, version: str | None) -> dict[str, Any]:
    """Make `version` the champion (the champion before becomes @previous); version None = roll back: the
    @previous version becomes champion again (and the rolled-back one @previous)."""
    client = tracking(settings)
    name = f"{settings.model_prefix}-{source}"
    current = _champion_version(client, name)
    if version is None:
        try:
            version = str(client.get_model_version_by_alias(name, PREVIOUS).version)
        except MlflowException as error:
            raise ValueError(f"{name} has no @{PREVIOUS} version to roll back to") from error
    try:
        client.get_model_version(name, version)
    except MlflowException as error:
        known = [row["version"] for row in model_versions(settings, source)]  # in version order
        raise ValueError(
            f"{name} has no version {version}; it has "
            + (", ".join(known) if known else f"none yet: run `moocast train --source {source}`")
        ) from error
    if current is not None and str(current.version) != version:
        client.set_registered_model_alias(name, PREVIOUS, current.version)
    client.set_registered_model_alias(name, CHAMPION, version)
    return {"model": name, "champion": version, "previous": None if current is None else str(current.version)}


def champion_forecasts(con: duckdb.DuckDBPyConnection, settings: Settings, source: str, horizon: int | None,
                       on_step: Callable[[str], None] = lambda step: None) -> dict[str, Any]:  # fmt: skip
    """The champion's forecasts with intervals for every series it knows, and for the series derived from them
    as fixed shares (DERIVED_HIERARCHIES: their parent's forecast times the share), written to `forecasts` in
    one transaction (replacing that model's earlier forecasts), telling `on_step` what it is doing. A champion
    trained without split links (before 2026-12-07, or before its panel had them) has its skills split from their
    groups by the panel's links."""
    client = tracking(settings)
    name = f"{settings.model_prefix}-{source}"
    champion = _champion_version(client, name)
    if champion is None:
        raise ValueError(f"{name} has no @{CHAMPION}: run `moocast train --source {source}` first")
    on_step(f"loading version {champion.version}")
    try:
        bundle: ForecastBundle = mlflow.pyfunc.load_model(f"models:/{name}@{CHAMPION}").unwrap_python_model().bundle
    except (ModuleNotFoundError, AttributeError) as error:  # the pickled bundle names code this version lacks
        raise ValueError(
            f"{name}@{CHAMPION} (version {champion.version}) was trained by another version of moocast and cannot be "
            f"loaded by this one ({error}): run `moocast train --source {source}` again"
        ) from error
    h = horizon or frequency_named(bundle.config["freq"]).horizon
    on_step(f"forecasting {h} periods with version {champion.version}")
    predicted = bundle.predict(h)
    if bundle.split_links is None:  # trained before its panel had split hierarchies: split by the panel's links
        ids = predicted["series_id"].unique()
        predicted = split_forecasts(predicted, complete_links(panel_links(con, ids, split=True), ids))
    rows = (
        pl.concat([predicted, derived_forecasts(predicted, derived_shares(con, predicted["series_id"].unique()))])
        .rename({"model": "chosen_model"})
        .with_columns(
            model_name=pl.lit(name), model_version=pl.lit(str(champion.version)), created_at=pl.lit(datetime.now())
        )
    )
    on_step(f"writing {rows.height:,} forecasts")
    with transaction(con):
        con.execute("DELETE FROM forecasts WHERE model_name = ?", [name])
        insert_frame(con, "forecasts", rows)
    return {"model": name, "version": str(champion.version), "series": rows["series_id"].n_unique(),
            "rows": rows.height, "horizon": h}  # fmt: skip
