"""What the warehouse holds: counts, taxonomy versions, last runs."""

from __future__ import annotations

from typing import Any

import duckdb

COUNT_QUERIES = {
    "skills": "SELECT count(*) FROM skills",
    "skill_labels": "SELECT count(*) FROM concept_labels WHERE concept_kind = 'skill'",
    "skill_groups": "SELECT count(*) FROM skill_groups",
    "occupations": "SELECT count(*) FROM occupations",
    "occupation_skills": "SELECT count(*) FROM occupation_skills",
    "skill_relations": "SELECT count(*) FROM skill_relations",
    "onet_occupations": "SELECT count(*) FROM onet_occupations",
    "crosswalk_rows": "SELECT count(*) FROM crosswalks",
    "postings": "SELECT count(*) FROM postings",
    "postings_unique": "SELECT count(*) FROM postings WHERE duplicate_of IS NULL AND near_duplicate_of IS NULL",
    "postings_exact_duplicates": "SELECT count(*) FROM postings WHERE duplicate_of IS NOT NULL",
    "postings_near_duplicates": "SELECT count(*) FROM postings WHERE near_duplicate_of IS NOT NULL",
    "labour_stats": "SELECT count(*) FROM labour_stats",
    "courses": "SELECT count(*) FROM courses",
    "quarantine": "SELECT count(DISTINCT (file, line)) FROM quarantine",
    "ingest_runs": "SELECT count(*) FROM ingest_runs",
    "postings_extracted": "SELECT count(DISTINCT posting_key) FROM extraction_status WHERE status = 'extracted'",
    "posting_skills": "SELECT count(*) FROM posting_skills",
    "postings_coded": "SELECT count(*) FROM posting_codes",
    "series": "SELECT count(*) FROM series_attributes",
    "series_rows": "SELECT count(*) FROM series",
    "exogenous_rows": "SELECT count(*) FROM series_exogenous",
    "hierarchy_links": "SELECT count(*) FROM series_links",
    "courses_merged": "SELECT count(*) FROM course_facts",
    "courses_with_skills": "SELECT count(DISTINCT (provider, course_id)) FROM course_skills",
    "backtest_runs": "SELECT count(*) FROM backtest_runs",
    "forecast_rows": "SELECT count(*) FROM forecasts",
    "priority_lists": "SELECT count(DISTINCT (model_name, provider, language_filter, region_filter)) FROM priorities",
}


def warehouse_status(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Counts per table, taxonomy versions, statistics by source and the latest run per source."""
    counts = {name: int(con.execute(sql).fetchall()[0][0]) for name, sql in COUNT_QUERIES.items()}
    versions = [
        {"taxonomy": t, "version": v, "languages": list(langs)}
        for t, v, langs in con.execute(
            "SELECT taxonomy, version, languages FROM taxonomy_versions ORDER BY taxonomy, version"
        ).fetchall()
    ]
    stats = [
        {"source": s, "indicator": i, "series_rows": n, "first": str(a), "last": str(b)}
        for s, i, n, a, b in con.execute(
            "SELECT source, indicator, count(*), min(period), max(period) FROM labour_stats "
            "GROUP BY ALL ORDER BY source, indicator"
        ).fetchall()
    ]
    runs = [
        {
            "kind": k,
            "format": f,
            "source": s,
            "status": st,
            "rows_read": r,
            "rows_loaded": lo,
            "rows_quarantined": q,
            "at": str(at),
        }
        for k, f, s, st, r, lo, q, at in con.execute(
            "SELECT kind, format, source, status, rows_read, rows_loaded, rows_quarantined, started_at "
            "FROM ingest_runs QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC) = 1 "
            "ORDER BY kind, source"
        ).fetchall()
    ]
    return {"counts": counts, "taxonomies": versions, "labour_stats": stats, "latest_runs": runs}
