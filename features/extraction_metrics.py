"""Scores of extraction against gold annotations, micro-averaged over items (pure).

`set_scores`: set-valued predictions (e.g. ESCO labels per sentence). `span_scores`: character spans, strict
(the same start and end) and lenient (a predicted span overlapping a gold span counts for precision, a gold
span overlapped by a predicted span counts for recall)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TypedDict

Span = tuple[int, int]  # [start, end) character offsets


class SpanScores(TypedDict):
    sentences: int
    gold_spans: int
    predicted_spans: int
    strict: dict[str, float]
    lenient: dict[str, float]


def _scores(precision_hits: int, guessed: int, recall_hits: int, wanted: int) -> dict[str, float]:
    precision = precision_hits / guessed if guessed else 0.0
    recall = recall_hits / wanted if wanted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def set_scores(gold: Sequence[set[str]], predicted: Sequence[set[str]]) -> dict[str, float]:
    """Micro precision, recall and F1 over items, and the number of items."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold items but {len(predicted)} predictions")
    hits = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    guessed = sum(len(p) for p in predicted)
    wanted = sum(len(g) for g in gold)
    return {**_scores(hits, guessed, hits, wanted), "sentences": float(len(gold))}


def tagged_text(tokens: Sequence[str], tags: Sequence[str], entity: str) -> tuple[str, set[Span]]:
    """The tokens joined by single spaces, and the character spans of their `entity` mentions in that text
    (BIO tags; an I- tag that does not continue a mention of the type opens one, as conlleval reads it)."""
    spans: set[Span] = set()
    mention: Span | None = None
    start = 0
    for token, tag in zip(tokens, tags, strict=True):
        if tag == f"I-{entity}" and mention is not None:
            mention = (mention[0], start + len(token))
        else:
            if mention is not None:
                spans.add(mention)
            mention = (start, start + len(token)) if tag in (f"B-{entity}", f"I-{entity}") else None
        start += len(token) + 1
    if mention is not None:
        spans.add(mention)
    return " ".join(tokens), spans


def _overlaps(span: Span, others: Collection[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def span_scores(gold: Sequence[Collection[Span]], predicted: Sequence[Collection[Span]]) -> SpanScores:
    """Strict and lenient micro precision, recall and F1 of predicted spans per sentence against gold spans,
    with the numbers of sentences, gold spans and predicted spans (spans are distinct within a sentence)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold sentences but {len(predicted)} predictions")
    pairs = [(set(g), set(p)) for g, p in zip(gold, predicted, strict=True)]
    guessed = sum(len(p) for _, p in pairs)
    wanted = sum(len(g) for g, _ in pairs)
    exact = sum(len(g & p) for g, p in pairs)
    touching = sum(1 for g, p in pairs for span in p if _overlaps(span, g))
    touched = sum(1 for g, p in pairs for span in g if _overlaps(span, p))
    return {
        "sentences": len(pairs),
        "gold_spans": wanted,
        "predicted_spans": guessed,
        "strict": _scores(exact, guessed, exact, wanted),
        "lenient": _scores(touching, guessed, touched, wanted),
    }
