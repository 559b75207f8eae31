"""`moocast eval-extraction`: the extractor scored on Decorte-format gold sets (sentence, span, sub_span, label).

For each distinct sentence, the gold set is its labels other than `LABEL NOT PRESENT`; the prediction is the
set of English ESCO preferred labels that the extractor returns for that sentence alone."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick
import duckdb

from features.extraction_metrics import set_scores
from features.skills import common_words, label_automaton, label_entries, skill_matches
from pipelines.readers import InputError

NOT_PRESENT = "LABEL NOT PRESENT"
GOLD_COLUMNS = ("sentence", "label")


@dataclass(frozen=True)
class Extractor:
    """The literal extractor of one language, with preferred labels to name its skills."""

    automaton: ahocorasick.Automaton
    preferred: dict[str, str]


def literal_extractor(con: duckdb.DuckDBPyConnection, lang: str, common_share: float | None,
                      version: str | None = None) -> Extractor:
    """The extractor built from the warehouse's ESCO labels (latest version unless `version`);
    `common_share` None keeps the common single-word labels too (the literal-match floor)."""
    if version is None:
        row = con.execute("SELECT max(version) FROM skills").fetchall()[0]
        if row[0] is None:
            raise ValueError("the warehouse holds no ESCO skills: run `moocast ingest taxonomy` first")
        version = str(row[0])
    labels = con.sql(
        "SELECT l.uri, l.lang, l.label_type, l.label, s.reuse_level FROM concept_labels l "
        "JOIN skills s USING (version, uri) WHERE l.concept_kind = 'skill' AND l.version = ?", params=[version]
    ).pl()
    common: frozenset[str] = frozenset()
    if common_share is not None:
        descriptions = con.sql("SELECT description FROM skills WHERE version = ?", params=[version]).pl()
        common = common_words(descriptions["description"], common_share)
    preferred = dict(con.execute("SELECT uri, preferred_label FROM skills WHERE version = ?", [version]).fetchall())
    return Extractor(label_automaton(label_entries(labels, lang, common)), preferred)


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
