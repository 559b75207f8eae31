"""Topic scores on literal frames, ranking, levels, region filter, explanations; monotonicity in the courses
(hypothesis) and determinism."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.gaps import course_weights, skill_gap_rows, skill_gaps, skill_supply
from models.priorities import explanation, in_region, ranked, topic_level, topic_scores

TOPICS = pl.DataFrame({"topic_id": ["t1", "t1", "t2"], "skill": ["s1", "s2", "s3"]})


def _gaps(uncovered: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {"language": ["de"] * 3, "skill": ["s1", "s2", "s3"], "demand": [30.0, 10.0, 5.0], "lo_80": [20.0, 5.0, 4.0],
         "hi_80": [40.0, 15.0, 6.0], "last": [25.0, 10.0, 10.0], "need_demand": [45.0, 10.0, 5.0],
         "entry_share": [0.2, 1.0, 0.0], "n_any": [0.0, 1.0, 0.0], "uncovered": uncovered}
    )  # fmt: skip


def test_topic_scores_by_hand() -> None:
    got = {row["topic_id"]: row for row in topic_scores(TOPICS, _gaps([1.0, 0.5, 1.0])).to_dicts()}
    t1 = got["t1"]
    # demand 40, last 35 -> growth 40/35 - 1, momentum 40/35; need 55/40; entry (0.2 x 30 + 10) / 40 = 0.4;
    # uncovered (30 + 0.5 x 10) / 40 = 0.875; growth interval 25/35 - 1 to 55/35 - 1
    assert (t1["demand"], t1["lo_80"], t1["hi_80"], t1["skills"], t1["skills_taught"]) == (40.0, 25.0, 55.0, 2, 1)
    assert t1["growth"] == pytest.approx(40 / 35 - 1) and t1["growth_lo_80"] == pytest.approx(25 / 35 - 1)
    assert t1["momentum"] == pytest.approx(40 / 35) and t1["need"] == pytest.approx(1.375)
    assert t1["entry_share"] == pytest.approx(0.4) and t1["entry_weight"] == pytest.approx(1.2)
    assert t1["uncovered"] == pytest.approx(0.875) and t1["coverage"] == pytest.approx(0.125)
    assert t1["score"] == pytest.approx(40 * (40 / 35) * 1.375 * 1.2 * 0.875) and t1["level"] == "intermediate"
    t2 = got["t2"]  # shrinking by half: momentum bounded at 0.5
    assert t2["momentum"] == 0.5 and t2["score"] == pytest.approx(5 * 0.5 * 1.0 * 1.0 * 1.0)
    assert t2["level"] == "advanced"


def test_ranked_orders_by_score_then_topic_and_drops_zero_scores() -> None:
    scores = pl.DataFrame({"topic_id": ["b", "a", "c", "d"], "language": ["de"] * 4, "score": [2.0, 2.0, 3.0, 0.0]})
    assert ranked(scores).select("rank", "topic_id").rows() == [(1, "c"), (2, "a"), (3, "b")]


def test_levels_and_region_filter() -> None:
    levels = pl.DataFrame({"e": [0.5, 0.49, 0.2, 0.19]}).select(topic_level(pl.col("e")))
    assert levels.to_series().to_list() == ["introductory", "intermediate", "intermediate", "advanced"]
    regions = pl.DataFrame({"country": ["DE", "DE", "PL"], "region": ["09162", "01001", "PL"]})
    assert regions.filter(in_region("09"))["region"].to_list() == ["09162"]
    assert regions.filter(in_region("DE"))["region"].to_list() == ["09162", "01001"]
    assert regions.filter(in_region("PL"))["region"].to_list() == ["PL"]


def test_explanation_names_the_figures() -> None:
    entry = {
        "language": "de", "entry_share": 0.6,
        "components": {"demand": 100.0, "momentum": 1.1, "need": 1.2, "entry_weight": 1.3, "uncovered": 0.75},
        "demand": {"value": 1234.0, "lo_80": 1000.0, "hi_80": 1500.0, "growth": 0.1, "growth_lo_80": -0.05,
                   "growth_hi_80": 0.2, "unit": "vacancies", "horizon": "2026-2027", "last_period": "2025"},
        "coverage": {"coverage": 0.25, "skills_taught": 1, "closest_courses": [{"title": "Care basics"}]},
        "skills": [{}, {}], "regions": [{"label": "Berlin, Stadt"}, {"label": "Hamburg"}],
    }  # fmt: skip
    text = explanation(entry)
    for part in ("1,234 vacancies a year in 2026-2027", "1,000-1,500", "+10% on 2025", "-5% to +20%",
                 "Berlin, Stadt; Hamburg", "1 of its 2 skills", "'Care basics'", "75% of the demand is uncovered",
                 "60% of the demand is in entry-level", "1.30x", "1.20x", "1.10x"):  # fmt: skip
        assert part in text, part


SKILLS = ["s0", "s1", "s2", "s3", "s4"]
TOPIC_SET = pl.DataFrame({"topic_id": ["t0", "t0", "t0", "t1", "t1"], "skill": SKILLS})
COURSE_SCHEMA = {"provider": pl.String, "course_id": pl.String, "skill": pl.String, "confidence": pl.Float64,
                 "level": pl.String, "language": pl.String}  # fmt: skip
course_rows = st.lists(
    st.tuples(
        st.sampled_from(["p1", "p2"]),
        st.integers(0, 30).map(str),
        st.sampled_from([*SKILLS, "other"]),
        st.floats(0.0, 1.0),
        st.sampled_from(["introductory", "intermediate", "advanced", "mixed", "unknown"]),
        st.sampled_from(["de", "en", "fr", None]),
    ),
    max_size=25,
)


def _scores(demand: pl.DataFrame, courses: list[tuple[object, ...]]) -> dict[str, float]:
    frame = pl.DataFrame(courses, schema=COURSE_SCHEMA, orient="row")
    gaps = skill_gaps(demand, skill_supply(course_weights(frame, ["de"])))
    skills = skill_gap_rows(gaps).select("skill", "score").iter_rows()
    return dict(topic_scores(TOPIC_SET, gaps).select("topic_id", "score").iter_rows()) | dict(skills)


@settings(max_examples=200, deadline=None)
@given(
    base=course_rows,
    added=course_rows,
    demand=st.lists(st.floats(0.1, 1e5), min_size=5, max_size=5),
    entry=st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
)
def test_adding_courses_never_raises_a_score_and_removing_never_lowers_one(
    base: list[tuple[object, ...]], added: list[tuple[object, ...]], demand: list[float], entry: list[float]
) -> None:
    frame = pl.DataFrame(
        {"language": ["de"] * 5, "skill": SKILLS, "demand": demand, "lo_80": demand, "hi_80": demand,
         "last": [d * 0.9 for d in demand], "need_demand": demand, "entry_share": entry}
    )  # fmt: skip
    fewer, more = _scores(frame, base), _scores(frame, base + added)  # topics' and skills' scores
    assert fewer.keys() == more.keys()
    for key, score in more.items():
        assert score <= fewer[key]  # adding `added` never raises; removing it (more -> fewer) never lowers


def test_scores_are_deterministic() -> None:
    courses: list[tuple[object, ...]] = [
        ("p1", str(i), SKILLS[i % 5], 0.1 * (i % 10), "mixed", "de") for i in range(40)
    ]
    frame = pl.DataFrame(
        {"language": ["de"] * 5, "skill": SKILLS, "demand": [1e5 / 3, 7.1, 0.3, 11.0, 2.0], "lo_80": [1.0] * 5,
         "hi_80": [1.0] * 5, "last": [1.0] * 5, "need_demand": [1.0] * 5, "entry_share": [0.3] * 5}
    )  # fmt: skip
    assert _scores(frame, courses) == _scores(frame, list(reversed(courses)))  # order of the courses does not matter
