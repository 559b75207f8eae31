"""Scores of a set-valued prediction against a gold set, micro-averaged over items (pure)."""

from __future__ import annotations

from collections.abc import Sequence


def set_scores(gold: Sequence[set[str]], predicted: Sequence[set[str]]) -> dict[str, float]:
    """Micro precision, recall and F1 over items, and the number of items."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold items but {len(predicted)} predictions")
    hits = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    guessed = sum(len(p) for p in predicted)
    wanted = sum(len(g) for g in gold)
    precision = hits / guessed if guessed else 0.0
    recall = hits / wanted if wanted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "sentences": float(len(gold))}
