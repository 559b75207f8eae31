"""`moocast eval-extraction`: the extractor scored on Decorte-format gold sets (sentence, span, sub_span, label)
and on the character spans of CoNLL-format NER test sets (e.g. Green et al. 2022).

For each distinct Decorte sentence, the gold set is its labels other than `LABEL NOT PRESENT`; the prediction
is the set of English ESCO preferred labels that the extractor returns for that sentence alone. For a CoNLL
sentence, the gold spans are its Skill mentions and the prediction is the spans of the extractor's matches."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from features.extraction_metrics import Span, SpanScores, set_scores, span_scores, tagged_text
from pipelines.extract import Extractor, extracted
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
        guesses = [
            {extractor.preferred[m.skill_uri] for m, _ in found} for found in extracted(extractor, list(sentences))
        ]
        files[str(path)] = set_scores(list(sentences.values()), guesses)
        gold += sentences.values()
        predicted += guesses
    return {"files": files, "pooled": set_scores(gold, predicted)}


def conll_sentences(path: Path, entity: str = "Skill") -> list[tuple[str, set[Span]]]:
    """Each sentence of a CoNLL file (`token ... tag` per line, blank lines between sentences) as its tokens
    joined by single spaces, with the character spans of its gold `entity` mentions (see `tagged_text`)."""
    sentences: list[tuple[list[str], list[str]]] = [([], [])]
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if sentences[-1][0]:
                sentences.append(([], []))
            continue
        if len(parts) < 2 or (parts[-1] != "O" and parts[-1][:2] not in ("B-", "I-")):
            raise InputError(path, f"expected a token and a BIO tag, found {line.strip()!r}", line=number)
        sentences[-1][0].append(parts[0])
        sentences[-1][1].append(parts[-1])
    found = [tagged_text(tokens, tags, entity) for tokens, tags in sentences if tokens]
    if not found:
        raise InputError(path, "no sentences: expected CoNLL lines `token tag`")
    return found


def conll_span_scores(path: Path, extractor: Extractor, entity: str = "Skill") -> SpanScores:
    """Strict and lenient span scores of the extractor on each sentence of a CoNLL file against its gold
    `entity` spans; the sentence text is rebuilt from the tokens, so offsets are those of that text."""
    sentences = conll_sentences(path, entity)
    predicted = [
        {(m.span_start, m.span_end) for m, _ in found} for found in extracted(extractor, [t for t, _ in sentences])
    ]
    return span_scores([gold for _, gold in sentences], predicted)
