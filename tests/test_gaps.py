"""Gap score components on tiny literal frames, each checked against hand-computed values."""

import polars as pl
import pytest

from features.occupation_demand import jobseeker_pressure, occupation_demand, skill_profile, within_group_shares
from features.region_languages import region_country, region_languages
from models.gaps import (
    course_weights,
    entry_weight,
    group_gaps,
    momentum,
    regional_demand,
    series_demand,
    skill_demand,
    skill_gap_rows,
    skill_gaps,
    skill_supply,
    with_entry_share,
)


def test_series_demand_is_the_mean_of_the_steps_with_the_last_observation() -> None:
    forecasts = pl.DataFrame(
        {"series_id": ["a", "a", "b"], "step": [1, 2, 1], "yhat": [10.0, 14.0, 5.0],
         "lo_80": [8.0, 10.0, 4.0], "hi_80": [12.0, 18.0, 6.0]}
    )  # fmt: skip
    last = pl.DataFrame({"series_id": ["a", "b"], "last": [11.0, 5.0]})
    got = series_demand(forecasts, last)
    assert got.to_dicts() == [
        {"series_id": "a", "demand": 12.0, "lo_80": 9.0, "hi_80": 15.0, "last": 11.0},
        {"series_id": "b", "demand": 5.0, "lo_80": 4.0, "hi_80": 6.0, "last": 5.0},
    ]


def test_momentum_is_growth_bounded_and_one_without_history() -> None:
    frame = pl.DataFrame({"d": [12.0, 30.0, 1.0, 5.0], "last": [10.0, 10.0, 10.0, 0.0]})
    got = frame.select(m=momentum(pl.col("d"), pl.col("last")))["m"].to_list()
    assert got == [pytest.approx(1.2), 1.5, 0.5, 1.0]
    assert pl.select(entry_weight(pl.lit(0.6))).item() == pytest.approx(1.3)


def test_region_country_and_languages() -> None:
    assert region_country("09162", "district") == "DE"
    assert region_country("EL30", "nuts2") == "GR"
    assert region_country("PL-14", "iso3166_2") == "PL"
    assert region_country("UK", "country") == "GB"
    assert region_country("London", "city") == "GB"
    with pytest.raises(ValueError, match="no known country"):
        region_country("X", "galaxy")
    regions = pl.DataFrame({"region": ["BE", "09162", "EA"], "region_level": ["country", "district", "country_group"]})
    got = region_languages(regions).select("region", "language").rows()
    assert got == [("09162", "de"), ("BE", "nl"), ("BE", "fr"), ("BE", "de")]  # the euro area speaks no one language


def test_jobseeker_pressure_is_relative_to_all_regions() -> None:
    unemployed = pl.DataFrame({"region": ["r1", "r2"], "skill_group": ["g", "g"], "y": [30.0, 10.0]})
    vacancies = pl.DataFrame({"region": ["r1", "r2", "r3"], "skill_group": ["g", "g", "g"], "y": [10.0, 30.0, 20.0]})
    got = jobseeker_pressure(unemployed, vacancies)
    # overall 40 / (40 + 60) = 0.4; r1 30/40 = 0.75, r2 10/40 = 0.25, r3 0/20 = 0
    assert got["pressure"].to_list() == [0.75, 0.25, 0.0]
    assert got["relative"].to_list() == pytest.approx([1.875, 0.625, 0.0])
    assert jobseeker_pressure(unemployed.clear(), vacancies.clear()).is_empty()  # no BA statistics: no pressure


def test_occupation_demand_skill_profile_and_within_group_shares() -> None:
    counts = pl.DataFrame({"class_code": ["k1", "k1", "k2"], "value": [6.0, 4.0, 5.0]})
    weights = pl.DataFrame(
        {"class_code": ["k1", "k1", "k2"], "occupation_uri": ["o1", "o2", "o2"], "weight": [0.5, 0.5, 1.0]}
    )
    occupations = pl.DataFrame({"occupation_uri": ["o1", "o2"], "isco_group": ["2511", "5131"]})
    demand = occupation_demand(counts, weights, occupations)
    assert demand.rows() == [("o1", 5.0), ("o2", 10.0)]
    assert occupation_demand(counts.clear(), weights, occupations).rows() == [("o1", 1.0), ("o2", 1.0)]  # no BA
    occupation_skills = pl.DataFrame(
        {"occupation_uri": ["o1", "o1", "o2"], "skill_uri": ["s1", "s2", "s2"], "share": [0.5, 0.5, 1.0]}
    )
    profile = skill_profile(demand, occupation_skills, occupations)
    # s1: 5 x 0.5 = 2.5, none entry-level; s2: 2.5 (o1, ISCO 2) + 10 (o2, ISCO 5: entry) = 12.5, entry 10/12.5
    assert profile.rows() == [("s1", 2.5, 0.0), ("s2", 12.5, 0.8)]
    group_shares = pl.DataFrame(
        {"skill_uri": ["s1", "s2", "s2"], "group_uri": ["g", "g", "h"], "share": [1.0, 0.5, 0.5]}
    )
    within = within_group_shares(profile, group_shares)
    # g: s1 2.5 x 1, s2 12.5 x 0.5 = 6.25 -> 2.5/8.75, 6.25/8.75; h: s2 alone
    assert within.rows() == [("g", "s1", pytest.approx(2 / 7)), ("g", "s2", pytest.approx(5 / 7)), ("h", "s2", 1.0)]


def _series(rows: list[tuple[str, str, str, str, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["region", "region_level", "skill_group", "skill", "demand", "last"], orient="row"
    ).with_columns(sector=pl.lit("ALL"), lo_80=pl.col("demand") * 0.5, hi_80=pl.col("demand") * 1.5)


def test_regional_demand_drops_a_country_whose_regions_are_there_and_sets_need() -> None:
    series = _series([
        ("01001", "district", "g", "ALL", 10.0, 8.0),
        ("01002", "district", "g", "ALL", 20.0, 20.0),
        ("DE", "country", "ALL", "s9", 99.0, 99.0),  # the same vacancies again, at country level
        ("PL", "country", "ALL", "s1", 7.0, 7.0),
    ])  # fmt: skip
    languages = region_languages(series.select("region", "region_level"))
    pressure = pl.DataFrame({"region": ["01001", "01002"], "skill_group": ["g", "g"], "pressure": [0.9, 0.1],
                             "relative": [3.0, 0.25]})  # fmt: skip
    got = regional_demand(series, languages, pressure)
    assert got.select("language", "region", "need").rows() == [("de", "01001", 2.0), ("de", "01002", 0.5),
                                                                ("pl", "PL", 1.0)]  # fmt: skip


def test_skill_demand_spreads_groups_by_within_shares_and_adds_skill_series() -> None:
    regional = pl.DataFrame(
        {"language": ["de", "de", "de"], "country": ["DE"] * 3, "region": ["r1", "r2", "r1"], "sector": ["ALL"] * 3,
         "skill_group": ["g", "g", "ALL"], "skill": ["ALL", "ALL", "s1"], "demand": [10.0, 30.0, 5.0],
         "lo_80": [8.0, 20.0, 4.0], "hi_80": [12.0, 40.0, 6.0], "last": [10.0, 20.0, 5.0], "need": [2.0, 1.0, 1.0]}
    )  # fmt: skip
    within = pl.DataFrame({"skill_group": ["g", "g"], "skill": ["s1", "s2"], "share": [0.25, 0.75]})
    got = {row["skill"]: row for row in skill_demand(regional, within).to_dicts()}
    # s1: 0.25 x 40 + 5 = 15 (hi 0.25 x 52 + 6 = 19); need_demand 0.25 x (10 x 2 + 30 x 1) + 5 = 17.5;
    # s2: 0.75 x 40 = 30
    assert got["s1"]["demand"] == 15.0 and got["s1"]["need_demand"] == 17.5 and got["s1"]["hi_80"] == 19.0
    assert got["s2"]["demand"] == 30.0 and got["s2"]["last"] == 22.5 and got["s2"]["need_demand"] == 37.5


COURSES = pl.DataFrame(
    {"provider": ["p"] * 6, "course_id": ["de1", "en1", "xx1", "fr1", "de2", "de2"],
     "title": ["t"] * 6, "url": [None] * 6, "skill": ["s1", "s1", "s1", "s1", "s1", "s2"],
     "confidence": [1.0, 1.0, 0.5, 1.0, 0.8, 0.8],
     "level": ["introductory", "advanced", "mixed", "introductory", "advanced", "advanced"],
     "language": ["de", "en", None, "fr", "de", "de"]}
)  # fmt: skip


def test_course_weights_count_a_course_fully_in_its_language_half_in_english_or_unknown() -> None:
    got = course_weights(COURSES, ["de", "en"]).select("target", "course_id", "weight", "entry").rows()
    assert sorted(got) == sorted([
        ("de", "de1", 1.0, True), ("de", "en1", 0.5, False), ("de", "xx1", 0.25, True),
        ("de", "de2", 0.7998046875, False), ("de", "de2", 0.7998046875, False),
        ("en", "en1", 1.0, False), ("en", "xx1", 0.25, True),
    ])  # fmt: skip  # 0.8 rounded to 1/1024; French counts for neither, German not for English


def test_skill_supply_and_uncovered() -> None:
    supply = skill_supply(course_weights(COURSES, ["de"])).sort("skill")
    # s1 in de: de1 1 (intro) + en1 0.5 + xx1 0.25 (mixed: intro) + de2 0.7998 = 2.5498; intro 1.25
    assert supply.rows() == [("de", "s1", 2.5498046875, 1.25), ("de", "s2", 0.7998046875, 0.0)]
    demand = pl.DataFrame(
        {"language": ["de"] * 3, "skill": ["s1", "s2", "s3"], "demand": [1.0] * 3, "lo_80": [1.0] * 3,
         "hi_80": [1.0] * 3, "last": [1.0] * 3, "need_demand": [1.0] * 3}
    )  # fmt: skip
    profile = pl.DataFrame({"skill": ["s1", "s2"], "weight": [1.0, 1.0], "entry_share": [0.5, 0.0]})
    gaps = skill_gaps(with_entry_share(demand, profile), supply)
    expected = [0.5 / 2.25 + 0.5 / 3.5498046875, 1 / 1.7998046875, 1.0]  # s3: no profile (entry 0), no course
    assert gaps["uncovered"].to_list() == pytest.approx(expected)
    assert gaps["entry_share"].to_list() == [0.5, 0.0, 0.0]


def test_skill_and_group_gaps_carry_the_components() -> None:
    gaps = pl.DataFrame(
        {"language": ["de", "de"], "skill": ["s1", "s2"], "demand": [20.0, 0.0], "lo_80": [10.0, 0.0],
         "hi_80": [30.0, 0.0], "last": [16.0, 0.0], "need_demand": [30.0, 0.0], "entry_share": [0.5, 1.0],
         "uncovered": [0.4, 1.0]}
    )  # fmt: skip
    skill = skill_gap_rows(gaps).to_dicts()
    assert len(skill) == 1  # s2 has no demand
    # need 30/20; momentum 20/16; entry weight 1.25; score 20 x 1.25 x 1.5 x 1.25 x 0.4
    assert skill[0]["growth"] == 0.25 and skill[0]["growth_lo_80"] == -0.375 and skill[0]["need"] == 1.5
    assert skill[0]["score"] == pytest.approx(20 * 1.25 * 1.5 * 1.25 * 0.4) and skill[0]["coverage"] == 0.6
    regional = pl.DataFrame(
        {"language": ["de", "de"], "country": ["DE"] * 2, "region": ["r1", "r1"], "sector": ["ALL"] * 2,
         "skill_group": ["g", "ALL"], "skill": ["ALL", "s1"], "demand": [8.0, 3.0], "lo_80": [6.0, 2.0],
         "hi_80": [10.0, 4.0], "last": [0.0, 3.0], "need": [2.0, 1.0]}
    )  # fmt: skip
    within = pl.DataFrame({"skill_group": ["g", "g"], "skill": ["s1", "s2"], "share": [0.25, 0.75]})
    group = group_gaps(regional, within, gaps).to_dicts()
    # only the group row; entry 0.25 x 0.5 + 0.75 x 1 = 0.875, uncovered 0.25 x 0.4 + 0.75 x 1 = 0.85;
    # nothing observed last: no growth, momentum 1
    assert len(group) == 1 and group[0]["growth"] is None and group[0]["momentum"] == 1.0
    assert group[0]["entry_share"] == 0.875 and group[0]["uncovered"] == pytest.approx(0.85)
    assert group[0]["score"] == pytest.approx(8 * 1.0 * 2.0 * (1 + 0.5 * 0.875) * 0.85)
