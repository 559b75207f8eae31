"""features.text: normalisation, fingerprints and duplicate links on tiny literal frames."""

import random
from datetime import date

import polars as pl
import pytest

from features import text
from features.text import duplicate_links, normalized_text, text_fingerprints

BASE = (
    "we are looking for a senior python developer with experience in django and sql databases "
    "to join our friendly team in berlin working on public transport software"
)


def test_normalized_text_strips_markup_case_and_punctuation() -> None:
    frame = pl.DataFrame({"t": ["<p>Senior  Python-Developer!</p>", None, "Élève, 2 ans"]})
    assert frame.select(normalized_text(pl.col("t")))["t"].to_list() == ["senior python developer", "", "élève 2 ans"]


def test_fingerprints_equal_for_equal_normalised_text() -> None:
    frame = pl.DataFrame({"t": [BASE, BASE.upper() + "!!", "something else entirely here"]})
    out = text_fingerprints(frame, pl.col("t"), 8)
    assert out["text_hash"][0] == out["text_hash"][1] != out["text_hash"][2]
    assert out["minhash"][0].to_list() == out["minhash"][1].to_list()
    assert out["minhash"].list.len().to_list() == [8, 8, 8]


def _links(texts: list[str]) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "posting_key": [f"k{i}" for i in range(len(texts))],
            "posted_at": [date(2025, 1, i + 1) for i in range(len(texts))],
            "t": texts,
        }
    )
    return duplicate_links(text_fingerprints(frame, pl.col("t"), 16), bands=4, threshold=0.5).sort("posting_key")


def test_exact_and_near_duplicates_link_to_the_earliest_posting() -> None:
    links = _links([BASE, BASE, BASE.replace("senior", "junior"), "nurse for night shifts in a care home"])
    assert links["duplicate_of"].to_list() == [None, "k0", None, None]
    assert links["near_duplicate_of"].to_list() == [None, None, "k0", None]


def test_unrelated_texts_are_not_linked() -> None:
    links = _links(["forklift driver warehouse night shift", "accountant for payroll and tax returns"])
    assert links["duplicate_of"].null_count() == 2
    assert links["near_duplicate_of"].null_count() == 2


def _reference_signature(normalized: str, permutations: int) -> list[int]:
    """MinHash by its definition, one text at a time: word 3-shingles (the words of a shorter text), each
    permutation's minimum."""
    words = pl.Series(normalized.split(" ")).hash(seed=0).to_list()
    shingles = words
    if len(words) >= text.SHINGLE_WORDS:
        mix, wrap = int(text._MIX), 2**64
        shingles = [
            (((a * mix % wrap) ^ b) * mix % wrap) ^ c for a, b, c in zip(words, words[1:], words[2:], strict=False)
        ]
    return [min(shingle ^ mask for shingle in shingles) for mask in text._masks(permutations)]


def test_signatures_match_the_definition_across_blocks_and_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    vocabulary = ["data", "nurse", "shift", "python", "team", "berlin", "care", "sql", "é", "2"]
    texts = [" ".join(rng.choices(vocabulary, k=rng.randint(1, 40))) for _ in range(60)]
    monkeypatch.setattr(text, "BLOCK_WORDS", 16)  # blocks of a few docs, and docs longer than a block
    monkeypatch.setattr(text, "SLICE_ROWS", 7)
    out = text_fingerprints(pl.DataFrame({"t": texts}), pl.col("t"), 8)
    assert out["minhash"].to_list() == [_reference_signature(t, 8) for t in texts]


def test_short_texts_are_the_set_of_their_words_whatever_follows() -> None:
    out = text_fingerprints(
        pl.DataFrame({"t": ["nurse", "Nurse!", "night nurse", "nurse night", "a b c d"]}), pl.col("t"), 8
    )["minhash"].to_list()
    assert out[0] == out[1] == _reference_signature("nurse", 8)
    assert out[2] == out[3] == _reference_signature("night nurse", 8)


def test_fingerprints_are_those_already_stored() -> None:
    # Values the warehouse holds for this text (features/text.py before 2026-11-27). If they change (e.g. polars
    # changes its string hash), postings loaded before would no longer be compared with new ones: recompute them.
    out = text_fingerprints(pl.DataFrame({"t": [BASE]}), pl.col("t"), 4)
    assert out["text_hash"].to_list() == [13003672954456538310]
    assert out["minhash"].to_list() == [
        [32124229082703247, 344202517773088634, 1285529016283688897, 618452360520201739]
    ]


def test_normalisation_replaces_every_non_word_run_by_one_space() -> None:
    samples = [
        "a  b",
        "a \t\nb",
        " lead and trail. ",
        "x, y",
        "x ,y",
        "--a--",
        "a - b",
        "tab\there",
        "ça  va ?",
        "İstanbul",
        "a\u00a0b",
        "a \u00a0 b",
        "",
        " ",
        "  ",
        "!",
        "1 2  3   4",
    ]
    got = pl.DataFrame({"t": samples}).select(normalized_text(pl.col("t")))["t"].to_list()
    every_run = (
        pl.DataFrame({"t": samples})
        .select(pl.col("t").str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars())["t"]
        .to_list()
    )
    assert got == every_run


def test_links_come_back_in_the_input_order() -> None:
    frame = pl.DataFrame(
        {
            "posting_key": ["c", "a", "b"],
            "posted_at": [date(2025, 1, 3), date(2025, 1, 1), date(2025, 1, 2)],
            "t": [BASE, BASE, BASE.replace("senior", "junior")],
        }
    )
    links = duplicate_links(text_fingerprints(frame, pl.col("t"), 16), bands=4, threshold=0.5)
    assert links["posting_key"].to_list() == ["c", "a", "b"]
    assert links["duplicate_of"].to_list() == ["a", None, None]
    assert links["near_duplicate_of"].to_list() == [None, None, "a"]
