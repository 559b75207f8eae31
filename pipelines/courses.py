"""`moocast map-courses`: ESCO skills of every course not yet mapped for a taxonomy version, in one transaction;
and the supply tables of `moocast supply`. Reads the warehouse; the transforms are in features/.

A course is pending when it has no course_mapping row for the version with its current fingerprint and the
current literal extractor (new, changed since it was mapped, or mapped by an older extractor); rows of courses
that changed or left the catalogues are replaced or removed.
Own skill lists are read with the English labels (the providers write them in English); titles and
descriptions with the labels of the course's language (see features.course_skills.text_label_languages)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from features.course_skills import (
    COURSE_KEY,
    OWN_LIST,
    best_course_skills,
    course_facts,
    merged_courses,
    own_list_counts,
    own_list_matches,
    own_list_skills,
    resolved_languages,
    text_label_languages,
    text_skills,
)
from features.course_supply import group_supply, method_agreement, skill_supply
from features.language import detected_languages
from features.skills import COMMON_WORD_SHARE
from pipelines.extract import (
    EXTRACTOR,
    Extractor,
    extracted,
    latest_esco_version,
    literal_extractor,
    skill_label_languages,
)
from pipelines.panel_sources import frame_of, skill_group_mix
from pipelines.warehouse import insert_frame, transaction

CHUNK = 1_000  # courses detected, matched and inserted at a time
COURSES = (
    "SELECT provider, course_id, title, description, skills, language, level, url, organization, subject, "
    "rating, enrolment, file, record FROM courses"
)
KEYED_TABLES = {
    "course_facts": "",
    "course_mapping": " AND taxonomy_version = ?",
    "course_skills": " AND taxonomy_version = ?",
}


def _chunk_tables(
    courses: pl.DataFrame, version: str, extractor_of: Callable[[str], Extractor], available: set[str]
) -> dict[str, pl.DataFrame]:
    """The course_facts, course_skills and course_mapping rows of one chunk of pending (merged) courses."""
    texts = [
        f"{title}\n{description or ''}" for title, description in courses.select("title", "description").iter_rows()
    ]
    given = courses["language"].to_list()
    detected = detected_languages(text for text, language in zip(texts, given, strict=True) if language is None)
    facts = course_facts(courses, resolved_languages(given, detected))
    label_langs = text_label_languages(facts["language"], available)
    matches = own_list_matches(courses, extractor_of("en").automaton)
    found = [own_list_skills(matches)]
    for lang in sorted({lang for lang in label_langs if lang is not None}):
        positions = [i for i, label_lang in enumerate(label_langs) if label_lang == lang]
        keys = courses[positions].select(COURSE_KEY)
        found.append(text_skills(keys, extracted(extractor_of(lang), [texts[i] for i in positions])))
    skills = best_course_skills(pl.concat(found)).with_columns(taxonomy_version=pl.lit(version))
    counts = skills.group_by(COURSE_KEY).agg(skills=pl.len().cast(pl.Int32))
    own = ("own_items", "own_items_exact", "own_items_mapped")
    mapping = (
        courses.select(*COURSE_KEY, "fingerprint", label_lang=pl.Series(label_langs, dtype=pl.String))
        .join(counts, on=COURSE_KEY, how="left", maintain_order="left")
        .join(own_list_counts(matches), on=COURSE_KEY, how="left", maintain_order="left")
        .with_columns(
            pl.col("skills", *own).fill_null(0), taxonomy_version=pl.lit(version), extractor=pl.lit(EXTRACTOR)
        )
        .with_columns(
            status=pl.when(pl.col("skills") > 0).then(pl.lit("mapped")).otherwise(pl.lit("no_skill")),
            mapped_at=pl.lit(datetime.now()),
        )
    )
    return {"course_facts": facts, "course_skills": skills, "course_mapping": mapping}


def _delete_keys(con: duckdb.DuckDBPyConnection, keys: pl.DataFrame, version: str) -> None:
    """Remove the rows of these courses (facts; mapping and skills of `version`)."""
    con.register("gone_keys", keys.select(COURSE_KEY).to_arrow())
    try:
        for table, of_version in KEYED_TABLES.items():
            con.execute(
                f'DELETE FROM "{table}" t WHERE EXISTS (SELECT 1 FROM gone_keys g WHERE g.provider = t.provider '
                f"AND g.course_id = t.course_id){of_version}",
                [version] if of_version else [],
            )
    finally:
        con.unregister("gone_keys")


def map_courses(
    con: duckdb.DuckDBPyConnection,
    version: str | None = None,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, Any]:
    """Map the pending courses; returns this run's counts, the totals for the version and the own-list figures."""
    version = version or latest_esco_version(con)
    available = skill_label_languages(con, version)
    if "en" not in available:
        raise ValueError(f"ESCO {version} has no English skill labels: own skill lists cannot be read")
    extractors: dict[str, Extractor] = {}

    def extractor_of(lang: str) -> Extractor:
        if lang not in extractors:
            extractors[lang] = literal_extractor(con, lang, COMMON_WORD_SHARE, version)
        return extractors[lang]

    merged = merged_courses(frame_of(con, COURSES, []))
    done = frame_of(
        con,
        "SELECT provider, course_id, fingerprint FROM course_mapping WHERE taxonomy_version = ? AND extractor = ?",
        [version, EXTRACTOR],
    )
    pending = merged.join(done, on=[*COURSE_KEY, "fingerprint"], how="anti", maintain_order="left")
    known = frame_of(con, "SELECT provider, course_id FROM course_facts", [])
    removed = pl.concat([done.select(COURSE_KEY), known]).unique().join(merged, on=COURSE_KEY, how="anti")
    run = Counter[str]()
    by_method = Counter[str]()
    unread = Counter[str]()
    with transaction(con):
        _delete_keys(con, pl.concat([removed, pending.select(COURSE_KEY)]), version)
        for start in range(0, pending.height, CHUNK):
            tables = _chunk_tables(pending.slice(start, CHUNK), version, extractor_of, available)
            for table, rows in tables.items():
                insert_frame(con, table, rows)
            mapping = tables["course_mapping"].join(tables["course_facts"], on=COURSE_KEY)
            run.update(mapping["status"])
            by_method.update(tables["course_skills"]["method"])
            unread.update(mapping.filter(pl.col("label_lang").is_null())["language"])
            on_progress(min(start + CHUNK, pending.height), pending.height)
    on_progress(pending.height, pending.height)
    return {
        "taxonomy_version": version,
        "courses": merged.height,
        "merged_rows": int(merged["input_rows"].sum() - merged.height),
        "processed": pending.height,
        "removed": removed.height,
        "mapped": run["mapped"],
        "no_skill": run["no_skill"],
        "skills_by_method": dict(sorted(by_method.items())),
        "text_not_read_by_language": dict(sorted(unread.items())),
        "totals": mapping_totals(con, version),
    }


def _counts(con: duckdb.DuckDBPyConnection, sql: str, version: str | None = None) -> dict[str, int]:
    return {str(key): int(n) for key, n in con.execute(sql, [version] if version else []).fetchall()}


def mapping_totals(con: duckdb.DuckDBPyConnection, version: str) -> dict[str, Any]:
    """What course_mapping and course_skills hold for `version`: courses mapped and with no skill, per provider,
    skill rows by method, languages by method, own-list coverage and the text/own-list agreement."""
    per_provider = con.execute(
        "SELECT provider, count(*), count(*) FILTER (status = 'mapped') FROM course_mapping "
        "WHERE taxonomy_version = ? GROUP BY provider ORDER BY provider",
        [version],
    ).fetchall()
    own = con.execute(
        "SELECT count(*) FILTER (own_items > 0), coalesce(sum(own_items), 0), coalesce(sum(own_items_exact), 0), "
        "coalesce(sum(own_items_mapped), 0) FROM course_mapping WHERE taxonomy_version = ?",
        [version],
    ).fetchall()[0]
    found = frame_of(
        con,
        "SELECT s.provider, s.course_id, s.skill_uri, s.found_by, f.has_description FROM course_skills s "
        "JOIN course_facts f USING (provider, course_id) WHERE s.taxonomy_version = ?",
        [version],
    )
    return {
        "mapped": sum(mapped for _, _, mapped in per_provider),
        "no_skill": sum(n - mapped for _, n, mapped in per_provider),
        "by_provider": {p: {"courses": n, "mapped": mapped} for p, n, mapped in per_provider},
        "skills_by_method": _counts(
            con, "SELECT method, count(*) FROM course_skills WHERE taxonomy_version = ? GROUP BY 1 ORDER BY 1", version
        ),
        "languages_by_method": _counts(con, "SELECT language_method, count(*) FROM course_facts GROUP BY 1 ORDER BY 1"),
        "own_list": {
            "courses": own[0],
            "items": own[1],
            "items_exact": own[2],
            "items_mapped": own[3],
            "agreement_text_vs_own_list": {
                "with_description": method_agreement(found.filter(pl.col("has_description")), OWN_LIST, "literal"),
                "title_only": method_agreement(found.filter(~pl.col("has_description")), OWN_LIST, "literal"),
            },
        },
    }


def supply_table(
    con: duckdb.DuckDBPyConnection,
    version: str | None = None,
    skill_group: str | None = None,
    provider: str | None = None,
) -> pl.DataFrame:
    """Supply per skill group (label, code first), or per skill of `skill_group` when given; courses of
    `provider` only when given. Raises ValueError when no course is mapped for the version."""
    version = version or latest_esco_version(con)
    skills = frame_of(
        con,
        "SELECT provider, course_id, skill_uri FROM course_skills WHERE taxonomy_version = ? "
        "AND (? IS NULL OR provider = ?)",
        [version, provider, provider],
    )
    if skills.is_empty():
        raise ValueError(f"no course is mapped to ESCO {version}{f' for {provider}' if provider else ''}: "
                         "run `moocast map-courses` first")  # fmt: skip
    facts = frame_of(con, "SELECT provider, course_id, level, language, rating, enrolment FROM course_facts", [])
    shares = skill_group_mix(con, version)
    if skill_group is None:
        labels = frame_of(
            con,
            "SELECT uri AS group_uri, coalesce(code, regexp_extract(uri, '[^/]+/[^/]+$')) AS code, "
            "preferred_label AS label FROM skill_groups WHERE version = ?",
            [version],
        )
        return labels.join(group_supply(skills, facts, shares), on="group_uri", how="right").select(
            "code", "label", pl.exclude("code", "label")
        )
    members = shares.filter(pl.col("group_uri") == skill_group).select("skill_uri")
    if members.is_empty():
        raise ValueError(f"{skill_group} is not a skill group of the supply tables (see `moocast supply`)")
    labels = frame_of(con, "SELECT uri AS skill_uri, preferred_label AS label FROM skills WHERE version = ?", [version])
    supply = skill_supply(skills.join(members, on="skill_uri"), facts)
    return labels.join(supply, on="skill_uri", how="right").select("label", pl.exclude("label"))
