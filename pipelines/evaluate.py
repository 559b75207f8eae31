"""`moocast eval-extraction`: the extractor scored on Decorte-format gold sets (sentence, span, sub_span, label).

For each distinct sentence, the gold set is its labels other than `LABEL NOT PRESENT`; the prediction is the
set of English ESCO preferred labels that the extractor returns for that sentence alone."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from features.extraction_metrics import set_scores
from features.skills import skill_matches
from pipelines.extract import Extractor
from pipelines.readers import InputError

NOT_PRESENT = "LABEL NOT PRESENT"
GOLD_COLUMNS = ("sentence", "label")


def gold_sentences(path: Path) -> dict[str, set[str]]:
    """Sentence -> its gold ESCO labels, from a Decorte-format CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in GOLD_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(path, f"missing required column(s) {', '.join(missing)}")
        gold: dict[str, set[str]] = {}
        for row in reader:
            labels = gold.setdefault(row["sentence"], set())
            if row["label"] != NOT_PRESENT:
                labels.add(row["label"])
    return gold


def extraction_scores(paths: list[Path], extractor: Extractor) -> dict[str, Any]:
    """Scores per file and pooled over every sentence of every file."""
    gold: list[set[str]] = []
    predicted: list[set[str]] = []
    files = {}
    for path in paths:
        sentences = gold_sentences(path)
        guesses = [{extractor.preferred[m.skill_uri] for m in skill_matches(s, extractor.automaton)}
                   for s in sentences]
        files[str(path)] = set_scores(list(sentences.values()), guesses)
        gold += sentences.values()
        predicted += guesses
    return {"files": files, "pooled": set_scores(gold, predicted)}
