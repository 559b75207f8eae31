"""`moocast retrain` on the real inputs: the lock, resuming a crashed run, one log line per stage, forecasts and
priorities (BA with the naive model only, to stay fast)."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.retrain import retrain_lock
from pipelines.warehouse import connect


@pytest.mark.slow
def test_retrain_locks_resumes_and_forecasts(
    tmp_path: Path, inputs: Path, ingested: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("MOOCAST_MLRUNS", str(tmp_path / "mlruns"))
    monkeypatch.setenv("MOOCAST_RETRAIN_SOURCES", '["ba"]')
    monkeypatch.setenv("MOOCAST_RETRAIN_MODELS", '["naive"]')
    monkeypatch.setenv("MOOCAST_REPORTS", str(tmp_path / "reports"))
    monkeypatch.setenv("MOOCAST_SERVING_DIR", str(tmp_path / "serving"))
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(ingested[0], warehouse)
    command = ["--inputs", str(inputs), "--warehouse", str(warehouse), "retrain", "--json"]

    with retrain_lock(warehouse.with_suffix(".retrain.lock")):
        locked = CliRunner().invoke(app, command)
    assert locked.exit_code == 3 and "holds" in locked.output

    # a run that crashed after ingest and extract: the next one resumes after them
    with connect(warehouse) as con:
        con.execute("INSERT INTO retrain_runs VALUES ('crashed', now(), NULL)")
        for stage in ("ingest", "extract"):
            con.execute("INSERT INTO retrain_stages VALUES ('crashed', ?, 1.0, '{}', now())", [stage])
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["run_id"] == "crashed" and report["resumed_after"] == ["extract", "ingest"]
    stages = ["code", "panel", "map-courses", "train:ba", "forecast:ba", "priorities", "publish"]
    assert list(report["stages"]) == stages
    assert report["stages"]["train:ba"]["promoted"] is True
    assert sum("retrain crashed" in line for line in result.stderr.splitlines()) == 2 + len(stages)
    assert all(line.startswith("retrain crashed") for line in result.stderr.splitlines()), result.stderr  # no MLflow
    with connect(warehouse, read_only=True) as con:
        finished = con.execute("SELECT finished_at IS NOT NULL FROM retrain_runs WHERE run_id = 'crashed'").fetchall()
        forecasts = con.execute("SELECT count(DISTINCT series_id), min(lo_80) >= 0 FROM forecasts").fetchall()[0]
        ba = con.execute("SELECT count(*) FROM series_attributes WHERE source = 'ba'").fetchall()[0][0]
        lists = con.execute("SELECT count(DISTINCT provider), min(model_version) FROM priorities").fetchall()[0]
    assert finished == [(True,)] and forecasts == (ba, True)
    assert lists == (5, "1")  # all providers together and each of the 4
    written = report["stages"]["priorities"]
    assert written["lists"] == 5 and written["reports"] == 15 and written["top_topic"]
    assert len(list((tmp_path / "reports" / "priorities").glob("*.html"))) == 5
    snapshot = Path(report["stages"]["publish"]["snapshot"])  # the service's results, switched to atomically
    assert (tmp_path / "serving" / "current").resolve() == snapshot.resolve() and snapshot.stat().st_size > 0
