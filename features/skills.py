"""Literal ESCO skill extraction: a label lexicon per language matched with Aho-Corasick on word boundaries.

Confidence of a match = label-type weight x length weight x ambiguity weight, where
  label-type weight: preferred 0.9, alt 0.75, hidden 0.5 (hidden labels are ESCO's common misspellings);
  length weight:     1 word 0.6, 2 words 0.85, 3+ words 1.0 (short labels are the usual false friends);
  ambiguity weight:  1 / n for a label shared by n skills (the best skill is kept: preferred label first,
                     then the more reusable skill: transversal > cross-sector > sector > occupation-specific).
Overlapping matches: the longest span wins; spans inside it are dropped. Labels that are too short, made of
stop words only, or a single stop word are never matched.

Precision rules (English; they need to know which words are ordinary, see `ordinary_words`):
  common words:    single-word alternative and hidden labels used in more than COMMON_WORD_SHARE of ESCO's skill
                   descriptions are left out ("data" for statistics);
  loose synonyms:  a single-word alternative or hidden label written in lower case, that is an ordinary word and
                   shares no word stem (first STEM_CHARS letters) with the skill's preferred label, is left out
                   ("confidence" for assertiveness, "breaking" for decommissioning, "agile" for ICT project
                   management methodologies), except for transversal skills; product names ("PowerShell") and
                   labels related in form ("troubleshooting" for troubleshoot) stay;
  names:           a single-word label that ESCO writes only with capitals (an acronym or a name) and whose lower
                   case form is an ordinary word ("LESS", "DID", "Scratch", "Polish") matches only where the text
                   writes it as ESCO does and its case says something: the nearest content word before or after it
                   on its line is in lower case (so the words around it are not in title case or capitals), and a
                   capitalised name does not start a sentence ("less", "from scratch" and "Learn Python from
                   Scratch" name no skill; "LESS and Sass" and "program in Scratch" do);
  heads:           a preferred label with a parenthesised qualifier, "SaaS (service-oriented modelling)", also
                   names its skill by its head "SaaS": a label weighed and filtered like an alternative one but
                   ranked before the alternative labels of other skills (ESCO gives the head as an alternative
                   label for 30 of its 32 such skills, not for this one nor PM²; "saas" was taken by the
                   alternative label of service-oriented modelling).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick
import polars as pl

LABEL_TYPE_WEIGHT = {"preferred": 0.9, "head": 0.75, "alt": 0.75, "hidden": 0.5}
LABEL_TYPE_RANK = {"preferred": 0, "head": 1, "alt": 2, "hidden": 3}
REUSE_RANK = {"transversal": 0, "cross-sector": 1, "sector-specific": 2, "occupation-specific": 3}
MIN_LABEL_CHARS = 3
# A single-word alternative label is "common" when it occurs in more than this share of ESCO's own skill
# descriptions. Chosen on the Decorte tech validation file only (0.001 / 0.003 / 0.01 tried); the house file
# is the held-out check. The gold labels themselves are never read by the extractor.
COMMON_WORD_SHARE = 0.001
# Loose synonyms of these skills stay: the one-word labels of transversal skills name the quality itself
# ("leadership" for lead others, "resilience" for cope with stress). Chosen on the tech file and the Green 2022 spans.
LOOSE_SYNONYMS_KEPT = frozenset({"transversal"})
STEM_CHARS = 5  # see _share_a_stem
# Words that never make a label on their own, nor start or end a semantic candidate phrase
_STOP_WORDS_TEXT = """
a an and are as at be by for from has have in is it its of on or our that the their this to was we were will with
you your who all any can do may more most new not one other some such than them then these they use used using work
working job team role level good well high support
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# Closed-class English words (auxiliaries, modals, pronouns, determiners, quantifiers, prepositions, conjunctions):
# ordinary words whatever ESCO's texts say (they use few of them: "did" is written in lower case once).
_FUNCTION_WORDS_TEXT = """
a about above after again against all am an and any are as at be been before being below between both but by
can could did do does doing down during each either few for from further had has have having he her here
hers him his how i if in into is it its itself just less many may me might more most much must my neither no
nor not now of off on once only or other ought our ours out over own per same shall she should since so some
such than that the their them then there these they this those through to too under until up upon us very
via was we were what when where whether which while who whom whose why will with within without would yet
you your yours
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
WORD = r"[\p{L}\p{N}+#]+"  # a word, as ESCO's texts are split into words
_LETTERS = re.compile(r"[^\W\d_]+")
SENTENCE_MARKS = ".!?•*-–—|"  # after one of these (or at a line start) a capital letter starts a sentence
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


ANY_CASE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Entry:
    """What one normalised label stands for: its best skill and the match confidence it carries; `cased` holds
    the only forms in which the text may write it (empty: any case)."""

    skill_uri: str
    label: str
    confidence: float
    cased: frozenset[str] = ANY_CASE


def common_words(descriptions: pl.Series, share: float) -> frozenset[str]:
    """Words that occur in more than `share` of the descriptions (e.g. ESCO's own skill descriptions)."""
    words = descriptions.drop_nulls().str.to_lowercase().str.extract_all(WORD).list.unique().explode().value_counts()
    cutoff = share * descriptions.drop_nulls().len()
    return frozenset(words.filter(pl.col("count") > cutoff).to_series().to_list())


def ordinary_words(texts: pl.Series) -> frozenset[str]:
    """The FUNCTION_WORDS, and the lower-case words that `texts` (prose such as ESCO's descriptions) write in lower
    case in at least one text and in no fewer texts than they capitalise them inside a sentence (where a capital
    marks a name: "Swift" in "paradigms in Swift", "scratch" in "scratch remover")."""
    written = texts.drop_nulls()
    lower = written.str.extract_all(r"\b\p{Ll}[\p{Ll}\p{N}+#]*").list.unique().explode().drop_nulls()
    # a capitalised word after a character that ends no sentence, and white space: written as a name
    inside = written.str.extract_all(rf"[^\s{re.escape(SENTENCE_MARKS)}]\s+\p{{Lu}}[\p{{L}}\p{{N}}+#]*")
    named = inside.list.eval(pl.element().str.replace(r"^\S\s+", "")).list.unique().explode().drop_nulls()
    counts = (
        pl.concat(
            [
                pl.DataFrame({"word": lower, "lower": 1, "named": 0}),
                pl.DataFrame({"word": named.str.to_lowercase(), "lower": 0, "named": 1}),
            ]
        )
        .group_by("word")
        .agg(pl.col("lower").sum(), pl.col("named").sum())
        .filter((pl.col("lower") >= 1) & (pl.col("lower") >= pl.col("named")))
    )
    return frozenset(counts["word"].to_list()) | FUNCTION_WORDS


def with_named_heads(labels: pl.DataFrame) -> pl.DataFrame:
    """`labels` plus, for each preferred label "head (qualifier)", its head as a label of type `head` of that skill
    (weighed and filtered like an alternative label, ranked before them)."""
    heads = (
        labels.filter(pl.col("label_type") == "preferred")
        .with_columns(pl.col("label").str.extract(r"^\s*(\S.*?)\s*\(.+\)\s*$"), label_type=pl.lit("head"))
        .drop_nulls("label")
    )
    return pl.concat([labels, heads.select(labels.columns)])


def _share_a_stem(label: str, name: str) -> bool:
    """Whether a word of `label` and a word of `name` (3+ letters each) begin with the same STEM_CHARS letters,
    or the shorter one is the start of the other ("swim" and "swimming")."""
    return any(
        a[:STEM_CHARS] == b[:STEM_CHARS] if min(len(a), len(b)) >= STEM_CHARS else a.startswith(b) or b.startswith(a)
        for a in _LETTERS.findall(label.lower())
        if len(a) >= 3
        for b in _LETTERS.findall(name.lower())
        if len(b) >= 3
    )


def label_entries(
    labels: pl.DataFrame, lang: str, common: frozenset[str] = frozenset(), ordinary: frozenset[str] = frozenset()
) -> dict[str, Entry]:
    """Normalised label -> Entry, from rows `uri, lang, label_type, label, reuse_level` of one language.

    Single-word alternative and hidden labels that are `common` words are left out (e.g. "data" as an
    alternative label of statistics), and so are those that are loose synonyms among the `ordinary` words;
    single-word preferred labels stay, with a low length weight. A one-word label that ESCO writes only with
    capitals and whose lower case is an `ordinary` word keeps its written forms in `cased`."""
    generic = pl.col("key").is_in(list(common)) & (pl.col("label_type") != "preferred")
    rows = (
        labels.filter(pl.col("lang") == lang)
        .with_columns(
            key=_normalized_labels(pl.col("label")),
            type_rank=pl.col("label_type").replace_strict(LABEL_TYPE_RANK, default=4),
            reuse_rank=pl.col("reuse_level").replace_strict(REUSE_RANK, default=4),
        )
        .filter(_usable(pl.col("key")) & ~generic)
    )
    if ordinary:
        preferred = dict(
            rows.filter(pl.col("label_type") == "preferred").group_by("uri").agg(pl.col("label").str.join(" ")).rows()
        )
        candidates = rows.filter(
            (pl.col("label_type") != "preferred")
            & ~pl.col("reuse_level").is_in(list(LOOSE_SYNONYMS_KEPT)).fill_null(False)
            & ~pl.col("key").str.contains(" ")
            & pl.col("key").is_in(list(ordinary))
            & (pl.col("label") == pl.col("label").str.to_lowercase())
        )
        loose = [
            (uri, label)
            for uri, key, label in candidates.select("uri", "key", "label").iter_rows()
            if not _share_a_stem(key, preferred.get(uri, ""))
        ]
        dropped = pl.DataFrame(loose, schema={"uri": pl.String, "label": pl.String}, orient="row")
        rows = rows.join(dropped, on=["uri", "label"], how="anti")
    best = (
        rows.sort("key", "type_rank", "reuse_rank", "uri")
        .group_by("key", maintain_order=True)
        .agg(pl.col("uri").first(), pl.col("label_type").first(), pl.col("uri").n_unique().alias("skills"))
    )
    named = (
        rows.filter(~pl.col("key").str.contains(" ") & pl.col("key").is_in(list(ordinary)))
        .group_by("key")
        .agg(
            pl.col("label").str.strip_chars(PYTHON_WHITESPACE).unique().alias("forms"),
            (pl.col("label") != pl.col("label").str.to_lowercase()).all().alias("capitalised"),
        )
        .filter("capitalised")
    )
    cased = {key: frozenset(forms) for key, forms in named.select("key", "forms").iter_rows()}
    entries = {}
    for key, uri, label_type, skills in best.iter_rows():
        weight = LABEL_TYPE_WEIGHT.get(label_type, 0.5) * _length_weight(key.count(" ") + 1) / skills
        entries[key] = Entry(uri, key, round(weight, 4), cased.get(key, ANY_CASE))
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


def _content_words(text: str) -> list[str]:
    return [word for word in _LETTERS.findall(text) if len(word) >= 3 and word.lower() not in STOP_WORDS]


def _written_as_named(text: str, start: int, end: int, forms: frozenset[str]) -> bool:
    """Whether text[start:end] is one of the label's `forms` where case tells something: a capitalised (not
    all-capitals) form does not start a sentence, and the nearest content word (3+ letters, not a stop word)
    before or after it on its line is in lower case, so the words around it are not in title case or capitals."""
    written = text[start:end]
    if written not in forms:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before = text[line_start:start].rstrip()
    if not written.isupper() and (not before or before[-1] in SENTENCE_MARKS):
        return False
    previous = _content_words(before)[-1:]
    following = _content_words(text[end : len(text) if line_end == -1 else line_end])[:1]
    return any(word.islower() for word in previous + following)


def skill_matches(text: str, automaton: ahocorasick.Automaton, min_confidence: float = 0.0) -> list[Match]:
    """Non-overlapping literal skill matches in `text` (longest span first), one per skill, by position.

    A match must sit on word boundaries: no letter or digit just before or after it; a label with `cased` forms
    must be written as one of them where case tells something (see `_written_as_named`)."""
    lowered = _same_length_lower(text)
    size = len(lowered)
    found = []
    for end_index, (length, entry) in automaton.iter(lowered):
        start, end = end_index - length + 1, end_index + 1
        if (
            entry.confidence >= min_confidence
            and (start == 0 or not lowered[start - 1].isalnum())
            and (end == size or not lowered[end].isalnum())
            and (not entry.cased or _written_as_named(text, start, end, entry.cased))
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
