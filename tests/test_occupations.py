"""features.occupations: title -> ESCO occupation on a tiny literal lexicon, and the accuracy measure."""

import polars as pl
import pytest

from features.occupations import (
    OccupationLexicon,
    label_keys,
    occupation_entries,
    occupation_lexicon,
    occupation_scores,
    title_key,
    title_occupation,
)

ROWS = [
    ("o:dev", "2512", "preferred", "software developer"),
    ("o:dev", "2512", "alt", "programmer"),
    ("o:dev", "2512", "alt", "java developer"),
    ("o:web", "2513", "preferred", "web developer"),
    ("o:stat", "2120", "preferred", "statistician"),
    ("o:fin", "2413", "preferred", "financial analyst"),
    ("o:data", "2511", "preferred", "data analyst"),
    ("o:a-mgmt", "2421", "alt", "consultant"),  # a shared alternative label: 2511 is the majority group
    ("o:b-ict", "2511", "alt", "consultant"),
    ("o:c-ict", "2511", "alt", "consultant"),
    ("o:steward", "5111", "preferred", "ship steward/ship stewardess"),
    ("o:kennel", "5164", "alt", "dog/cat kennel manager"),
    ("o:gadget", "2163", "alt", "maker"),
    ("o:cabinet", "7522", "preferred", "cabinet maker"),
    ("o:furniture", "7522", "preferred", "furniture maker"),
]
LABELS = pl.DataFrame(ROWS, schema=["uri", "isco_group", "label_type", "label"], orient="row")
FRENCH = pl.DataFrame(
    [
        ("o:dev", "2512", "preferred", "développeur logiciel/développeuse logicielle"),
        ("o:web", "2513", "preferred", "développeur web/développeuse web"),
        ("o:web", "2513", "alt", "intégrateur web"),
    ],
    schema=["uri", "isco_group", "label_type", "label"],
    orient="row",
)
EN = occupation_lexicon(occupation_entries(LABELS), "en")


def _code(title: str, lexicon: OccupationLexicon = EN) -> tuple[str, str, float, str] | None:
    match = title_occupation(title, lexicon)
    return None if match is None else (match.occupation_uri, match.isco_group, match.confidence, match.method)


def _uri(title: str, lexicon: OccupationLexicon = EN) -> str | None:
    match = title_occupation(title, lexicon)
    return None if match is None else match.occupation_uri


def test_keys_fold_case_accents_and_punctuation() -> None:
    assert title_key("  Chargé(e) de CLIENTÈLE – H/F ") == "charge e de clientele h f"
    assert title_key("C++ / C# Developer") == "c++ c# developer"
    assert label_keys("ship steward/ship stewardess") == ["ship steward", "ship stewardess"]
    assert label_keys("masseur/masseuse") == ["masseur", "masseuse"]
    assert label_keys("dog/cat kennel manager") == ["dog cat kennel manager"]  # parts of unequal length


def test_exact_preferred_label_and_coverage_in_confidence() -> None:
    assert _code("Software Developer") == ("o:dev", "2512", 0.9, "label")
    assert _code("SOFTWARE DEVELOPER (m/f/d)") == ("o:dev", "2512", 0.9, "label")  # single letters do not count
    assert _code("Senior Software Developer") == ("o:dev", "2512", 0.6, "label")  # 2 of 3 content words
    assert _code("Ship Stewardess") == ("o:steward", "5111", 0.9, "label")


def test_whole_words_only_and_no_match_is_none() -> None:
    assert _code("Reprogrammer") is None
    assert _code("Gardener") is None
    assert _code("") is None
    assert _code("(m/f/d) 100%") is None


def test_the_match_covering_most_words_wins_then_label_type_then_position() -> None:
    assert _uri("Programmer / Web Developer") == "o:web"
    assert _uri("Programmer / Statistician") == "o:stat"  # preferred before alt
    assert _uri("Data Analyst, Financial Analyst") == "o:data"  # earlier
    assert _uri("Financial Analyst, Data Analyst") == "o:fin"


def test_a_shared_label_names_the_majority_isco_group_at_lower_confidence() -> None:
    entries = occupation_entries(LABELS)
    assert entries["consultant"].occupations == 3
    assert _code("Consultant") == ("o:b-ict", "2511", 0.25, "label")  # 0.75 / 3 occupations
    shuffled = occupation_lexicon(occupation_entries(LABELS.reverse()), "en")
    assert _code("Consultant", shuffled) == _code("Consultant")  # the order of the rows does not matter


def test_head_word_backoff_in_english() -> None:
    # no label occurs: labels ending in "developer"; 2512 is their most common ISCO group
    assert _code("Python Developer") == ("o:dev", "2512", 0.225, "head")
    assert _uri("Senior Web Application Developer - Remote") == "o:web"  # shares "web"
    # the bare head "maker" names the labels ending in "maker" (7522), not the one occupation it is a label of
    assert _uri("Saw Maker") == "o:cabinet"
    assert _uri("Maker") == "o:gadget"  # the whole title is that label


def test_french_labels_and_head_first() -> None:
    french = occupation_lexicon(occupation_entries(FRENCH), "fr")
    assert _code("Développeuse logicielle H/F", french) == ("o:dev", "2512", 0.9, "label")
    assert _code("INTEGRATEUR WEB", french) == ("o:web", "2513", 0.75, "label")
    assert _code("Développeur Java", french) == ("o:dev", "2512", 0.225, "head")
    assert _code("Développeur Java", occupation_lexicon(occupation_entries(FRENCH), "pl")) is None  # no back-off


def test_confidence_is_a_probability_like_score() -> None:
    for title in ("Software Developer", "Python Developer", "Consultant", "Saw Maker", "a web developer job"):
        match = title_occupation(title, EN)
        assert match is not None and 0 < match.confidence <= 1


def test_occupation_scores() -> None:
    predictions = pl.DataFrame(
        {
            "title": ["t1", "t2", "t3", "t4", "t5"],
            "code": ["A", "A", "B", "B", "C"],
            "occupation_uri": ["o:1", "o:9", "o:3", None, "o:1"],
            "isco_group": ["1111", "2222", "9999", None, "1111"],
            "method": ["label", "head", "label", None, "label"],
        }
    )
    crosswalk = pl.DataFrame(
        {"code": ["A", "A", "B"], "occupation_uri": ["o:1", "o:2", "o:3"], "isco_group": ["1111", "2222", "3333"]}
    )
    scores = occupation_scores(predictions, crosswalk)  # C is not in the crosswalk: 4 rows
    assert scores["titles"] == 4 and scores["codes"] == 2
    assert scores["coverage"] == 0.75
    assert scores["isco_accuracy"] == 0.5  # t1, t2
    assert scores["occupation_accuracy"] == 0.5  # t1, t3
    assert scores["majority_isco_baseline"] == 0.5  # 1111 or 2222 right for A's two rows
    assert scores["share_label"] == 0.5 and scores["isco_accuracy_label"] == 0.5
    assert scores["share_head"] == 0.25 and scores["isco_accuracy_head"] == 1.0
    with pytest.raises(ValueError, match="crosswalk"):
        occupation_scores(predictions.filter(pl.col("code") == "C"), crosswalk)
