"""Job title -> ESCO occupation: every occupation label of a language matched with Aho-Corasick on whole words.

Titles and labels are compared as keys: lower-cased, accents folded, punctuation dropped, words single-spaced
("Chargé(e) de clientèle" -> "charge e de clientele"). A label "A/B" whose parts have as many words each
("ship steward/ship stewardess", "masseur/masseuse") is matched as its parts.

1. Labels found in the title: the best one covers most of the title's content words (words other than
   function words, single characters and numbers), then is preferred before alternative before hidden, then
   names fewer occupations, then comes earlier in the title, then has the smaller occupation URI.
2. Head-word back-off, for languages whose job titles put the head noun at a known end (English last, Romance
   languages first): the head is the title's content word nearest that end that heads some label (trailing
   noise such as "remote" is skipped); among the labels with that head at the same end ("java developer" ->
   labels ending in "developer"), the one sharing most other content words with the title, then whose ISCO
   group is the most common among those labels, then with fewer words, label type, fewer occupations, label.
   Its choice wins when no label is found, when it covers more of the title's content words than the label
   found, or when the label found is only the bare head of a longer title ("Saw Maker": not the one
   occupation whose alternative label is "maker", but the labels ending in "maker"). Other languages have no
   back-off.
A label shared by several occupations (at its best label type) names the one whose ISCO group is the most
common among them, then the smallest URI.

Confidence = coverage x label-type weight / occupations sharing the label (x 0.5 for the back-off), where
coverage is the share of the title's content words that the label covers and the label-type weights are
those of skill extraction (preferred 0.9, alt 0.75, hidden 0.5).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

import ahocorasick
import polars as pl

from features.skills import LABEL_TYPE_WEIGHT, MIN_LABEL_CHARS, normalized_label

LABEL_TYPES = ("preferred", "alt", "hidden")  # in order of preference; any other type counts as hidden
TYPE_RANK = {label_type: rank for rank, label_type in enumerate(LABEL_TYPES)}
BACKOFF_WEIGHT = 0.5
# Where a job title's head noun sits: the last word in English, the first in Romance languages.
HEAD_POSITION = {"en": -1, "fr": 0, "es": 0, "it": 0, "pt": 0, "ro": 0, "ca": 0}
# Words that never count towards a title's coverage (English and French function words; single characters
# never count either).
# fmt: off
FUNCTION_WORDS = frozenset([
    "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with",
    "au", "aux", "de", "des", "du", "en", "et", "la", "le", "les", "ou", "par", "pour", "sur", "un", "une",
])
# fmt: on
_WORD = re.compile(r"[^\W_]+[+#]*")


def _folded(text: str) -> str:
    """Text without accents (NFKD, combining marks dropped)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def title_key(text: str) -> str:
    """The words of a title or label, lower-cased, accent-folded, punctuation dropped, single-spaced."""
    return " ".join(_WORD.findall(_folded(normalized_label(text))))


def content_words(key: str) -> list[str]:
    """Words of a key that count towards coverage: not function words, single characters or numbers."""
    return [w for w in key.split(" ") if len(w) > 1 and not w.isdigit() and w not in FUNCTION_WORDS]


def label_keys(label: str) -> list[str]:
    """The keys a label is matched as: its parts when it is "A/B" with parts of equal word counts, else itself."""
    parts = [title_key(part) for part in label.split("/")]
    if len(parts) > 1 and all(parts) and len({p.count(" ") for p in parts}) == 1:
        return list(dict.fromkeys(parts))
    return [title_key(label)]


@dataclass(frozen=True)
class OccupationEntry:
    """What one label key stands for: its occupation, ISCO-08 group, label type and ambiguity."""

    occupation_uri: str
    isco_group: str
    label: str
    label_type: str
    occupations: int  # occupations sharing the key at its best label type
    words: frozenset[str]  # content words of the key

    @property
    def rank(self) -> tuple[int, int, str]:
        return TYPE_RANK[self.label_type], self.occupations, self.occupation_uri


def occupation_entries(labels: pl.DataFrame) -> dict[str, OccupationEntry]:
    """Key -> OccupationEntry from rows `uri, isco_group, label_type, label` (one language)."""
    candidates: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for uri, isco, label_type, label in labels.select("uri", "isco_group", "label_type", "label").iter_rows():
        for key in label_keys(label):
            if len(key) >= MIN_LABEL_CHARS and content_words(key):
                candidates[key].append((TYPE_RANK.get(label_type, 2), uri, isco))
    entries = {}
    for key, found in candidates.items():
        best_rank = min(rank for rank, _, _ in found)
        best = sorted({(uri, isco) for rank, uri, isco in found if rank == best_rank})
        groups = Counter(isco for _, isco in best)
        uri, isco = min(best, key=lambda pair: (-groups[pair[1]], pair[0]))
        words = frozenset(content_words(key))
        entries[key] = OccupationEntry(uri, isco, key, LABEL_TYPES[best_rank], len(best), words)
    return entries


@dataclass(frozen=True)
class HeadLabels:
    """The labels with one head noun: the best of them for a title sharing no other word with any, the labels
    holding each other content word, and how many of the labels fall in each ISCO group."""

    best: OccupationEntry
    by_word: dict[str, list[OccupationEntry]]
    group_counts: Counter[str]


@dataclass(frozen=True)
class OccupationLexicon:
    """Everything needed to code titles of one language (build once per language, reuse)."""

    automaton: ahocorasick.Automaton
    heads: dict[str, HeadLabels]
    head_position: int | None


def _head_labels(entries: list[OccupationEntry]) -> HeadLabels:
    groups = Counter(entry.isco_group for entry in entries)
    by_word: dict[str, list[OccupationEntry]] = defaultdict(list)
    for entry in entries:
        for word in entry.words:
            by_word[word].append(entry)
    best = min(entries, key=lambda e: (-groups[e.isco_group], len(e.words), e.rank, e.label))
    return HeadLabels(best, dict(by_word), groups)


def occupation_lexicon(entries: dict[str, OccupationEntry], lang: str) -> OccupationLexicon:
    """The automaton over the space-padded keys and, where the language has one, the head-word index."""
    automaton = ahocorasick.Automaton()
    for key, entry in entries.items():
        padded = f" {key} "
        automaton.add_word(padded, (len(padded), entry))
    automaton.make_automaton()
    position = HEAD_POSITION.get(lang)
    by_head: dict[str, list[OccupationEntry]] = defaultdict(list)
    if position is not None:
        for key, entry in entries.items():
            words = content_words(key)
            if words and key.split(" ")[position] == words[position]:
                by_head[words[position]].append(entry)
    return OccupationLexicon(automaton, {head: _head_labels(found) for head, found in by_head.items()}, position)


@dataclass(frozen=True)
class OccupationMatch:
    occupation_uri: str
    isco_group: str
    confidence: float
    matched_label: str
    method: str  # label | head


def _match(entry: OccupationEntry, title_words: int, covered: int, weight: float, method: str) -> OccupationMatch:
    coverage = covered / max(title_words, covered, 1)
    confidence = coverage * LABEL_TYPE_WEIGHT[entry.label_type] * weight / entry.occupations
    return OccupationMatch(entry.occupation_uri, entry.isco_group, round(confidence, 4), entry.label, method)


def _head_choice(words: list[str], lexicon: OccupationLexicon) -> tuple[str, OccupationEntry, int] | None:
    """(head, best label with that head, title words it shares) by the head-word back-off, if the title has one."""
    if lexicon.head_position is None:
        return None
    ordered = words if lexicon.head_position == 0 else words[::-1]
    head = next((word for word in ordered if word in lexicon.heads), None)
    if head is None:
        return None
    labels = lexicon.heads[head]
    shared: Counter[OccupationEntry] = Counter()
    for word in set(words) - {head}:
        shared.update(labels.by_word.get(word, []))
    best = min(
        shared or [labels.best],
        key=lambda e: (-shared[e], -labels.group_counts[e.isco_group], len(e.words), e.rank, e.label),
    )
    return head, best, shared[best] + 1


def title_occupation(title: str, lexicon: OccupationLexicon) -> OccupationMatch | None:
    """The best occupation for a title (see the module doc), or None when neither a label nor a head noun fits."""
    key = title_key(title)
    words = content_words(key)
    if not words:
        return None
    found = [(end - length, entry) for end, (length, entry) in lexicon.automaton.iter(f" {key} ")]
    label = (
        min(found, key=lambda f: (-len(f[1].words), *f[1].rank[:2], f[0], f[1].occupation_uri))[1] if found else None
    )
    choice = _head_choice(words, lexicon)
    if choice is not None:
        head, entry, covered = choice
        bare = label is not None and label.words == {head} and len(set(words)) > 1
        if entry != label and (label is None or covered > len(label.words) or bare):
            return _match(entry, len(words), covered, BACKOFF_WEIGHT, "head")
    return _match(label, len(words), len(label.words), 1.0, "label") if label is not None else None


def occupation_scores(predictions: pl.DataFrame, crosswalk: pl.DataFrame) -> dict[str, float | int]:
    """Accuracy of predicted occupations against a crosswalk, over every (title, code) row.

    `predictions`: title, code, occupation_uri, isco_group, method (nulls when nothing was predicted);
    `crosswalk`: code, occupation_uri, isco_group: the occupations each code corresponds to.
    isco_accuracy: share of rows whose predicted ISCO group is one of the code's; occupation_accuracy: whose
    predicted occupation is one of the code's; coverage: share with a prediction; majority_isco_baseline:
    isco_accuracy of always predicting the ISCO group that is right for most rows; per method: its share of
    the rows and the isco_accuracy of its predictions."""
    targets = crosswalk.group_by("code").agg(
        pl.col("occupation_uri").unique().alias("uris"), pl.col("isco_group").unique().alias("groups")
    )
    rows = predictions.join(targets, on="code", how="inner")
    if rows.height == 0:
        raise ValueError("no prediction has a code in the crosswalk")
    scored = rows.select(
        "method",
        predicted=pl.col("occupation_uri").is_not_null(),
        isco_hit=pl.col("groups").list.contains(pl.col("isco_group")).fill_null(False),
        occupation_hit=pl.col("uris").list.contains(pl.col("occupation_uri")).fill_null(False),
    )
    coverage, isco_accuracy, occupation_accuracy = scored.drop("method").mean().row(0)
    majority = rows.select(pl.col("groups").explode().value_counts(sort=True)).unnest("groups")
    scores: dict[str, float | int] = {
        "titles": rows.height,
        "distinct_titles": rows["title"].n_unique(),
        "codes": rows["code"].n_unique(),
        "coverage": round(coverage, 4),
        "isco_accuracy": round(isco_accuracy, 4),
        "occupation_accuracy": round(occupation_accuracy, 4),
        "majority_isco_baseline": round(majority["count"][0] / rows.height, 4),
    }
    by_method = scored.drop_nulls("method").group_by("method").agg(pl.len(), pl.col("isco_hit").mean()).sort("method")
    for method, count, hit in by_method.iter_rows():
        scores[f"share_{method}"] = round(count / rows.height, 4)
        scores[f"isco_accuracy_{method}"] = round(hit, 4)
    return scores
