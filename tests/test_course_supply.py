"""features.course_supply: supply per skill and skill group, and method agreement, with hand-computed values."""

import polars as pl

from features.course_supply import group_supply, method_agreement, skill_supply

FACTS = pl.DataFrame(
    {
        "provider": ["a", "a", "b", "c"],
        "course_id": ["1", "2", "3", "4"],
        "level": ["introductory", "advanced", "introductory", "unknown"],
        "language": ["en", "und", "fr", "en"],
        "rating": [4.0, None, 5.0, None],
        "enrolment": [100, 50, None, None],
    }
)
SKILLS = pl.DataFrame(
    {
        "provider": ["a", "a", "a", "b", "c"],
        "course_id": ["1", "1", "2", "3", "4"],
        "skill_uri": ["s:x", "s:y", "s:x", "s:x", "s:z"],
    }
)


def test_skill_supply_counts_courses_levels_rating_and_enrolment() -> None:
    supply = skill_supply(SKILLS, FACTS)
    assert supply["skill_uri"].to_list() == ["s:x", "s:y", "s:z"]
    x = supply.row(0, named=True)
    assert x["courses"] == 3 and x["providers"] == ["a", "b"] and x["languages"] == ["en", "fr", "und"]
    assert (x["introductory"], x["intermediate"], x["advanced"], x["mixed"], x["unknown"]) == (2, 0, 1, 0, 0)
    assert (x["rated_courses"], x["mean_rating"], x["enrolled_courses"], x["enrolment"]) == (2, 4.5, 2, 150)
    z = supply.row(2, named=True)
    assert (z["courses"], z["unknown"], z["mean_rating"], z["enrolment"]) == (1, 1, None, None)


def test_group_supply_counts_a_course_once_per_group() -> None:
    shares = pl.DataFrame(
        {
            "skill_uri": ["s:x", "s:y", "s:y", "s:z"],
            "group_uri": ["g1", "g1", "g2", "g2"],
            "share": [1.0, 0.5, 0.5, 0.0],
        }
    )
    supply = group_supply(SKILLS, FACTS, shares)
    assert supply.select("group_uri", "courses", "enrolment").rows() == [("g1", 3, 150), ("g2", 1, 100)]


def test_method_agreement_on_courses_the_reference_covers() -> None:
    found = pl.DataFrame(
        {
            "provider": ["a", "a", "a", "b"],
            "course_id": ["1", "1", "1", "2"],
            "skill_uri": ["s:x", "s:y", "s:z", "s:x"],
            "found_by": [["own_list", "literal"], ["own_list"], ["literal"], ["literal"]],
        }
    )
    assert method_agreement(found, "own_list", "literal") == {
        "courses": 1, "reference_skills": 2, "other_skills": 2, "both": 1, "precision": 0.5, "recall": 0.5,
    }  # fmt: skip
