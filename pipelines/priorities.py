"""`moocast priorities`: course topics ranked by forecast demand against the course catalogues.

Reads the champion's forecasts, the panel, BA statistics, ESCO and the course mapping (pipelines/priority_inputs.py);
the logic is in models/gaps.py, models/topics.py and models/priorities.py. Writes the table `priorities` (one ranked
list per selection of provider, language and region, stamped with the forecast model's version)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from features.panel import ALL
from models.gaps import (
    COMPONENTS,
    course_weights,
    group_gaps,
    skill_demand,
    skill_gap_rows,
    skill_gaps,
    skill_supply,
    with_entry_share,
)
from models.priorities import explanation, in_region, ranked, topic_scores
from models.topics import candidate_skills, grouped_topics, skill_links, topic_names
from pipelines.priority_inputs import DemandInputs, demand_inputs
from pipelines.settings import Settings
from pipelines.warehouse import insert_frame, transaction

TOP_REGIONS, TOP_OCCUPATIONS, TOP_COURSES = 5, 3, 3


@dataclass(frozen=True)
class Selection:
    """Whose catalogue (None: all providers together), which language and region (None: all)."""

    provider: str | None = None
    language: str | None = None
    region: str | None = None

    def key(self) -> dict[str, str]:
        return {"provider": self.provider or ALL, "language": self.language or ALL, "region": self.region or ALL}


@dataclass
class Topics:
    """The topics of one language and region selection (independent of the courses)."""

    regional: pl.DataFrame  # the selection's rows of DemandInputs.regional
    demand: pl.DataFrame  # models.gaps.skill_demand with entry_share
    topics: pl.DataFrame  # topic_id, skill, position
    names: pl.DataFrame  # topic_id, topic


def selection_topics(inputs: DemandInputs, language: str | None, region: str | None) -> Topics:
    """Skill demand of the selection's regions, grouped into topics; ValueError naming what exists when the
    selection has no demand."""
    regional = inputs.regional
    if language is not None:
        regional = regional.filter(pl.col("language") == language)
    if region is not None:
        regional = regional.filter(in_region(region))
    if regional.is_empty():
        spoken = sorted(set(inputs.regional["language"]))
        raise ValueError(
            f"no forecast demand for language={language or 'any'} region={region or 'any'}: the forecasts cover "
            f"languages {', '.join(spoken)} (regions: a country such as DE, a district code or its state prefix)"
        )
    demand = with_entry_share(skill_demand(regional, inputs.within), inputs.profile)
    candidates = candidate_skills(demand).join(inputs.skills, on="skill", how="left")
    links = skill_links(inputs.occupation_skills, inputs.postings, inputs.relations, candidates)
    topics = grouped_topics(candidates, links)
    return Topics(regional, demand, topics, topic_names(topics, candidates, inputs.skills))


def _r(value: float | None) -> float | None:
    """6 significant digits: readable, and the same on every run."""
    return None if value is None else float(f"{value:.6g}")


def _grouped(frame: pl.DataFrame, limit: int) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Rows by (topic_id, language), at most `limit` each, in the frame's order."""
    keyed = frame.group_by("topic_id", "language", maintain_order=True).head(limit)
    return {
        key: rows for key, rows in keyed.rows_by_key(["topic_id", "language"], named=True, include_key=False).items()
    }


def _breakdowns(inputs: DemandInputs, topics: Topics) -> dict[str, pl.DataFrame]:
    """Each topic's demand by region and sector, its occupations and skills (topic_id, language, ...)."""
    weights = (
        topics.topics.join(inputs.within, on="skill").group_by("topic_id", "skill_group").agg(pl.col("share").sum())
    )
    spread = (
        topics.regional.filter(pl.col("skill") == ALL)
        .join(weights, on="skill_group")
        .with_columns(pl.col("demand") * pl.col("share"))
    )
    direct = topics.regional.filter(pl.col("skill") != ALL).join(topics.topics.select("topic_id", "skill"), on="skill")
    located = pl.concat([spread.select("topic_id", "language", "region", "sector", "demand"),
                         direct.select("topic_id", "language", "region", "sector", "demand")])  # fmt: skip

    def shares(key: str, labels: pl.DataFrame) -> pl.DataFrame:
        return (
            located.group_by("topic_id", "language", key)
            .agg(pl.col("demand").sum())
            .with_columns(share=pl.col("demand") / pl.col("demand").sum().over("topic_id", "language"))
            .join(labels, on=key, how="left")
            .sort(["topic_id", "language", "demand", key], descending=[False, False, True, False])
        )

    occupations = (
        topics.topics.join(inputs.occupation_skills, on="skill")
        .join(inputs.occupations, on="occupation_uri")
        .group_by("topic_id", "occupation_uri", "label", "isco_group")
        .agg((pl.col("demand") * pl.col("share")).sum().alias("demand"))
        .join(topics.demand.select("language").unique(), how="cross")
        .sort(["topic_id", "language", "demand", "occupation_uri"], descending=[False, False, True, False])
    )
    return {
        "regions": shares("region", inputs.region_labels),
        "sectors": shares("sector", pl.DataFrame({"sector": [ALL], "label": ["all sectors"]})),
        "occupations": occupations,
    }


def _closest_courses(weights: pl.DataFrame, topics: pl.DataFrame, gaps: pl.DataFrame) -> pl.DataFrame:
    """Per topic and language the courses teaching most of its demand: match = sum over the topic's skills the
    course teaches of (course weight x the skill's share of the topic's demand)."""
    shares = (
        topics.select("topic_id", "skill")
        .join(gaps.select("language", "skill", "demand"), on="skill")
        .with_columns(share=pl.col("demand") / pl.col("demand").sum().over("topic_id", "language"))
    )
    return (
        weights.rename({"language": "course_language", "target": "language"})
        .join(shares, on=["language", "skill"])
        .group_by("topic_id", "language", "provider", "course_id", "title", "url", "level", "course_language")
        .agg(pl.len().alias("skills_taught"), (pl.col("weight") * pl.col("share")).sum().alias("match"))
        .sort(["topic_id", "language", "match", "provider", "course_id"], descending=[False, False, True, False, False])
    )


def priority_entries(
    inputs: DemandInputs, topics: Topics, provider: str | None
) -> tuple[list[dict[str, Any]], pl.DataFrame]:
    """Every topic with demand, ranked against the catalogue of `provider` (None: all providers), as the
    entries of the JSON export (rank, topic, skills, score and components, demand, coverage, ...); and the gaps
    of every skill and of every skill group by region and sector (`gap_rows`)."""
    if provider is not None and provider not in inputs.providers:
        raise ValueError(f"no provider {provider!r} in the catalogues; known: {', '.join(inputs.providers)}")
    courses = inputs.courses if provider is None else inputs.courses.filter(pl.col("provider") == provider)
    weights = course_weights(courses, sorted(set(topics.regional["language"])))
    gaps = skill_gaps(topics.demand, skill_supply(weights))
    scores = ranked(topic_scores(topics.topics, gaps)).join(topics.names, on="topic_id")
    parts = _breakdowns(inputs, topics)
    regions, sectors = _grouped(parts["regions"], TOP_REGIONS), _grouped(parts["sectors"], TOP_REGIONS)
    occupations = _grouped(parts["occupations"], TOP_OCCUPATIONS)
    closest = _grouped(_closest_courses(weights, topics.topics, gaps), TOP_COURSES)
    skills = _grouped(
        topics.topics.join(gaps, on="skill").join(inputs.skills.select("skill", "label"), on="skill", how="left")
        .sort("topic_id", "language", "position"),
        len(topics.topics),
    )  # fmt: skip
    meta = inputs.meta
    entries = []
    for row in scores.sort("rank").iter_rows(named=True):
        key = (row["topic_id"], row["language"])
        entry: dict[str, Any] = {
            "rank": row["rank"],
            "topic_id": row["topic_id"],
            "topic": row["topic"],
            "language": row["language"],
            "level": row["level"],
            "score": _r(row["score"]),
            "components": {name: _r(row[name]) for name in COMPONENTS},
            "demand": {
                "value": _r(row["demand"]), "lo_80": _r(row["lo_80"]), "hi_80": _r(row["hi_80"]),
                "last": _r(row["last"]), "growth": _r(row["growth"]), "growth_lo_80": _r(row["growth_lo_80"]),
                "growth_hi_80": _r(row["growth_hi_80"]), "unit": meta["unit"], "horizon": meta["horizon"],
                "last_period": meta["last_period"],
            },
            "coverage": {
                "coverage": _r(row["coverage"]),
                "skills_taught": row["skills_taught"],
                "closest_courses": [
                    {"provider": c["provider"], "course_id": c["course_id"], "title": c["title"], "url": c["url"],
                     "level": c["level"], "language": c["course_language"], "skills_taught": c["skills_taught"],
                     "match": _r(c["match"])}
                    for c in closest.get(key, [])
                ],
            },
            "entry_share": _r(row["entry_share"]),
            "skills": [
                {"uri": s["skill"], "label": s["label"], "demand": _r(s["demand"]), "courses": _r(s["n_any"]),
                 "entry_share": _r(s["entry_share"]), "uncovered": _r(s["uncovered"])}
                for s in skills[key]
            ],
            "occupations": [
                {"uri": o["occupation_uri"], "label": o["label"], "isco_group": o["isco_group"]}
                for o in occupations.get(key, [])
            ],
            "regions": [{"code": r["region"], "label": r["label"] or r["region"], "share": _r(r["share"])}
                        for r in regions[key]],
            "sectors": [{"code": s["sector"], "label": s["label"] or s["sector"], "share": _r(s["share"])}
                        for s in sectors[key]],
        }  # fmt: skip
        entry["explanation"] = explanation(entry)
        entries.append(entry)
    return entries, gap_rows(topics, inputs.within, gaps)


def gap_rows(topics: Topics, within: pl.DataFrame, gaps: pl.DataFrame) -> pl.DataFrame:
    """The rows of the table `gaps` (without the model and selection columns)."""
    columns = ["kind", "uri", "language", "region", "sector", "demand", "demand_lo_80", "demand_hi_80", "growth",
               "growth_lo_80", "growth_hi_80", "momentum", "need", "entry_share", "entry_weight", "uncovered",
               "score"]  # fmt: skip
    skills = skill_gap_rows(gaps).with_columns(kind=pl.lit("skill"), region=pl.lit(ALL), sector=pl.lit(ALL))
    groups = group_gaps(topics.regional, within, gaps).with_columns(kind=pl.lit("skill_group"))
    return pl.concat(
        [
            frame.rename({key: "uri", "lo_80": "demand_lo_80", "hi_80": "demand_hi_80"}).select(columns)
            for frame, key in ((skills, "skill"), (groups, "skill_group"))
        ]
    )


def priorities(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    source: str,
    selections: list[Selection],
    on_stage: Callable[[str], None] = lambda stage: None,
) -> list[dict[str, Any]]:
    """The ranked priorities of each selection, stored in the tables `priorities` and `gaps` (replacing the same
    model's earlier rows for that selection). Returns one {"selection", "meta", "entries", "gaps"} per selection;
    the library entry point (`moocast run` calls it with every provider and all providers together)."""
    inputs = demand_inputs(con, settings, source, on_stage)
    results = []
    by_area: dict[tuple[str | None, str | None], Topics] = {}
    for selection in selections:
        area = (selection.language, selection.region)
        if area not in by_area:
            on_stage(f"topics ({selection.language or 'all languages'}, {selection.region or 'all regions'})")
            by_area[area] = selection_topics(inputs, *area)
        on_stage(f"ranking for {selection.provider or 'all providers'}")
        entries, gaps = priority_entries(inputs, by_area[area], selection.provider)
        results.append({"selection": selection.key(), "meta": inputs.meta, "entries": entries, "gaps": gaps})
    on_stage("writing")
    with transaction(con):
        for result in results:
            stored_rows(con, result)
    return results


def stored_rows(con: duckdb.DuckDBPyConnection, result: dict[str, Any]) -> None:
    """Replace the rows of this model and selection in `priorities` and `gaps` by `result`'s."""
    meta, key = result["meta"], result["selection"]
    selection = [meta["model_name"], key["provider"], key["language"], key["region"]]
    for table in ("priorities", "gaps"):
        con.execute(
            f"DELETE FROM {table} WHERE model_name = ? AND provider = ? AND language_filter = ? AND region_filter = ?",
            selection,
        )
    now = datetime.now()
    stamp = {"model_name": meta["model_name"], "model_version": meta["model_version"], "provider": key["provider"],
             "language_filter": key["language"], "region_filter": key["region"], "created_at": now}  # fmt: skip
    rows = pl.DataFrame(
        [
            {**stamp, "taxonomy_version": meta["taxonomy_version"], "rank": e["rank"], "topic_id": e["topic_id"],
             "topic": e["topic"], "language": e["language"], "level": e["level"], "score": e["score"],
             **e["components"], "demand_lo_80": e["demand"]["lo_80"], "demand_hi_80": e["demand"]["hi_80"],
             "growth": e["demand"]["growth"], "growth_lo_80": e["demand"]["growth_lo_80"],
             "growth_hi_80": e["demand"]["growth_hi_80"], "coverage": e["coverage"]["coverage"],
             "entry_json": json.dumps(e, ensure_ascii=False)}
            for e in result["entries"]
        ]
    )  # fmt: skip
    if rows.height:
        insert_frame(con, "priorities", rows)
    insert_frame(con, "gaps", result["gaps"].with_columns(**{name: pl.lit(value) for name, value in stamp.items()}))
