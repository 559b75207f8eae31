"""The demand side of `moocast priorities`, read once for any number of selections: the champion's forecasts
spread over skills, BA statistics, ESCO and the course mapping (`DemandInputs`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from features.occupation_demand import jobseeker_pressure, occupation_demand, skill_profile, within_group_shares
from features.official_demand import distributed_demand
from features.region_languages import region_languages
from features.skill_groups import RELATION_WEIGHT, skill_group_shares
from models.gaps import regional_demand, series_demand
from pipelines.course_supply import catalogue_providers, course_skill_rows
from pipelines.extract import latest_esco_version
from pipelines.panel_sources import frame_of, skill_mixes, skill_tree
from pipelines.settings import Settings


@dataclass
class DemandInputs:
    """Everything that does not depend on the courses, read once for any number of selections."""

    meta: dict[str, str]
    regional: pl.DataFrame  # models.gaps.regional_demand
    within: pl.DataFrame  # skill_group, skill, share
    profile: pl.DataFrame  # skill, weight, entry_share
    occupations: pl.DataFrame  # occupation_uri, label, isco_group, demand
    occupation_skills: pl.DataFrame  # occupation_uri, skill, share, weight
    postings: pl.DataFrame  # posting_key, skill
    relations: pl.DataFrame  # skill, related
    skills: pl.DataFrame  # skill, label, field, group_label
    region_labels: pl.DataFrame  # region, label
    courses: pl.DataFrame  # pipelines.course_supply.course_skill_rows
    providers: list[str]  # every provider in the catalogues


def _period(day: date, freq: str) -> str:
    return f"{day:%Y}" if freq == "A" else f"{day:%Y-%m}" if freq in ("M", "Q") else f"{day:%Y-%m-%d}"


def _main_group(shares: pl.DataFrame, name: str) -> pl.DataFrame:
    """skill_uri, group_uri, share -> skill, `name`: each skill's group of largest share (ties: smaller URI)."""
    return (
        shares.sort(["skill_uri", "share", "group_uri"], descending=[False, True, False])
        .group_by("skill_uri", maintain_order=True)
        .first()
        .select(pl.col("skill_uri").alias("skill"), pl.col("group_uri").alias(name))
    )


def _last_year(con: duckdb.DuckDBPyConnection, indicator: str) -> pl.DataFrame:
    """BA counts of the latest year: region, class_code (KldB group), ds, value."""
    return frame_of(
        con,
        "SELECT geo_code AS region, class_code, period AS ds, value FROM labour_stats WHERE source = 'ba' "
        "AND indicator = ? AND period = (SELECT max(period) FROM labour_stats WHERE source = 'ba' AND indicator = ?)",
        [indicator, indicator],
    )


def demand_inputs(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: str, on_stage: Callable[[str], None] = lambda s: None
) -> DemandInputs:
    """Read the forecasts of <prefix>-<source> and the ESCO and labour-statistics context; ValueError with the
    command to run when forecasts or the course mapping are missing."""
    name = f"{settings.model_prefix}-{source}"
    on_stage("forecasts")
    forecasts = frame_of(
        con,
        "SELECT f.series_id, f.step, f.ds, f.yhat, f.lo_80, f.hi_80, f.model_version, a.* EXCLUDE (series_id) "
        "FROM forecasts f JOIN series_attributes a USING (series_id) WHERE f.model_name = ? "
        "AND a.hierarchy_level IN ('skill_group', 'skill') "
        "AND f.series_id NOT IN (SELECT parent FROM series_links)",  # parents: sums of their children
        [name],
    )
    if forecasts.is_empty():
        raise ValueError(
            f"no skill or skill-group forecasts of {name}: run `moocast train --source {source}` and "
            f"`moocast forecast --source {source}` first (ONS and Indeed series are sector totals without skills: "
            "use --source ba or postings)"
        )
    last = frame_of(
        con,
        "SELECT series_id, arg_max(y, ds) AS last, max(ds) AS last_ds FROM series WHERE series_id IN "
        "(SELECT series_id FROM forecasts WHERE model_name = ?) GROUP BY series_id",
        [name],
    )
    latest = last["last_ds"].max()
    stale = last.filter(pl.col("last_ds") < latest)["series_id"]  # forecasts for periods already past
    forecasts = forecasts.filter(~pl.col("series_id").is_in(stale.implode()))
    version = latest_esco_version(con)
    courses = course_skill_rows(con, version)
    freq = forecasts["freq"][0]
    meta = {
        "model_name": name,
        "model_version": str(forecasts["model_version"][0]),
        "source": source,
        "taxonomy_version": version,
        "unit": forecasts["unit"][0],
        "horizon": f"{_period(forecasts['ds'].min(), freq)}-{_period(forecasts['ds'].max(), freq)}",  # type: ignore[arg-type]
        "last_period": _period(latest, freq),  # type: ignore[arg-type]
        "series": str(forecasts["series_id"].n_unique()),
        "series_ended_earlier": str(stale.len()),
    }
    attributes = forecasts.select("series_id", "region", "region_level", "sector", "skill_group", "skill").unique()
    series = series_demand(forecasts, last.select("series_id", "last")).join(attributes, on="series_id")
    on_stage("ESCO mixes")
    mixes = skill_mixes(con, version)
    vacancies = _last_year(con, "vacancies_total")
    occupations = frame_of(
        con,
        "SELECT uri AS occupation_uri, preferred_label AS label, isco_group FROM occupations WHERE version = ?",
        [version],
    )
    by_occupation = occupation_demand(vacancies.select("class_code", "value"), mixes["kldb_occupations"], occupations)
    occupation_skills = mixes["occupation_skills"].rename({"skill_uri": "skill"})
    profile = skill_profile(by_occupation, mixes["occupation_skills"], occupations)
    on_stage("jobseeker pressure")
    spread = {
        name: distributed_demand(frame, mixes["kldb_groups"], "group_uri").select(
            "region", pl.col("group_uri").alias("skill_group"), "y"
        )
        for name, frame in (("unemployed", _last_year(con, "unemployed")), ("vacancies", vacancies))
    }
    pressure = jobseeker_pressure(spread["unemployed"], spread["vacancies"])
    languages = region_languages(series.select("region", "region_level"))
    on_stage("skills and topics context")
    broader, hierarchy = skill_tree(con, version)
    group_labels = frame_of(con, "SELECT DISTINCT uri, label FROM skill_hierarchy WHERE version = ?", [version])
    fields = _main_group(mixes["skill_groups"], "field")
    level3 = _main_group(skill_group_shares(broader, hierarchy, 3), "group3")
    skills = (
        frame_of(con, "SELECT uri AS skill, preferred_label AS label FROM skills WHERE version = ?", [version])
        .join(fields, on="skill", how="left")
        .join(level3, on="skill", how="left")
        .join(group_labels.rename({"uri": "group3", "label": "group3_label"}), on="group3", how="left")
        .join(group_labels.rename({"uri": "field", "label": "field_label"}), on="field", how="left")
        .select("skill", "label", "field", group_label=pl.coalesce("group3_label", "field_label"))
    )
    relation_weights = pl.DataFrame({"relation_type": list(RELATION_WEIGHT), "weight": list(RELATION_WEIGHT.values())})
    profiles = frame_of(
        con,
        "SELECT occupation_uri, skill_uri AS skill, relation_type FROM occupation_skills WHERE version = ?",
        [version],
    ).join(relation_weights, on="relation_type")
    return DemandInputs(
        meta=meta,
        regional=regional_demand(series, languages, pressure),
        within=within_group_shares(profile, mixes["skill_groups"]),
        profile=profile,
        occupations=occupations.join(by_occupation, on="occupation_uri"),
        occupation_skills=occupation_skills.join(
            profiles.group_by("occupation_uri", "skill").agg(pl.col("weight").max()), on=["occupation_uri", "skill"]
        ),
        postings=frame_of(
            con,
            "SELECT DISTINCT posting_key, skill_uri AS skill FROM posting_skills WHERE taxonomy_version = ?",
            [version],
        ),
        relations=frame_of(
            con, "SELECT skill_uri AS skill, related_uri AS related FROM skill_relations WHERE version = ?", [version]
        ),
        skills=skills,
        region_labels=frame_of(
            con,
            "SELECT geo_code AS region, min(geo_label) AS label FROM labour_stats WHERE geo_label IS NOT NULL "
            "GROUP BY geo_code",
            [],
        ),
        courses=courses,
        providers=catalogue_providers(con),
    )
