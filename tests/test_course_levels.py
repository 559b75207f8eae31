"""features.course_levels: provider level wordings on one scale."""

import polars as pl

from features.course_levels import LEVEL_SCALE, normalized_levels


def test_levels_of_every_provider_wording_land_on_the_scale() -> None:
    given = ["beginner", "Beginner Level", " Introductory ", "intermediate", "Intermediate Level", "Expert Level",
             "advanced", "All Levels", "mixed", None, "for kids"]  # fmt: skip
    levels = pl.DataFrame({"level": given}, schema={"level": pl.String}).select(normalized_levels(pl.col("level")))
    assert levels["level"].to_list() == [
        "introductory", "introductory", "introductory", "intermediate", "intermediate", "advanced", "advanced",
        "mixed", "mixed", "unknown", "unknown",
    ]  # fmt: skip
    assert set(levels["level"]) <= set(LEVEL_SCALE)
