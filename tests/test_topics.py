"""Topic grouping on literal skill graphs: link strengths, the greedy grouping's rules, names, candidates."""

import math

import polars as pl
import pytest

from models.topics import MAX_TOPIC_SKILLS, candidate_skills, cosine_links, grouped_topics, skill_links, topic_names


def _uri(name: str) -> str:
    return f"http://data.europa.eu/esco/skill/{name}"


def test_cosine_links_over_shared_items() -> None:
    vectors = pl.DataFrame(
        {"item": ["o1", "o1", "o2", "o2"], "skill": ["a", "b", "a", "c"], "weight": [1.0, 1.0, 1.0, 0.5]}
    )
    got = cosine_links(vectors).sort("skill_a", "skill_b").rows()
    # |a| = sqrt(2), |b| = 1, |c| = 0.5: a.b = 1 -> 1/sqrt(2); a.c = 0.5 -> 0.5/(sqrt(2) x 0.5); b and c share nothing
    assert got == [("a", "b", pytest.approx(1 / math.sqrt(2))), ("a", "c", pytest.approx(1 / math.sqrt(2)))]


def test_skill_links_take_the_strongest_evidence_among_candidates() -> None:
    profiles = pl.DataFrame({"occupation_uri": ["o1", "o1", "o2"], "skill": ["a", "b", "a"], "weight": [1.0, 1.0, 1.0]})
    postings = pl.DataFrame({"posting_key": ["p1", "p1", "p2", "p2"], "skill": ["b", "c", "b", "c"]})
    relations = pl.DataFrame({"skill": ["c", "a", "z"], "related": ["a", "a", "a"]})  # z is no candidate; a-a none
    candidates = pl.DataFrame({"skill": ["a", "b", "c"]})
    got = skill_links(profiles, postings, relations, candidates).rows()
    # a-b: occupations 1/sqrt(2); b-c: always together in postings, 1; a-c: an ESCO relation (c -> a), 1
    assert got == [("a", "b", pytest.approx(1 / math.sqrt(2))), ("a", "c", 1.0), ("b", "c", pytest.approx(1.0))]


def _candidates(weights: dict[str, float], fields: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"skill": [_uri(s) for s in weights], "weight": list(weights.values()), "field": [fields[s] for s in weights]}
    )


def _links(pairs: dict[tuple[str, str], float]) -> pl.DataFrame:
    return pl.DataFrame(
        [(_uri(a), _uri(b), strength) for (a, b), strength in pairs.items()],
        schema=["skill_a", "skill_b", "strength"],
        orient="row",
    )


def _members(topics: pl.DataFrame) -> list[list[str]]:
    return [
        [uri.rsplit("/", 1)[1] for uri in group["skill"]]
        for group in topics.partition_by("topic_id", maintain_order=True)  # rows come in seed, then position order
    ]


def test_grouping_seeds_by_weight_joins_by_mean_link_within_a_field() -> None:
    candidates = _candidates(
        {"a": 10, "b": 9, "c": 8, "d": 7, "e": 6}, {"a": "F", "b": "F", "c": "F", "d": "G", "e": "F"}
    )
    links = _links({("a", "b"): 0.9, ("a", "c"): 0.3, ("b", "c"): 0.1, ("a", "d"): 0.9})
    topics = grouped_topics(candidates, links)
    # a seeds; b joins (mean 0.9); c's mean link to {a, b} is (0.3 + 0.1) / 2 = 0.2 < 0.25: stays out;
    # d is linked to a but in another field; c, d, e seed topics of their own
    assert sorted(_members(topics)) == [["a", "b"], ["c"], ["d"], ["e"]]
    assert topics.filter(pl.col("position") == 0)["topic_id"].to_list() == ["a", "c", "d", "e"]  # seed order


def test_grouping_stops_at_the_size_limit_and_breaks_ties_by_weight_then_uri() -> None:
    names = [f"s{i:02d}" for i in range(MAX_TOPIC_SKILLS + 2)]
    weights = {name: 100.0 - i for i, name in enumerate(names)}
    weights["s09"] = weights["s08"]  # a tie on weight: the smaller URI (s08) joins first
    candidates = _candidates(weights, dict.fromkeys(names, "F"))
    links = _links({(a, b): 0.5 for i, a in enumerate(names) for b in names[i + 1 :]})
    assert _members(grouped_topics(candidates, links)) == [names[:MAX_TOPIC_SKILLS], names[MAX_TOPIC_SKILLS:]]


def test_topic_names_use_the_heaviest_group_then_the_seed() -> None:
    topics = pl.DataFrame({"topic_id": ["a", "a", "a", "d"], "skill": ["a", "b", "c", "d"], "position": [0, 1, 2, 0]})
    candidates = pl.DataFrame(
        {
            "skill": ["a", "b", "c", "d"],
            "weight": [5.0, 3.0, 3.0, 1.0],
            "group_label": ["nursing", "care", "care", None],
        }
    )
    labels = pl.DataFrame({"skill": ["a", "b"], "label": ["apply nursing care", "bathe patients"]})
    assert topic_names(topics, candidates, labels).rows() == [("a", "care: apply nursing care"), ("d", "d")]


def test_candidates_are_the_heaviest_skills_over_all_languages() -> None:
    gaps = pl.DataFrame(
        {"language": ["de", "fr", "de", "de"], "skill": ["a", "a", "b", "c"], "demand": [10.0, 10.0, 30.0, 0.0],
         "last": [10.0, 5.0, 30.0, 1.0], "need_demand": [10.0, 20.0, 15.0, 0.0], "entry_share": [1.0, 0.0, 0.0, 0.0]}
    )  # fmt: skip
    # a: 10 x 1 x 1.5 + 20 x 1.5 (momentum 10/5 clipped) x 1 = 45; b: 15; c has no demand
    assert candidate_skills(gaps).rows() == [("a", 45.0), ("b", 15.0)]
    assert candidate_skills(gaps, limit=1).rows() == [("a", 45.0)]
