"""`moocast extract`: ESCO skills of every posting not yet processed for a taxonomy version, in one transaction.

A posting's language is the one it states, else the detected one. Languages whose ESCO skill labels are in
the warehouse are extracted natively; any other language is recorded as `unsupported_language` (never read as
English). Re-running processes only what is new; a newer ESCO version re-extracts everything for it, and so does a
newer extractor: postings whose status names neither the current literal nor the current semantic extractor are
extracted again (their old rows replaced). A semantic extraction holds for the literal extractor too (it includes
the literal matches), not the other way round: `extract --semantic` after a literal run links those postings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import ahocorasick
import duckdb
import polars as pl

from features.language import detected_languages
from features.skills import (
    COMMON_WORD_SHARE,
    Match,
    common_words,
    label_automaton,
    label_entries,
    ordinary_words,
    skill_matches,
    with_named_heads,
)
from pipelines.warehouse import insert_frame, latest_version, transaction

# Versions of the extractors: bump when their results change (literal-2: loose synonyms, names and heads rules;
# semantic-3: threshold 0.80), so that `moocast extract` re-extracts what an older version did.
EXTRACTOR, SEMANTIC = "literal-2", "semantic-3"
SEMANTIC_EXTRACTOR = f"{EXTRACTOR}+{SEMANTIC}"
# texts and their literal matches -> the semantic matches of each text (see pipelines/embeddings.py)
Linker = Callable[[list[str], list[list[Match]]], list[list[Match]]]
CHUNK = 10_000  # postings detected, matched and inserted at a time


@dataclass(frozen=True)
class Extractor:
    """The literal extractor of one language, with preferred labels to name its skills, and optionally a
    semantic linker for the phrases no label matched."""

    automaton: ahocorasick.Automaton
    preferred: dict[str, str]
    linker: Linker | None = None


def extracted(extractor: Extractor, texts: list[str]) -> list[list[tuple[Match, str]]]:
    """(match, method) per text: literal matches, then semantic ones when the extractor links phrases."""
    literal = [skill_matches(text, extractor.automaton) for text in texts]
    semantic = extractor.linker(texts, literal) if extractor.linker else [[] for _ in texts]
    return [
        [(m, "literal") for m in found] + [(m, "semantic") for m in linked]
        for found, linked in zip(literal, semantic, strict=True)
    ]


def latest_esco_version(con: duckdb.DuckDBPyConnection) -> str:
    version = latest_version(con, "skills")
    if version is None:
        raise ValueError("the warehouse holds no ESCO skills: run `moocast ingest taxonomy` first")
    return version


def skill_label_languages(con: duckdb.DuckDBPyConnection, version: str) -> set[str]:
    """The languages that ESCO `version` has skill labels in."""
    rows = con.execute(
        "SELECT DISTINCT lang FROM concept_labels WHERE concept_kind = 'skill' AND version = ?", [version]
    ).fetchall()
    return {row[0] for row in rows}


# ESCO's English prose, written with ordinary capitalisation (labels are not: ESCO writes alternative labels and
# occupation titles in lower case, names included: "devops engineer")
ESCO_ENGLISH_DESCRIPTIONS = (
    "SELECT description AS text FROM skills WHERE version = ? UNION ALL "
    "SELECT description FROM occupations WHERE version = ? UNION ALL "
    "SELECT description FROM skill_groups WHERE version = ?"
)


def literal_extractor(con: duckdb.DuckDBPyConnection, lang: str, common_share: float | None, version: str) -> Extractor:
    """The extractor of `lang` built from the warehouse's ESCO labels of `version`; `common_share` None is the
    literal-match floor: every ESCO label as it is, no precision rule. The rules need to know which words are
    common (in the English skill descriptions) and ordinary (in ESCO's English texts), so they apply to English;
    named heads apply to every language."""
    labels = con.sql(
        "SELECT l.uri, l.lang, l.label_type, l.label, s.reuse_level FROM concept_labels l "
        "JOIN skills s USING (version, uri) WHERE l.concept_kind = 'skill' AND l.version = ? AND l.lang = ?",
        params=[version, lang],
    ).pl()
    common: frozenset[str] = frozenset()
    ordinary: frozenset[str] = frozenset()
    if common_share is not None:
        labels = with_named_heads(labels)
        if lang == "en":
            descriptions = con.sql("SELECT description FROM skills WHERE version = ?", params=[version]).pl()
            common = common_words(descriptions["description"], common_share)
            ordinary = ordinary_words(con.sql(ESCO_ENGLISH_DESCRIPTIONS, params=[version] * 3).pl()["text"])
    preferred = dict(con.execute("SELECT uri, preferred_label FROM skills WHERE version = ?", [version]).fetchall())
    return Extractor(label_automaton(label_entries(labels, lang, common, ordinary)), preferred)


# What an extraction reads of a posting: a posting reloaded with other text or language is extracted again
# (migration 17 backfills extraction_status.input_hash with the same expression)
EXTRACTION_INPUT = "hash(p.title, p.description, p.language)"
PENDING = (
    "FROM postings p WHERE NOT EXISTS (SELECT 1 FROM extraction_status e WHERE e.posting_key = p.posting_key "
    f"AND e.taxonomy_version = ? AND e.extractor IN (?, ?) AND e.input_hash = {EXTRACTION_INPUT})"
)  # parameters: version and the two extractors whose results hold for the run
# statuses of postings no longer in the warehouse (their source was reloaded without them); their skills and
# languages go with them, so the big posting_skills table is only touched when something vanished
VANISHED = (
    "DELETE FROM extraction_status WHERE posting_key NOT IN (SELECT posting_key FROM postings) RETURNING posting_key"
)


def _pending_params(version: str, semantic: bool) -> list[str]:
    return [version, SEMANTIC_EXTRACTOR if semantic else EXTRACTOR, SEMANTIC_EXTRACTOR]


def _pending_chunks(reader: duckdb.DuckDBPyConnection, version: str, semantic: bool) -> Iterator[pl.DataFrame]:
    """The postings not yet processed for `version`, CHUNK rows at a time, streamed (never all in memory)."""
    columns = (
        "p.posting_key, p.title, coalesce(p.description, '') AS description, p.language, "
        f"{EXTRACTION_INPUT} AS input_hash"
    )
    pending = reader.sql(f"SELECT {columns} {PENDING}", params=_pending_params(version, semantic))
    for batch in pending.to_arrow_reader(CHUNK):
        yield pl.DataFrame(batch)


def _languages(postings: pl.DataFrame) -> pl.DataFrame:
    """Language, confidence and method per posting: the stated language, else the one detected in its text, read
    description first (titles are short and often name the occupation in another language: "Software Developers
    (Mitarbeiter/in - Entwicklungszusammenarbeit)")."""
    given = postings["language"].to_list()
    texts = [f"{description}\n{title}" for title, description in postings.select("title", "description").iter_rows()]
    detected = iter(detected_languages(t for t, lang in zip(texts, given, strict=True) if lang is None))
    found = [(lang, 1.0, "given") if lang is not None else (*next(detected), "detected") for lang in given]
    return pl.DataFrame(
        found, orient="row", schema={"language": pl.String, "confidence": pl.Float64, "method": pl.String}
    )


SKILL_COLUMNS = {
    "skill_uri": pl.String,
    "confidence": pl.Float64,
    "span_start": pl.Int32,
    "span_end": pl.Int32,
    "matched_text": pl.String,
    "matched_label": pl.String,
}


def _chunk_tables(
    postings: pl.DataFrame, version: str, extractor_of: Callable[[str], Extractor | None], name: str
) -> dict[str, pl.DataFrame]:
    """The posting_languages, posting_skills and extraction_status rows of one chunk of pending postings."""
    texts = [f"{title}\n{description}" for title, description in postings.select("title", "description").iter_rows()]
    languages = _languages(postings)
    found: dict[int, list[tuple[Match, str]]] = {}
    for lang in languages["language"].drop_nulls().unique().sort():
        extractor = extractor_of(lang)
        if extractor is not None:
            positions = [i for i, given in enumerate(languages["language"]) if given == lang]
            found |= dict(zip(positions, extracted(extractor, [texts[i] for i in positions]), strict=True))
    keys, langs, methods, rows, statuses, counts = [], [], [], [], [], []
    for position, (key, lang) in enumerate(zip(postings["posting_key"], languages["language"], strict=True)):
        if position not in found:
            statuses.append("unsupported_language")
            counts.append(0)
            continue
        matches = found[position]
        keys += [key] * len(matches)
        langs += [lang] * len(matches)
        methods += [method for _, method in matches]
        rows += [
            (m.skill_uri, m.confidence, m.span_start, m.span_end, m.matched_text, m.matched_label) for m, _ in matches
        ]
        statuses.append("extracted")
        counts.append(len(matches))
    skills = pl.DataFrame(rows, orient="row", schema=SKILL_COLUMNS).with_columns(
        posting_key=pl.Series(keys, dtype=pl.String),
        taxonomy_version=pl.lit(version),
        method=pl.Series(methods, dtype=pl.String),
        lang=pl.Series(langs, dtype=pl.String),
    )
    keyed = postings.select("posting_key")
    status = postings.select("posting_key", "input_hash").with_columns(
        taxonomy_version=pl.lit(version),
        extractor=pl.lit(name),
        status=pl.Series(statuses, dtype=pl.String),
        skills=pl.Series(counts, dtype=pl.Int32),
        processed_at=pl.lit(datetime.now()),
    )
    return {
        "posting_languages": pl.concat([keyed, languages], how="horizontal"),
        "posting_skills": skills,
        "extraction_status": status,
    }


def extract_postings(
    con: duckdb.DuckDBPyConnection,
    version: str | None = None,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
    semantic: bool = False,
) -> dict[str, Any]:
    """Extract the pending postings; returns counts (processed, extracted, unsupported by language, skills, and
    `removed`: postings no longer in the warehouse whose extraction was deleted).

    Postings are streamed, detected, matched and inserted CHUNK at a time, so memory does not grow with their
    number; every chunk belongs to the same transaction, so the run is all or nothing."""
    version = version or latest_esco_version(con)
    available = skill_label_languages(con, version)
    extractors: dict[str, Extractor] = {}

    def extractor_of(lang: str) -> Extractor | None:
        if lang in available and lang not in extractors:
            extractors[lang] = literal_extractor(con, lang, COMMON_WORD_SHARE, version)
            if semantic:
                from pipelines.embeddings import semantic_linker

                extractors[lang] = replace(extractors[lang], linker=semantic_linker(con, version, lang))
        return extractors.get(lang)

    total = con.execute(f"SELECT count(*) {PENDING}", _pending_params(version, semantic)).fetchall()[0][0]
    processed, extracted, skills_found, unsupported = 0, 0, 0, Counter[str]()
    reader = con.cursor()  # a connection of its own: it streams the pending postings while `con` writes
    reader.execute("SET enable_progress_bar = false")  # DuckDB would draw it on stdout, amid --json output
    try:
        with transaction(con):
            vanished = pl.DataFrame(con.execute(VANISHED).fetchall(), schema=["posting_key"], orient="row").unique()
            if vanished.height:
                con.register("vanished", vanished.to_arrow())
                for table in ("posting_skills", "posting_languages"):
                    con.execute(f"DELETE FROM {table} WHERE posting_key IN (SELECT posting_key FROM vanished)")
                con.unregister("vanished")
            for postings in _pending_chunks(reader, version, semantic):
                tables = _chunk_tables(postings, version, extractor_of, SEMANTIC_EXTRACTOR if semantic else EXTRACTOR)
                con.register("pending_keys", postings.select("posting_key").to_arrow())
                con.execute("DELETE FROM posting_languages WHERE posting_key IN (SELECT posting_key FROM pending_keys)")
                for table in ("posting_skills", "extraction_status"):  # rows of an older extractor
                    con.execute(
                        f"DELETE FROM {table} WHERE taxonomy_version = ? "
                        "AND posting_key IN (SELECT posting_key FROM pending_keys)",
                        [version],
                    )
                con.unregister("pending_keys")
                for table, rows in tables.items():
                    insert_frame(con, table, rows)
                status = tables["extraction_status"].join(tables["posting_languages"], on="posting_key")
                extracted += status.filter(pl.col("status") == "extracted").height
                unsupported.update(
                    lang or "undetermined" for lang in status.filter(pl.col("status") != "extracted")["language"]
                )
                skills_found += tables["posting_skills"].height
                processed += postings.height
                on_progress(processed, total)
    finally:
        reader.close()
    on_progress(processed, total)
    return {
        "taxonomy_version": version,
        "processed": processed,
        "extracted": extracted,
        "unsupported_by_language": dict(unsupported),
        "skills_found": skills_found,
        "removed": vanished.height,
    }
