"""Topic scores, ranking and plain-language explanations (pure).

A topic's score is the product of five named components, each a topic-level figure (README, "Priorities"):
  demand        the forecast demand for its skills, summed over its regions (e.g. vacancies a year)
  momentum      clip(demand / last observed, 0.5, 1.5)
  need          demand-weighted mean of 1 + jobseeker pressure
  entry_weight  1 + 0.5 x the demand-weighted entry-level share
  uncovered     demand-weighted mean of the skills' uncovered share (the only component that depends on courses:
                adding a course never raises it, so it never raises a score)
Level: introductory when at least half the demand is entry-level, intermediate from a fifth, else advanced.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from models.gaps import scored

INTRODUCTORY_FROM = 0.5
INTERMEDIATE_FROM = 0.2


def in_region(code: str) -> pl.Expr:
    """Rows of a region code, of a country (ISO 3166-1, e.g. DE), or under a code prefix (BA district codes start
    with their state's: 09 = Bavaria)."""
    return (pl.col("country") == code) | pl.col("region").str.starts_with(code)


def topic_level(entry_share: pl.Expr) -> pl.Expr:
    return (
        pl.when(entry_share >= INTRODUCTORY_FROM)
        .then(pl.lit("introductory"))
        .when(entry_share >= INTERMEDIATE_FROM)
        .then(pl.lit("intermediate"))
        .otherwise(pl.lit("advanced"))
    )


def topic_scores(topics: pl.DataFrame, gaps: pl.DataFrame) -> pl.DataFrame:
    """topics: topic_id, skill; gaps: `skill_gaps` rows (language, skill, demand, lo_80, hi_80, last, need_demand,
    entry_share, n_any, uncovered). Returns one row per topic and language with demand, its 80% interval, last,
    growth and its interval, the components, coverage (1 - uncovered), skills, skills_taught, level and score."""
    rows = topics.select("topic_id", "skill").join(gaps, on="skill").sort("topic_id", "language", "skill")
    totals = (
        rows.group_by("topic_id", "language", maintain_order=True)
        .agg(
            pl.col("demand", "lo_80", "hi_80", "last", "need_demand").sum(),
            (pl.col("entry_share") * pl.col("demand")).sum().alias("entry_demand"),
            (pl.col("uncovered") * pl.col("demand")).sum().alias("uncovered_demand"),
            pl.len().alias("skills"),
            (pl.col("n_any") > 0).sum().alias("skills_taught"),
        )
        .filter(pl.col("demand") > 0)
    )
    return scored(
        totals.select(
            "topic_id",
            "language",
            "skills",
            "skills_taught",
            "demand",
            "lo_80",
            "hi_80",
            "last",
            need=pl.col("need_demand") / pl.col("demand"),
            entry_share=pl.col("entry_demand") / pl.col("demand"),
            uncovered=pl.col("uncovered_demand") / pl.col("demand"),
        )
    ).with_columns(level=topic_level(pl.col("entry_share")))


def ranked(scores: pl.DataFrame) -> pl.DataFrame:
    """Scores with rank 1.. by score (to 9 significant digits, so float noise cannot reorder), then topic_id."""
    return (
        scores.filter(pl.col("score") > 0)
        .with_columns(key=pl.col("score").round_sig_figs(9))
        .sort(["key", "topic_id", "language"], descending=[True, False, False])
        .drop("key")
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int32))
    )


def _percent(value: float) -> str:
    return f"{value * 100:+.0f}%"


def explanation(entry: dict[str, Any]) -> str:
    """A planner's reading of one ranked entry (the keys `priority_entries` in pipelines/priorities.py builds)."""
    d = entry["demand"]
    cover = entry["coverage"]
    c = entry["components"]
    regions = "; ".join(r["label"] for r in entry["regions"][:3])
    courses = cover["closest_courses"]
    if cover["skills_taught"] == 0:
        supply = f"no course in the catalogue teaches any of its {len(entry['skills'])} skills"
    else:
        supply = (
            f"{cover['skills_taught']} of its {len(entry['skills'])} skills are taught in the catalogue "
            f"(coverage {cover['coverage']:.2f} for learners in {entry['language']}; closest course: "
            f"{courses[0]['title']!r})"
        )
    return (
        f"Forecast demand for these skills is about {d['value']:,.0f} {d['unit']} a year in {d['horizon']} "
        f"(80% interval {d['lo_80']:,.0f}-{d['hi_80']:,.0f}), {_percent(d['growth'])} on {d['last_period']} "
        f"({_percent(d['growth_lo_80'])} to {_percent(d['growth_hi_80'])}); most of it in {regions}. "
        f"{supply[0].upper()}{supply[1:]}, so {c['uncovered']:.0%} of the demand is "
        f"uncovered. {entry['entry_share']:.0%} of the demand is in entry-level occupations (ISCO 4-9), weighted "
        f"{c['entry_weight']:.2f}x; jobseekers in its regions weigh it {c['need']:.2f}x and its growth "
        f"{c['momentum']:.2f}x."
    )
