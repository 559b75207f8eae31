"""Span scoring and CoNLL reading on tiny literal cases, checked by hand."""

from pathlib import Path

import pytest

from features.extraction_metrics import span_scores, tagged_text
from pipelines.evaluate import conll_sentences
from pipelines.readers import InputError


def test_span_scores_strict_and_lenient_by_hand() -> None:
    gold = [{(0, 5), (10, 20)}, {(3, 8)}, set()]
    predicted = [{(0, 5), (12, 15), (30, 33)}, {(8, 12)}, {(1, 2)}]
    scores = span_scores(gold, predicted)
    assert (scores["sentences"], scores["gold_spans"], scores["predicted_spans"]) == (3, 3, 5)
    # strict: only (0, 5) is exact -> P 1/5, R 1/3
    assert scores["strict"] == {"precision": 0.2, "recall": 0.3333, "f1": 0.25}
    # lenient: (0, 5) and (12, 15) touch a gold span ((8, 12) only meets (3, 8) at its end) -> P 2/5;
    # (0, 5) and (10, 20) are touched -> R 2/3
    assert scores["lenient"] == {"precision": 0.4, "recall": 0.6667, "f1": 0.5}


def test_span_scores_empty_and_mismatched() -> None:
    assert span_scores([set()], [set()])["strict"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    with pytest.raises(ValueError, match="2 gold sentences but 1"):
        span_scores([set(), set()], [set()])


def test_tagged_text_offsets_point_at_the_mentions() -> None:
    tokens = ["Strong", "SQL", "and", "machine", "learning", "skills", "as", "team", "lead"]
    tags = ["O", "B-Skill", "O", "B-Skill", "I-Skill", "O", "O", "B-Occupation", "I-Skill"]
    text, spans = tagged_text(tokens, tags, "Skill")
    assert text == "Strong SQL and machine learning skills as team lead"
    # an I-Skill after another type opens a mention of its own
    assert sorted(text[a:b] for a, b in spans) == ["SQL", "lead", "machine learning"]
    assert tagged_text(["a", "b"], ["B-Skill", "B-Skill"], "Skill")[1] == {(0, 1), (2, 3)}


def test_conll_sentences_read_blank_line_separated_tags(tmp_path: Path) -> None:
    conll = tmp_path / "test.txt"
    conll.write_text("\nUse O \nSQL B-Skill \n\n\nlead B-Skill \nteams I-Skill \n. O", encoding="utf-8")
    assert conll_sentences(conll) == [("Use SQL", {(4, 7)}), ("lead teams .", {(0, 10)})]
    conll.write_text("Use O\nSQL Skill\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        conll_sentences(conll)
    conll.write_bytes(b"caf\xe9 O\n")
    with pytest.raises(InputError, match="not UTF-8"):
        conll_sentences(conll)
