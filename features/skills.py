"""Literal ESCO skill extraction: a label lexicon per language matched with Aho-Corasick on word boundaries.

Confidence of a match = label-type weight x length weight x ambiguity weight, where
  label-type weight: preferred 0.9, alt 0.75, hidden 0.5 (hidden labels are ESCO's common misspellings);
  length weight:     1 word 0.6, 2 words 0.85, 3+ words 1.0 (short labels are the usual false friends);
  ambiguity weight:  1 / n for a label shared by n skills (the best skill is kept: preferred label first,
                     then the more reusable skill: transversal > cross-sector > sector > occupation-specific).
Overlapping matches: the longest span wins; spans inside it are dropped. Labels that are too short, made of
stop words only, or a single stop word are never matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick
import polars as pl

LABEL_TYPE_WEIGHT = {"preferred": 0.9, "alt": 0.75, "hidden": 0.5}
REUSE_RANK = {"transversal": 0, "cross-sector": 1, "sector-specific": 2, "occupation-specific": 3}
MIN_LABEL_CHARS = 3
# A single-word alternative label is "common" when it occurs in more than this share of ESCO's own skill
# descriptions. Chosen on the Decorte tech validation file only (0.001 / 0.003 / 0.01 tried); the house file
# is the held-out check. The gold labels themselves are never read by the extractor.
COMMON_WORD_SHARE = 0.001
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "we",
        "were",
        "will",
        "with",
        "you",
        "your",
        "who",
        "all",
        "any",
        "can",
        "do",
        "may",
        "more",
        "most",
        "new",
        "not",
        "one",
        "other",
        "some",
        "such",
        "than",
        "them",
        "then",
        "these",
        "they",
        "use",
        "used",
        "using",
        "work",
        "working",
        "job",
        "team",
        "role",
        "level",
        "good",
        "well",
        "high",
        "support",
    ]
)
_SPACES = re.compile(r"\s+")
# What str.isspace() (and Python's regex \s) counts as white space: U+2000-U+200A among others.
PYTHON_WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    map(chr, range(0x2000, 0x200B))
)
_ANY_SPACE = re.compile(r"\s")
_ASCII_SPACES = str.maketrans({c: " " for c in map(chr, range(128)) if c.isspace()})  # what \s matches in ASCII


def normalized_label(label: str) -> str:
    """Lower-case, single-spaced label text."""
    return _SPACES.sub(" ", label.strip().lower())


def _length_weight(words: int) -> float:
    return 0.6 if words == 1 else 0.85 if words == 2 else 1.0


def _normalized_labels(labels: pl.Expr) -> pl.Expr:
    """normalized_label of each label, vectorised (Rust's regex \\s lacks the \\x1c-\\x1f that Python's has)."""
    return labels.str.strip_chars(PYTHON_WHITESPACE).str.to_lowercase().str.replace_all(r"[\s\x1c-\x1f]+", " ")


def _usable(keys: pl.Expr) -> pl.Expr:
    """Normalised labels long enough and not made of stop words only."""
    only_stop_words = keys.str.split(" ").list.eval(pl.element().is_in(list(STOP_WORDS))).list.all()
    return (keys.str.len_chars() >= MIN_LABEL_CHARS) & ~only_stop_words


@dataclass(frozen=True)
class Entry:
    """What one normalised label stands for: its best skill and the match confidence it carries."""

    skill_uri: str
    label: str
    confidence: float


def common_words(descriptions: pl.Series, share: float) -> frozenset[str]:
    """Words that occur in more than `share` of the descriptions (e.g. ESCO's own skill descriptions)."""
    words = (
        descriptions.drop_nulls()
        .str.to_lowercase()
        .str.extract_all(r"[\p{L}\p{N}+#]+")
        .list.unique()
        .explode()
        .value_counts()
    )
    cutoff = share * descriptions.drop_nulls().len()
    return frozenset(words.filter(pl.col("count") > cutoff).to_series().to_list())


def label_entries(labels: pl.DataFrame, lang: str, common: frozenset[str] = frozenset()) -> dict[str, Entry]:
    """Normalised label -> Entry, from rows `uri, lang, label_type, label, reuse_level` of one language.

    Single-word alternative and hidden labels that are `common` words are left out (e.g. "data" as an
    alternative label of statistics); single-word preferred labels stay, with a low length weight."""
    generic = pl.col("key").is_in(list(common)) & (pl.col("label_type") != "preferred")
    rows = (
        labels.filter(pl.col("lang") == lang)
        .with_columns(
            key=_normalized_labels(pl.col("label")),
            type_rank=pl.col("label_type").replace_strict({"preferred": 0, "alt": 1, "hidden": 2}, default=3),
            reuse_rank=pl.col("reuse_level").replace_strict(REUSE_RANK, default=4),
        )
        .filter(_usable(pl.col("key")) & ~generic)
        .sort("key", "type_rank", "reuse_rank", "uri")
    )
    best = rows.group_by("key", maintain_order=True).agg(
        pl.col("uri").first(), pl.col("label_type").first(), pl.col("uri").n_unique().alias("skills")
    )
    entries = {}
    for key, uri, label_type, skills in best.iter_rows():
        weight = LABEL_TYPE_WEIGHT.get(label_type, 0.5) * _length_weight(key.count(" ") + 1) / skills
        entries[key] = Entry(uri, key, round(weight, 4))
    return entries


def label_automaton(entries: dict[str, Entry]) -> ahocorasick.Automaton:
    """An Aho-Corasick automaton over the normalised labels (build once per language, reuse)."""
    automaton = ahocorasick.Automaton()
    for key, entry in entries.items():
        automaton.add_word(key, (len(key), entry))
    automaton.make_automaton()
    return automaton


@dataclass(frozen=True)
class Match:
    skill_uri: str
    confidence: float
    span_start: int
    span_end: int
    matched_text: str
    matched_label: str


def _same_length_lower(text: str) -> str:
    """Lower-cased text with every character at its offset (whitespace as plain spaces)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if lowered.isascii():  # the common case: a translation table is several times faster than the regex
        return lowered.translate(_ASCII_SPACES)
    return _ANY_SPACE.sub(" ", lowered)


def skill_matches(text: str, automaton: ahocorasick.Automaton, min_confidence: float = 0.0) -> list[Match]:
    """Non-overlapping literal skill matches in `text` (longest span first), one per skill, by position.

    A match must sit on word boundaries: no letter or digit just before or after it."""
    lowered = _same_length_lower(text)
    size = len(lowered)
    found = []
    for end_index, (length, entry) in automaton.iter(lowered):
        start, end = end_index - length + 1, end_index + 1
        if (
            entry.confidence >= min_confidence
            and (start == 0 or not lowered[start - 1].isalnum())
            and (end == size or not lowered[end].isalnum())
        ):
            found.append((start, end, entry))
    found.sort(key=lambda item: (item[0] - item[1], item[0]))
    taken = bytearray(size)  # 1 where a kept span lies
    seen: set[str] = set()
    matches = []
    for start, end, entry in found:
        if taken.find(1, start, end) != -1:
            continue
        taken[start:end] = b"\x01" * (end - start)
        if entry.skill_uri in seen:
            continue
        seen.add(entry.skill_uri)
        matches.append(Match(entry.skill_uri, entry.confidence, start, end, text[start:end], entry.label))
    matches.sort(key=lambda match: match.span_start)
    return matches


def skills_of_texts(texts: Iterable[str], automaton: ahocorasick.Automaton, min_confidence: float) -> list[list[Match]]:
    """skill_matches of each text."""
    return [skill_matches(text, automaton, min_confidence) for text in texts]
