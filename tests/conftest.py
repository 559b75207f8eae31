"""Shared fixtures: the real inputs folder, a fresh warehouse per test, the CLI runner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.warehouse import connect

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def tracking_uri_restored() -> Iterator[None]:
    """MLflow's set_tracking_uri exports MLFLOW_TRACKING_URI; a test's store must not leak into the next tests."""
    before = os.environ.get("MLFLOW_TRACKING_URI")
    yield
    if before is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = before


@pytest.fixture(scope="session")
def inputs() -> Path:
    """The real inputs (MOOCAST_INPUTS, default ../shared/data); tests that need them skip loudly if absent."""
    path = Path(os.environ.get("MOOCAST_INPUTS", ROOT.parent / "shared" / "data"))
    if not (path / "taxonomies").is_dir():
        pytest.fail(f"real inputs not found at {path}; set MOOCAST_INPUTS")
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def con(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(warehouse)
    yield connection
    connection.close()


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def moocast_json(*args: str) -> dict[str, Any]:
    """`moocast ARGS` in a child process (as a user runs it); its --json output."""
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def ingested(tmp_path_factory: pytest.TempPathFactory, inputs: Path) -> tuple[Path, dict[str, Any]]:
    """A warehouse holding every real input (`moocast ingest all`, run once per session) and that run's report.
    Tests that write to it work on a copy."""
    path = tmp_path_factory.mktemp("ingested") / "w.duckdb"
    return path, moocast_json("--inputs", str(inputs), "--warehouse", str(path), "ingest", "all", "--json")


KEPT_STATES = ("01", "02")  # BA districts of Schleswig-Holstein and Hamburg: train and rank in seconds


@pytest.fixture(scope="session")
def published_results(tmp_path_factory: pytest.TempPathFactory, ingested: tuple[Path, dict[str, Any]],
                      inputs: Path) -> dict[str, str]:  # fmt: skip
    """A warehouse copy with the panel (BA districts and states of KEPT_STATES, every BA series of Germany),
    forecasts of `moocast-ba` (naive and window average), the course mapping, priorities for every provider, and
    one published results snapshot: the MOOCAST_* environment that names them all."""
    folder = tmp_path_factory.mktemp("published")
    env = {**os.environ, "MOOCAST_INPUTS": str(inputs), "MOOCAST_WAREHOUSE": str(folder / "w.duckdb"),
           "MOOCAST_MLRUNS": str(folder / "mlruns"), "MOOCAST_REPORTS": str(folder / "reports"),
           "MOOCAST_SERVING_DIR": str(folder / "serving")}  # fmt: skip
    env.pop("MLFLOW_TRACKING_URI", None)
    shutil.copy(ingested[0], folder / "w.duckdb")

    def run(*args: str) -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", *args, "--json"], capture_output=True,
                              text=True, check=False, env=env)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    run("panel")
    with connect(folder / "w.duckdb") as con:
        con.execute(
            "DELETE FROM series_attributes WHERE source != 'ba' OR (region_level IN ('district', 'state') "
            "AND left(region, 2) NOT IN (?, ?))",
            list(KEPT_STATES),
        )
        con.execute("DELETE FROM series WHERE series_id NOT IN (SELECT series_id FROM series_attributes)")
    assert run("train", "--source", "ba", "--models", "naive,window_average", "--windows", "1")["promoted"]
    run("forecast", "--source", "ba")
    run("map-courses")
    run("priorities", "--every-provider", "--top", "5")
    run("publish")
    return env
