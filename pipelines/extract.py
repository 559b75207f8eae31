"""`moocast extract`: ESCO skills of every posting not yet processed for a taxonomy version, in one transaction.

A posting's language is the one it states, else the detected one. Languages whose ESCO skill labels are in
the warehouse are extracted natively; any other language is recorded as `unsupported_language` (never read as
English). Re-running processes only what is new; a newer ESCO version re-extracts everything for it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ahocorasick
import duckdb
import polars as pl

from features.language import detected_languages
from features.skills import COMMON_WORD_SHARE, common_words, label_automaton, label_entries, skill_matches

EXTRACTOR = "literal-1"


@dataclass(frozen=True)
class Extractor:
    """The literal extractor of one language, with preferred labels to name its skills."""

    automaton: ahocorasick.Automaton
    preferred: dict[str, str]


def latest_esco_version(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("SELECT max(version) FROM skills").fetchall()
    if rows[0][0] is None:
        raise ValueError("the warehouse holds no ESCO skills: run `moocast ingest taxonomy` first")
    return str(rows[0][0])


def literal_extractor(con: duckdb.DuckDBPyConnection, lang: str, common_share: float | None, version: str) -> Extractor:
    """The extractor of `lang` built from the warehouse's ESCO labels of `version`; `common_share` None keeps
    common single-word labels too (the literal-match floor). Common words come from the English skill
    descriptions, so the filter applies to English."""
    labels = con.sql(
        "SELECT l.uri, l.lang, l.label_type, l.label, s.reuse_level FROM concept_labels l "
        "JOIN skills s USING (version, uri) WHERE l.concept_kind = 'skill' AND l.version = ? AND l.lang = ?",
        params=[version, lang],
    ).pl()
    common: frozenset[str] = frozenset()
    if common_share is not None and lang == "en":
        descriptions = con.sql("SELECT description FROM skills WHERE version = ?", params=[version]).pl()
        common = common_words(descriptions["description"], common_share)
    preferred = dict(con.execute("SELECT uri, preferred_label FROM skills WHERE version = ?", [version]).fetchall())
    return Extractor(label_automaton(label_entries(labels, lang, common)), preferred)


def _pending(con: duckdb.DuckDBPyConnection, version: str) -> pl.DataFrame:
    return con.sql(
        "SELECT p.posting_key, p.title, coalesce(p.description, '') AS description, p.language FROM postings p "
        "WHERE NOT EXISTS (SELECT 1 FROM extraction_status e WHERE e.posting_key = p.posting_key "
        "AND e.taxonomy_version = ?) ORDER BY p.posting_key",
        params=[version],
    ).pl()


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    con.register("new_rows", rows.to_arrow())
    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM new_rows')
    con.unregister("new_rows")


def extract_postings(
    con: duckdb.DuckDBPyConnection,
    version: str | None = None,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, Any]:
    """Extract the pending postings; returns counts (processed, extracted, unsupported by language, skills)."""
    version = version or latest_esco_version(con)
    available = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT lang FROM concept_labels WHERE concept_kind = 'skill' AND version = ?", [version]
        ).fetchall()
    }
    postings = _pending(con, version)
    texts = [f"{title}\n{description}" for title, description in postings.select("title", "description").iter_rows()]
    detected = detected_languages(t for t, given in zip(texts, postings["language"], strict=True) if given is None)
    guesses = iter(detected)
    languages: list[str | None] = []
    confidences, methods = [], []
    for given in postings["language"]:
        lang, confidence = (given, 1.0) if given is not None else next(guesses)
        languages.append(lang)
        confidences.append(confidence)
        methods.append("given" if given is not None else "detected")
    extractors = {
        lang: literal_extractor(con, lang, COMMON_WORD_SHARE, version) for lang in available if lang in set(languages)
    }
    skill_rows, status_rows, unsupported = [], [], Counter[str]()
    now = datetime.now()
    for index, (key, text, lang) in enumerate(zip(postings["posting_key"], texts, languages, strict=True)):
        if lang in extractors:
            matches = skill_matches(text, extractors[lang].automaton)
            skill_rows += [
                (
                    key,
                    version,
                    m.skill_uri,
                    m.confidence,
                    "literal",
                    lang,
                    m.span_start,
                    m.span_end,
                    m.matched_text,
                    m.matched_label,
                )
                for m in matches
            ]
            status_rows.append((key, version, EXTRACTOR, "extracted", len(matches), now))
        else:
            unsupported[lang or "undetermined"] += 1
            status_rows.append((key, version, EXTRACTOR, "unsupported_language", 0, now))
        if index % 500 == 0:
            on_progress(index, postings.height)
    on_progress(postings.height, postings.height)
    con.execute("BEGIN TRANSACTION")
    try:
        keys = postings.select("posting_key")
        con.register("pending_keys", keys.to_arrow())
        con.execute("DELETE FROM posting_languages WHERE posting_key IN (SELECT posting_key FROM pending_keys)")
        con.unregister("pending_keys")
        _insert(
            con,
            "posting_languages",
            keys.with_columns(
                language=pl.Series(languages, dtype=pl.String),
                confidence=pl.Series(confidences, dtype=pl.Float64),
                method=pl.Series(methods, dtype=pl.String),
            ),
        )
        _insert(
            con,
            "posting_skills",
            pl.DataFrame(
                skill_rows,
                orient="row",
                schema=[
                    "posting_key",
                    "taxonomy_version",
                    "skill_uri",
                    "confidence",
                    "method",
                    "lang",
                    "span_start",
                    "span_end",
                    "matched_text",
                    "matched_label",
                ],
            ),
        )
        _insert(
            con,
            "extraction_status",
            pl.DataFrame(
                status_rows,
                orient="row",
                schema=["posting_key", "taxonomy_version", "extractor", "status", "skills", "processed_at"],
            ),
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {
        "taxonomy_version": version,
        "processed": postings.height,
        "extracted": sum(1 for row in status_rows if row[3] == "extracted"),
        "unsupported_by_language": dict(unsupported),
        "skills_found": len(skill_rows),
    }
