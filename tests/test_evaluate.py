"""eval-extraction: metrics against hand-computed values, and the real Decorte validation files."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from features.extraction_metrics import set_scores
from pipelines.cli import app
from pipelines.importers import format_named
from pipelines.orchestrate import ingest_sources
from pipelines.warehouse import connect


def test_set_scores_by_hand() -> None:
    # hits 1 + 1 = 2; predicted 2 + 1 + 1 = 4; gold 2 + 1 + 0 = 3
    scores = set_scores([{"a", "b"}, {"c"}, set()], [{"a", "x"}, {"c"}, {"y"}])
    assert scores == {"precision": 0.5, "recall": 0.6667, "f1": 0.5714, "sentences": 3.0}
    assert set_scores([set()], [set()])["f1"] == 0.0


@pytest.fixture(scope="module")
def esco_warehouse(tmp_path_factory: pytest.TempPathFactory, inputs: Path) -> Path:
    path = tmp_path_factory.mktemp("esco") / "w.duckdb"
    with connect(path) as con:
        ingest_sources(con, [(format_named("esco"), inputs / "taxonomies/esco_v1.1.1_en")])
    return path


def _scores(warehouse: Path, files: list[Path], *options: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), "eval-extraction", *map(str, files),
                                      *options, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_tiny_gold_file_scored_by_the_real_lexicon(esco_warehouse: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_text("sentence,span,sub_span,label\n"
                    "Strong SQL and Python skills,SQL,,SQL\n"
                    "Strong SQL and Python skills,Python,,Python (computer programming)\n"
                    "Friendly office,friendly,,LABEL NOT PRESENT\n", encoding="utf-8")
    pooled = _scores(esco_warehouse, [gold])["pooled"]
    assert pooled["sentences"] == 2 and pooled["recall"] == 1.0 and pooled["precision"] == 1.0


def test_real_decorte_files_beat_the_literal_floor(esco_warehouse: Path, inputs: Path) -> None:
    folder = inputs / "benchmarks/skill_extraction/decorte_esco"
    files = [folder / "tech_validation_annotations.csv", folder / "house_validation_annotations.csv"]
    ours, floor = _scores(esco_warehouse, files)["pooled"], _scores(esco_warehouse, files, "--floor")["pooled"]
    assert ours["sentences"] == 178
    # measured 2026-11-24: ours P 0.586 R 0.234 F1 0.334; floor P 0.450 R 0.241 F1 0.314. The goal
    # (P >= 0.60, F1 >= 0.35) is not reached yet by literal matching alone: see the README.
    assert ours["precision"] > floor["precision"] + 0.1
    assert ours["f1"] > floor["f1"]
