"""A killed ingest (kill -9 at several moments) or a failing suite leaves the warehouse as it was; the next run
completes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import ingest
from pipelines.ingest import Batch, Staged, load_batch
from pipelines.readers import InputError, with_position
from pipelines.synthetic import write_generated_postings
from pipelines.validation import Expectation, Rule
from pipelines.warehouse import connect, table_names


def _snapshot(warehouse: Path) -> tuple[int, int, int]:
    with connect(warehouse, read_only=True) as con:
        row = con.execute(
            "SELECT (SELECT count(*) FROM postings), (SELECT count(*) FROM ingest_runs), "
            "(SELECT count(*) FROM quarantine)"
        ).fetchone()
    assert row is not None
    return row


def _ingest(warehouse: Path, feed: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "--warehouse",
            str(warehouse),
            "ingest",
            "postings",
            str(feed),
            "--format",
            "generic_csv",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("feeds")
    small = write_generated_postings(folder / "small.csv", 200, 1)
    return small, write_generated_postings(folder / "big.csv", 150_000, 2)


@pytest.mark.parametrize("delay", [0.5, 2.0, 4.0, 6.0, 8.0])
def test_kill_9_mid_ingest_leaves_the_warehouse_as_it_was(
    tmp_path: Path, feeds: tuple[Path, Path], delay: float
) -> None:
    small, big = feeds
    warehouse = tmp_path / "w.duckdb"
    assert _ingest(warehouse, small).wait(120) == 0
    before = _snapshot(warehouse)
    process = _ingest(warehouse, big)
    time.sleep(delay)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    code = process.wait(60)
    after = _snapshot(warehouse)
    if code == 0:  # finished before the kill: the load is complete
        assert after[0] == before[0] + 150_000
    else:  # killed: as before, or complete if the kill landed between COMMIT and exit; never partial
        assert after == before or after[0] == before[0] + 150_000
    assert _ingest(warehouse, big).wait(300) == 0
    assert _snapshot(warehouse)[0] == before[0] + 150_000


def test_a_suite_failing_on_a_later_chunk_loads_nothing(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Suites run on their own chunks beside the inserts: one that fails after earlier chunks were inserted
    still rolls the whole load back."""
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 40)
    monkeypatch.setattr(ingest, "CHECK_ROWS", 100)
    con.execute("CREATE TABLE items (item VARCHAR, file VARCHAR, record BIGINT)")
    items: list[str | None] = [f"item {n}" for n in range(300)]
    items[250] = None  # passes the polars rule below, not its GX expectation
    frame = with_position(pl.DataFrame({"item": items}, schema={"item": pl.String}), Path("items.csv"))
    lenient = Rule(
        "item", "never quarantined", pl.lit(True), Expectation("ExpectColumnValuesToNotBeNull", {"column": "item"})
    )
    batch = Batch("test", "items", "items.csv", [], "sum", [Staged("items", frame, [lenient])])
    with pytest.raises(InputError, match=r"validation suite items\.items failed"):
        load_batch(con, batch, table_names(con))
    assert con.execute("SELECT count(*) FROM items").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM ingest_runs").fetchone() == (0,)
