"""features.text: normalisation, fingerprints and duplicate links on tiny literal frames."""

from datetime import date

import polars as pl

from features.text import duplicate_links, normalized_text, text_fingerprints

BASE = ("we are looking for a senior python developer with experience in django and sql databases "
        "to join our friendly team in berlin working on public transport software")


def test_normalized_text_strips_markup_case_and_punctuation() -> None:
    frame = pl.DataFrame({"t": ["<p>Senior  Python-Developer!</p>", None, "Élève, 2 ans"]})
    assert frame.select(normalized_text(pl.col("t")))["t"].to_list() == [
        "senior python developer", "", "élève 2 ans"]


def test_fingerprints_equal_for_equal_normalised_text() -> None:
    frame = pl.DataFrame({"t": [BASE, BASE.upper() + "!!", "something else entirely here"]})
    out = text_fingerprints(frame, pl.col("t"), 8)
    assert out["text_hash"][0] == out["text_hash"][1] != out["text_hash"][2]
    assert out["minhash"][0].to_list() == out["minhash"][1].to_list()
    assert out["minhash"].list.len().to_list() == [8, 8, 8]


def _links(texts: list[str]) -> pl.DataFrame:
    frame = pl.DataFrame({
        "posting_key": [f"k{i}" for i in range(len(texts))],
        "posted_at": [date(2025, 1, i + 1) for i in range(len(texts))],
        "t": texts,
    })
    return duplicate_links(text_fingerprints(frame, pl.col("t"), 16), bands=4, threshold=0.5).sort("posting_key")


def test_exact_and_near_duplicates_link_to_the_earliest_posting() -> None:
    links = _links([BASE, BASE, BASE.replace("senior", "junior"), "nurse for night shifts in a care home"])
    assert links["duplicate_of"].to_list() == [None, "k0", None, None]
    assert links["near_duplicate_of"].to_list() == [None, None, "k0", None]


def test_unrelated_texts_are_not_linked() -> None:
    links = _links(["forklift driver warehouse night shift", "accountant for payroll and tax returns"])
    assert links["duplicate_of"].null_count() == 2
    assert links["near_duplicate_of"].null_count() == 2
