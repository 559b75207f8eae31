"""`moocast priorities` on the real inputs: panel, train and forecast (fast models, the BA districts of
Schleswig-Holstein and Hamburg), `moocast map-courses`, then priorities for every provider, exports,
determinism, monotonicity in the courses, and the errors that say which command to run."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.warehouse import connect

KEPT_DISTRICTS = ("01", "02")  # state prefixes of the BA district codes kept, to train in seconds


def _moocast(warehouse: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "--warehouse", str(warehouse), *args],
        capture_output=True, text=True, check=False, env={**os.environ, **(env or {})},
    )  # fmt: skip


def _in_process(warehouse: Path, *args: str) -> Any:
    """`moocast ARGS` in this process (no start-up time): the click Result."""
    return CliRunner().invoke(app, ["--warehouse", str(warehouse), *args])


def _json(warehouse: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    done = _moocast(warehouse, *args, "--json", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def forecasted(tmp_path_factory: pytest.TempPathFactory, ingested: tuple[Path, dict[str, Any]]) -> Path:
    """A copy of the ingested warehouse with its panel, BA forecasts of a fast model set and the course
    mapping (MLflow store in a temp folder)."""
    folder = tmp_path_factory.mktemp("priorities")
    warehouse = folder / "w.duckdb"
    shutil.copy(ingested[0], warehouse)
    env = {"MOOCAST_MLRUNS": str(folder / "mlruns")}
    _json(warehouse, "panel")
    with connect(warehouse) as con:
        con.execute(
            "DELETE FROM series_attributes WHERE source = 'ba' AND hierarchy_level = 'skill_group' "
            "AND left(region, 2) NOT IN (?, ?)",
            list(KEPT_DISTRICTS),
        )
        con.execute("DELETE FROM series WHERE series_id NOT IN (SELECT series_id FROM series_attributes)")
    trained = _json(warehouse, "train", "--source", "ba", "--level", "skill_group", "--models",
                    "naive,window_average", "--windows", "1", env=env)  # fmt: skip
    assert trained["promoted"]
    assert _json(warehouse, "forecast", "--source", "ba", env=env)["series"] > 300
    assert _json(warehouse, "map-courses")["totals"]["mapped"] > 3000
    return warehouse


def test_errors_say_which_command_to_run(tmp_path: Path, forecasted: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    connect(empty).close()
    done = _in_process(empty, "priorities")
    assert done.exit_code == 2 and "run `moocast train --source ba` and `moocast forecast --source ba`" in done.output
    unmapped = tmp_path / "unmapped.duckdb"
    shutil.copy(forecasted, unmapped)
    with connect(unmapped) as con:
        con.execute("DELETE FROM course_skills")
    done = _in_process(unmapped, "priorities")
    assert done.exit_code == 2 and "run `moocast map-courses` first" in done.output
    done = _in_process(forecasted, "priorities", "--provider", "nobody")
    assert done.exit_code == 2 and "no provider 'nobody' in the catalogues; known: coursera, edx" in done.output


def _scores(warehouse: Path) -> dict[tuple[str, str], float]:
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "SELECT topic_id, language, score FROM priorities WHERE provider = 'ALL' AND language_filter = 'ALL' "
            "AND region_filter = 'ALL'"
        ).fetchall()
    return {(topic, language): score for topic, language, score in rows}


def test_priorities_for_every_provider_deterministic_and_monotone(tmp_path: Path, forecasted: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(forecasted, warehouse)
    with connect(warehouse) as con:
        providers = [row[0] for row in con.execute("SELECT DISTINCT provider FROM course_facts ORDER BY 1").fetchall()]
    lists = _json(warehouse, "priorities", "--every-provider", "--top", "5")
    assert [result["selection"]["provider"] for result in lists] == ["ALL", *providers]
    for result in lists:
        assert result["meta"]["model_name"] == "moocast-ba" and result["meta"]["model_version"] == "1"
        assert [entry["rank"] for entry in result["entries"]] == [1, 2, 3, 4, 5]
        for entry in result["entries"]:
            product = 1.0
            for value in entry["components"].values():
                product *= value
            assert entry["score"] == pytest.approx(product, rel=1e-4) and 0 <= entry["coverage"]["coverage"] <= 1
            assert entry["language"] == "de" and entry["skills"] and entry["occupations"] and entry["explanation"]
            assert all(region["code"][:2] in KEPT_DISTRICTS for region in entry["regions"])
            assert all(skill["uri"].startswith("http://data.europa.eu/esco/skill/") for skill in entry["skills"])
            d = entry["demand"]
            assert d["lo_80"] <= d["value"] <= d["hi_80"] and d["horizon"] == "2026-2027"

    with connect(warehouse, read_only=True) as con:  # every skill and skill group's gap, for every provider
        gaps = con.execute(
            "SELECT provider, kind, count(*), sum(demand) FROM gaps WHERE model_version = '1' GROUP BY ALL"
        ).fetchall()
    totals = {(provider, kind): (rows, demand) for provider, kind, rows, demand in gaps}
    assert {provider for provider, _ in totals} == {"ALL", *providers}
    assert totals["ALL", "skill"][0] > 5000 and totals["ALL", "skill_group"][0] > 300
    assert totals["ALL", "skill"][1] == pytest.approx(totals["ALL", "skill_group"][1])  # every vacancy spread once

    again = _moocast(warehouse, "priorities", "--every-provider", "--top", "5", "--json")
    assert json.loads(again.stdout) == lists  # the same inputs give the same output
    before = _scores(warehouse)

    top = lists[0]["entries"][0]
    with connect(warehouse) as con:  # a new German introductory course teaching the first topic's skills
        con.execute(
            "INSERT INTO course_facts (provider, course_id, title, level, language, language_method, "
            "language_confidence, merged_ids, input_rows, has_description) "
            "VALUES ('newprov', 'n1', 'Neu', 'introductory', 'de', 'given', 1.0, [], 1, false)"
        )
        for skill in top["skills"]:
            con.execute(
                "INSERT INTO course_skills VALUES ('newprov', 'n1', '1.1.1', ?, 1.0, 'literal', NULL, ['literal'])",
                [skill["uri"]],
            )
    done = _in_process(warehouse, "priorities", "--csv", "--top", "3")
    assert done.exit_code == 0 and done.stdout.startswith("rank,topic,language,level,score,demand,")
    after = _scores(warehouse)
    assert after[(top["topic_id"], "de")] < before[(top["topic_id"], "de")]
    assert all(after[key] <= score for key, score in before.items() if key in after)
    assert before.keys() == after.keys()  # topics do not depend on the courses


def test_reports_per_provider(tmp_path: Path, forecasted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(forecasted, warehouse)
    reports = tmp_path / "reports"
    monkeypatch.setenv("MOOCAST_REPORTS", str(reports))
    done = _in_process(warehouse, "priorities", "--provider", "edx", "--region", "02", "--top", "3", "--report")
    assert done.exit_code == 0, done.output[-2000:]
    folder = reports / "priorities"
    assert sorted(p.name for p in folder.iterdir()) == [f"priorities-edx-02.{ext}" for ext in ("csv", "html", "json")]
    page = (folder / "priorities-edx-02.html").read_text(encoding="utf-8")
    exported = json.loads((folder / "priorities-edx-02.json").read_text(encoding="utf-8"))
    assert exported["selection"] == {"provider": "edx", "language": "ALL", "region": "02"}
    assert all(region["code"].startswith("02") for entry in exported["entries"] for region in entry["regions"])
    for entry in exported["entries"]:
        assert entry["topic"].replace("&", "&amp;").replace("'", "&#x27;") in page
    assert "Hamburg" in done.stdout and "moocast-ba v1" in done.stdout
