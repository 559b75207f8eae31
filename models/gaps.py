"""Gap scoring: forecast skill demand against catalogue coverage in the languages of the regions, weighted by
who needs it (pure polars). Every score is a product of named components (README, "Priorities"):

  demand        forecast demand over the horizon: the mean of the forecast steps (e.g. vacancies a year); its
                80% interval is the mean of the steps' bounds, summed over series (a conservative interval)
  last          the last observed value of the same series; growth = demand / last - 1
  need          the jobseeker pressure U / (U + V) of the region and skill group relative to the country's
                (`jobseeker_pressure`), clipped to [0.5, 2]; 1 where no unemployment statistics exist
  momentum      clip(demand / last, 0.5, 1.5): growing demand counts more, shrinking demand less, bounded
  entry_share   the share of a skill's demand from occupations at ISCO skill level 1-2 (`skill_profile`)
  entry_weight  1 + 0.5 x entry_share: MOOCs serve the already well educated best, so entry-level demand
                weighs up to 1.5x
  n_any, n_intro  the courses teaching a skill in the target language: the sum over courses of confidence x
                language weight; n_intro counts only introductory and mixed-level courses (entry-level supply)
  uncovered     entry_share / (1 + n_intro) + (1 - entry_share) / (1 + n_any): the part of the demand no course
                serves, in [0, 1]; one fitting course halves it. Adding a course never raises it.

A course counts fully in its own language; in English or in an unknown language (the unlabelled catalogues are
mostly English) it counts half where English is not spoken; in any other language not at all.
"""

from __future__ import annotations

import polars as pl

from features.panel import ALL

MOMENTUM_BOUNDS = (0.5, 1.5)
NEED_BOUNDS = (0.5, 2.0)
ENTRY_BOOST = 0.5
UNKNOWN_LANGUAGE_WEIGHT = 0.5
ENGLISH_WEIGHT = 0.5
ENTRY_LEVELS = ("introductory", "mixed")
# Course weights are rounded to multiples of 1/1024: such sums are exact in floating point, so a skill's course
# count does not depend on summation order (deterministic) and grows whenever a course is added (monotone).
WEIGHT_QUANTUM = 1024.0
SUMMED = ("demand", "lo_80", "hi_80", "last")
COMPONENTS = ("demand", "momentum", "need", "entry_weight", "uncovered")


def momentum(demand: pl.Expr, last: pl.Expr) -> pl.Expr:
    """clip(demand / last, 0.5, 1.5); 1 where nothing was observed last."""
    low, high = MOMENTUM_BOUNDS
    return pl.when(last > 0).then((demand / last).clip(low, high)).otherwise(1.0)


def entry_weight(entry_share: pl.Expr) -> pl.Expr:
    return 1.0 + ENTRY_BOOST * entry_share


def scored(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows with demand, lo_80, hi_80, last, need, entry_share and uncovered, plus growth and its 80% interval
    (null where nothing was observed last), momentum, entry_weight, coverage (1 - uncovered) and
    score = demand x momentum x need x entry_weight x uncovered."""
    observed = pl.col("last") > 0
    return frame.with_columns(
        *(pl.when(observed).then(pl.col(c) / pl.col("last") - 1.0).alias(f"growth{suffix}")
          for c, suffix in (("demand", ""), ("lo_80", "_lo_80"), ("hi_80", "_hi_80"))),
        momentum=momentum(pl.col("demand"), pl.col("last")),
        entry_weight=entry_weight(pl.col("entry_share")),
        coverage=1.0 - pl.col("uncovered"),
    ).with_columns(score=pl.reduce(lambda a, b: a * b, [pl.col(c) for c in COMPONENTS]))  # fmt: skip


def series_demand(forecasts: pl.DataFrame, last: pl.DataFrame) -> pl.DataFrame:
    """Each series' forecast demand over the horizon. forecasts: series_id, step, yhat, lo_80, hi_80;
    last: series_id, last (the last observed value). Returns series_id, demand, lo_80, hi_80, last."""
    return (
        forecasts.group_by("series_id")
        .agg(demand=pl.col("yhat").mean(), lo_80=pl.col("lo_80").mean(), hi_80=pl.col("hi_80").mean())
        .join(last, on="series_id")
        .sort("series_id")
    )


def regional_demand(series: pl.DataFrame, languages: pl.DataFrame, pressure: pl.DataFrame) -> pl.DataFrame:
    """Demand by language, region, sector and skill group or skill, with its need factor.

    series: series_id, region, region_level, sector, skill_group, skill, hierarchy_level + `series_demand`
    columns; languages: region, region_level, country, language (`region_languages`); pressure: region,
    skill_group, relative. A country's own series are left out where series of its regions exist (they would
    count the same demand twice). Returns language, country, region, sector, skill_group, skill, demand, lo_80,
    hi_80, last, need."""
    located = series.join(languages, on=["region", "region_level"])
    finer = located.filter(pl.col("region_level") != "country").select("country").unique()
    kept = located.filter((pl.col("region_level") != "country") | ~pl.col("country").is_in(finer["country"].implode()))
    return (
        kept.join(pressure.select("region", "skill_group", "relative"), on=["region", "skill_group"], how="left")
        .with_columns(need=pl.col("relative").clip(*NEED_BOUNDS).fill_null(1.0))
        .select("language", "country", "region", "sector", "skill_group", "skill", *SUMMED, "need")
        .sort("language", "region", "sector", "skill_group", "skill")
    )


def skill_demand(regional: pl.DataFrame, within: pl.DataFrame) -> pl.DataFrame:
    """Demand by language and skill: skill-group demand spread over the group's skills by `within` (skill_group,
    skill, share), plus the demand of skill series. Returns language, skill, demand, lo_80, hi_80, last,
    need_demand (the sum of demand x need)."""
    summed = [*SUMMED, "need_demand"]
    rows = regional.with_columns(need_demand=pl.col("demand") * pl.col("need")).sort(
        "language", "skill_group", "skill", "region", "sector"
    )
    groups = (
        rows.filter(pl.col("skill") == ALL)
        .group_by("language", "skill_group", maintain_order=True)
        .agg(pl.col(summed).sum())
        .join(within, on="skill_group")
        .with_columns(pl.col(c) * pl.col("share") for c in summed)
    )
    direct = rows.filter(pl.col("skill") != ALL)
    return (
        pl.concat([groups.select("language", "skill", *summed), direct.select("language", "skill", *summed)])
        .sort("language", "skill")
        .group_by("language", "skill", maintain_order=True)
        .agg(pl.col(summed).sum())
    )


def language_weight(course_language: pl.Expr, language: str) -> pl.Expr:
    """How much a course in `course_language` (null = unknown) serves learners of `language`."""
    other = ENGLISH_WEIGHT if language != "en" else 0.0
    return (
        pl.when(course_language == language)
        .then(1.0)
        .when(course_language.is_null())
        .then(UNKNOWN_LANGUAGE_WEIGHT)
        .when(course_language == "en")
        .then(other)
        .otherwise(0.0)
    )


def course_weights(courses: pl.DataFrame, languages: list[str]) -> pl.DataFrame:
    """courses: provider, course_id, skill, confidence, level, language (one row per course and skill) ->
    the same rows once per target language, with weight = confidence x language weight (rounded to 1/1024)
    and entry (the course is introductory or mixed-level). Rows of weight 0 are dropped."""
    frames = [
        courses.with_columns(
            target=pl.lit(language),
            weight=(pl.col("confidence") * language_weight(pl.col("language"), language) * WEIGHT_QUANTUM).round()
            / WEIGHT_QUANTUM,
            entry=pl.col("level").is_in(list(ENTRY_LEVELS)),
        )
        for language in languages
    ]
    return pl.concat(frames).filter(pl.col("weight") > 0)


def skill_supply(weights: pl.DataFrame) -> pl.DataFrame:
    """`course_weights` rows -> language, skill, n_any, n_intro (a course counted once per skill)."""
    return (
        weights.group_by("target", "provider", "course_id", "skill")
        .agg(pl.col("weight").max(), pl.col("entry").first())
        .group_by(pl.col("target").alias("language"), "skill")
        .agg(n_any=pl.col("weight").sum(), n_intro=pl.col("weight").filter(pl.col("entry")).sum())
    )


def with_entry_share(demand: pl.DataFrame, profile: pl.DataFrame) -> pl.DataFrame:
    """`skill_demand` with entry_share from `skill_profile` (0 for skills no occupation profile holds)."""
    return demand.join(profile.select("skill", "entry_share"), on="skill", how="left").with_columns(
        pl.col("entry_share").fill_null(0.0)
    )


def skill_gaps(demand: pl.DataFrame, supply: pl.DataFrame) -> pl.DataFrame:
    """`with_entry_share` rows with n_any, n_intro (`skill_supply`; 0 where no course teaches the skill) and
    uncovered."""
    return (
        demand.join(supply, on=["language", "skill"], how="left")
        .with_columns(pl.col("n_any", "n_intro").fill_null(0.0))
        .with_columns(
            uncovered=pl.col("entry_share") / (1.0 + pl.col("n_intro"))
            + (1.0 - pl.col("entry_share")) / (1.0 + pl.col("n_any"))
        )
        .sort("language", "skill")
    )


def skill_gap_rows(gaps: pl.DataFrame) -> pl.DataFrame:
    """`skill_gaps` -> language, skill, the demand columns, need, entry_share, uncovered and `scored`'s columns:
    the gap of every skill over the selection's regions."""
    return scored(
        gaps.select(
            "language", "skill", *SUMMED, "entry_share", "uncovered", need=pl.col("need_demand") / pl.col("demand")
        ).filter(pl.col("demand") > 0)
    )


def group_gaps(regional: pl.DataFrame, within: pl.DataFrame, gaps: pl.DataFrame) -> pl.DataFrame:
    """The gap of every skill group by region and sector: the group's demand there, its need, and the entry share
    and uncovered share of its skills weighted by `within` (skill_group, skill, share).
    Returns language, region, sector, skill_group, the demand columns, need, entry_share, uncovered, `scored`'s."""
    cover = (
        within.join(gaps.select("language", "skill", "entry_share", "uncovered"), on="skill")
        .sort("language", "skill_group", "skill")
        .group_by("language", "skill_group", maintain_order=True)
        .agg(
            (pl.col("share") * pl.col("entry_share")).sum().alias("entry_share"),
            (pl.col("share") * pl.col("uncovered")).sum().alias("uncovered"),
        )
    )
    rows = regional.filter((pl.col("skill") == ALL) & (pl.col("demand") > 0)).join(
        cover, on=["language", "skill_group"]
    )
    return scored(
        rows.select("language", "region", "sector", "skill_group", *SUMMED, "need", "entry_share", "uncovered")
    ).sort("language", "region", "sector", "skill_group")
