"""Shared fixtures: the real inputs folder, a fresh warehouse per test, the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.warehouse import connect

ROOT = Path(__file__).resolve().parents[1]


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
