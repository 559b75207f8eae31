"""`moocast publish`: copy what the service serves into a new DuckDB snapshot and repoint `current` to it.

The service never opens the warehouse (DuckDB lets no other process read a file while one writes it): it reads
`<serving_dir>/current`, a symlink to the newest `results-<timestamp>.duckdb`, read-only. The snapshot is
written under a temporary name, renamed when complete, and the link is replaced atomically (os.replace), so a
reader sees the old snapshot or the new one, never a partial file. The newest `serving_keep` snapshots are kept.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from features.regions import ISO_COUNTRY
from features.sectors import NACE_SECTIONS
from pipelines.settings import Settings
from pipelines.warehouse import latest_version

CURRENT = "current"
PREFIX = "results-"
SERVING_SCHEMA = "2"  # 2: backtest_steps and backtest_forecasts (2026-12-07)
ROW_GROUP_SIZE = 2048
GERMAN_STATES = {
    "01": "Schleswig-Holstein", "02": "Hamburg", "03": "Niedersachsen", "04": "Bremen",
    "05": "Nordrhein-Westfalen", "06": "Hessen", "07": "Rheinland-Pfalz", "08": "Baden-Württemberg",
    "09": "Bayern", "10": "Saarland", "11": "Berlin", "12": "Brandenburg", "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen", "15": "Sachsen-Anhalt", "16": "Thüringen",
}  # fmt: skip

# Each statement fills one table of the snapshot (attached as `snap`) from the warehouse ($version = the taxonomy
# version); tables are denormalized and sorted as the service filters them (DuckDB skips row groups by min/max).
_TABLES: list[tuple[str, str]] = [
    ("series", "SELECT a.series_id, f.model_name, a.source, a.freq, a.unit, a.region, "
     "coalesce(r.label, a.region) AS region_label, a.region_level, a.sector, coalesce(c.label, a.sector) AS "
     "sector_label, a.skill, sk.preferred_label AS skill_label, a.skill_group, g.preferred_label AS "
     "skill_group_label, a.hierarchy_level, a.occupation, a.route, h.last_ds, h.last_y, f.demand, "
     "f.demand_lo_80, f.demand_hi_80, f.demand / nullif(h.last_y, 0) - 1 AS growth, f.demand_lo_80 / "
     "nullif(h.last_y, 0) - 1 AS growth_lo_80, f.demand_hi_80 / nullif(h.last_y, 0) - 1 AS growth_hi_80 "
     "FROM series_attributes a "
     "JOIN (SELECT model_name, series_id, avg(yhat) AS demand, avg(lo_80) AS demand_lo_80, avg(hi_80) AS "
     "demand_hi_80 FROM forecasts GROUP BY ALL) f USING (series_id) "
     "LEFT JOIN (SELECT series_id, max(ds) AS last_ds, arg_max(y, ds) AS last_y FROM series GROUP BY series_id) h "
     "USING (series_id) "
     "LEFT JOIN region_labels r ON r.code = a.region LEFT JOIN sector_labels c ON c.code = a.sector "
     "LEFT JOIN skills sk ON sk.version = $version AND sk.uri = a.skill "
     "LEFT JOIN skill_groups g ON g.version = $version AND g.uri = a.skill_group ORDER BY a.series_id"),
    ("forecasts", "SELECT f.series_id, f.model_name, f.model_version, f.chosen_model, s.source, s.region, "
     "s.region_label, s.region_level, s.sector, s.skill, s.skill_label, s.skill_group, s.skill_group_label, "
     "s.hierarchy_level, s.unit, f.step, f.ds, f.yhat, f.lo_80, f.hi_80, f.lo_95, f.hi_95 FROM forecasts f "
     "JOIN snap.series s USING (series_id) ORDER BY s.region, f.series_id, f.step"),
    ("history", "SELECT s.series_id, s.ds, s.y FROM series s JOIN snap.series USING (series_id) "
     "ORDER BY s.series_id, s.ds"),
    ("series_links", "SELECT l.* FROM series_links l WHERE l.parent IN (SELECT series_id FROM snap.series) "
     "AND l.child IN (SELECT series_id FROM snap.series)"),
    ("backtest_runs", "SELECT b.run_id, b.created_at, b.input, b.freq, b.horizon, b.windows, b.series, "
     "b.model_name, b.model_version, b.summary_json FROM backtest_runs b "
     "JOIN (SELECT DISTINCT model_name, model_version FROM forecasts) f USING (model_name, model_version) "
     "QUALIFY row_number() OVER (PARTITION BY b.model_name ORDER BY b.created_at DESC) = 1"),
    ("backtest_scores", "SELECT s.* FROM backtest_scores s WHERE s.run_id IN (SELECT run_id FROM "
     "snap.backtest_runs) AND s.series_id IN (SELECT series_id FROM snap.series) ORDER BY s.series_id, s.model"),
    ("backtest_forecasts", "SELECT f.* FROM backtest_forecasts f WHERE f.run_id IN (SELECT run_id FROM "
     "snap.backtest_runs) AND f.series_id IN (SELECT series_id FROM snap.series) ORDER BY f.series_id, f.ds"),
    ("priorities", "SELECT * EXCLUDE (entry_json) FROM priorities ORDER BY provider, language_filter, "
     "region_filter, rank"),
    ("priority_entries", "SELECT model_name, provider, language_filter, region_filter, rank, entry_json "
     "FROM priorities"),
    ("gaps", "SELECT g.*, coalesce(sk.preferred_label, sg.preferred_label, g.uri) AS label, "
     "coalesce(r.label, g.region) AS region_label FROM gaps g "
     "LEFT JOIN skills sk ON sk.version = $version AND sk.uri = g.uri "
     "LEFT JOIN skill_groups sg ON sg.version = $version AND sg.uri = g.uri "
     "LEFT JOIN region_labels r ON r.code = g.region ORDER BY g.provider, g.kind, g.score DESC"),
    ("labels", "SELECT l.uri, l.concept_kind AS kind, l.lang, l.label_type, l.label, lower(l.label) AS folded "
     "FROM concept_labels l WHERE l.version = $version AND l.concept_kind IN ('skill', 'skill_group')"),
    ("concepts", "SELECT c.uri, c.kind, c.label, coalesce(n.series, 0) AS series FROM (SELECT uri, 'skill' AS "
     "kind, preferred_label AS label FROM skills WHERE version = $version UNION ALL SELECT uri, 'skill_group', "
     "preferred_label FROM skill_groups WHERE version = $version UNION ALL VALUES ('ALL', 'skill', 'all skills'), "
     "('ALL', 'skill_group', 'all skill groups')) c LEFT JOIN (SELECT uri, kind, count(*) AS series FROM (SELECT "
     "skill AS uri, 'skill' AS kind FROM snap.series UNION ALL SELECT skill_group, 'skill_group' FROM snap.series) "
     "GROUP BY ALL) n USING (uri, kind)"),
    ("regions", "SELECT a.region AS code, any_value(coalesce(r.label, a.region)) AS label, "
     "any_value(a.region_level) AS level, count(*) AS series FROM snap.series a "
     "LEFT JOIN region_labels r ON r.code = a.region GROUP BY a.region ORDER BY a.region"),
    ("sectors", "SELECT a.sector AS code, any_value(coalesce(c.label, a.sector)) AS label, count(*) AS series "
     "FROM snap.series a LEFT JOIN sector_labels c ON c.code = a.sector GROUP BY a.sector ORDER BY a.sector"),
    ("freshness", "SELECT kind, max(started_at) AS latest_run, max(started_at) FILTER (status = 'loaded') AS "
     "latest_change, count(DISTINCT source) AS sources FROM ingest_runs GROUP BY kind ORDER BY kind"),
    ("models", "SELECT f.model_name, any_value(f.model_version) AS model_version, min(f.created_at) AS "
     "forecast_at, count(DISTINCT f.series_id) AS series, max(f.step) AS horizon, min(f.ds) AS first_ds, "
     "max(f.ds) AS last_ds, (SELECT max(last_ds) FROM snap.series s WHERE s.model_name = f.model_name) AS "
     "last_observed FROM forecasts f GROUP BY f.model_name ORDER BY f.model_name"),
]  # fmt: skip


def _labels(con: duckdb.DuckDBPyConnection) -> None:
    """Temporary region_labels and sector_labels (code, label) on the warehouse connection: regions are named
    by the statistics that carry them, German states by their AGS prefix, countries by ISO 3166."""
    named = dict(con.execute(
        "SELECT geo_code, min(geo_label) FROM labour_stats WHERE geo_label IS NOT NULL GROUP BY geo_code"
    ).fetchall())  # fmt: skip
    regions = {"ALL": "all regions"}
    for (code,) in con.execute("SELECT DISTINCT region FROM series_attributes").fetchall():
        if code in GERMAN_STATES:
            regions[code] = GERMAN_STATES[code]
        elif code in named:
            regions[code] = named[code]
        elif len(code) == 2 and code.isalpha():
            regions[code] = _country_name(code)
    sectors = {**NACE_SECTIONS, "ALL": "all sectors"}
    for table, labels in (("region_labels", regions), ("sector_labels", sectors)):
        con.register(f"{table}_frame", pl.DataFrame({"code": list(labels), "label": list(labels.values())}))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {table}_frame")
        con.unregister(f"{table}_frame")


def _country_name(code: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=ISO_COUNTRY.get(code, code))
    return code if country is None else str(country.name)


def _taxonomy_version(con: duckdb.DuckDBPyConnection) -> str:
    """The ESCO version the priorities were ranked with, else the newest loaded."""
    version = latest_version(con, "priorities", "taxonomy_version") or latest_version(
        con, "taxonomy_versions", taxonomy="esco"
    )
    if version is None:
        raise ValueError("the warehouse holds no ESCO taxonomy: run `moocast ingest taxonomy` first")
    return version


_METRICS = ("mase", "smape", "rmsse", "coverage_80", "coverage_95")
_STEP_METRICS = ("mase", "coverage_80", "coverage_95")


def _backtest_tables(snap: duckdb.DuckDBPyConnection) -> None:
    """backtest_models, the pooled scorecard of each published backtest run (a row per candidate model), and
    backtest_steps, the same candidates' MASE and coverage at each step ahead (`by_step`: none for runs stored
    before 2026-12-07, which lack it)."""
    models, steps = [], []
    for run_id, model_name, model_version, summary in snap.execute(
        "SELECT run_id, model_name, model_version, summary_json FROM backtest_runs"
    ).fetchall():
        run = {"run_id": run_id, "model_name": model_name, "model_version": model_version}
        scores = json.loads(summary)
        models += [{**run, "model": model, **metrics} for model, metrics in scores["models"].items()]
        steps += [{**run, "model": model, **row} for model, rows in scores.get("by_step", {}).items() for row in rows]
    keys = {"run_id": pl.String, "model_name": pl.String, "model_version": pl.String, "model": pl.String}
    frames = {
        "backtest_models": (pl.DataFrame(models, schema={**keys, **dict.fromkeys(_METRICS, pl.Float64)}),
                            "model_name, mase"),
        "backtest_steps": (pl.DataFrame(steps, schema={**keys, "step": pl.Int64,
                                                       **dict.fromkeys(_STEP_METRICS, pl.Float64)}),
                           "model_name, model, step"),
    }  # fmt: skip
    for table, (frame, order) in frames.items():
        snap.register(f"{table}_frame", frame)
        snap.execute(f"CREATE TABLE {table} AS SELECT * FROM {table}_frame ORDER BY {order}")
        snap.unregister(f"{table}_frame")


def published(con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    """Write a snapshot of the serving tables from the warehouse `con`, point `current` at it, prune old ones;
    returns the snapshot's path and row counts. ValueError when there is nothing to serve."""
    if con.execute("SELECT count(*) FROM forecasts").fetchall()[0][0] == 0:
        raise ValueError("the warehouse holds no forecasts: run `moocast train` and `moocast forecast` first")
    version = _taxonomy_version(con)
    folder = settings.serving_dir
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now()).strftime("%Y%m%dT%H%M%S%f")
    final = folder / f"{PREFIX}{stamp}.duckdb"
    partial = folder / f".{PREFIX}{stamp}.duckdb.partial"
    partial.unlink(missing_ok=True)
    _labels(con)
    quoted = str(partial).replace("'", "''")
    # Small row groups: a filter on a sorted column (region, provider) reads a few of them, not the whole table.
    con.execute(f"ATTACH '{quoted}' AS snap (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")  # no parameter for ATTACH's path
    try:
        for table, sql in _TABLES:
            con.execute(f"CREATE TABLE snap.{table} AS {sql}", {"version": version} if "$version" in sql else None)
        counts = {table: con.execute(f"SELECT count(*) FROM snap.{table}").fetchall()[0][0] for table, _ in _TABLES}
        meta = {"published_at": (now or datetime.now()).isoformat(timespec="seconds"), "taxonomy_version": version,
                "serving_schema": SERVING_SCHEMA, "snapshot": final.name}  # fmt: skip
        con.execute("CREATE TABLE snap.meta (key VARCHAR, value VARCHAR)")
        con.executemany("INSERT INTO snap.meta VALUES (?, ?)", [[k, v] for k, v in meta.items()])
    finally:
        con.execute("DETACH snap")
    with duckdb.connect(str(partial)) as snap:
        _backtest_tables(snap)
        snap.execute("CHECKPOINT")
    os.replace(partial, final)
    link = folder / f".{CURRENT}.{stamp}"
    link.symlink_to(final.name)
    os.replace(link, folder / CURRENT)
    return {"snapshot": str(final), "rows": counts, "removed": [str(p) for p in pruned(folder, settings.serving_keep)]}


def pruned(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` snapshots (never the current one); returns those deleted. A service
    still reading a deleted file keeps it open until it moves to the new one (POSIX unlink semantics)."""
    current = os.readlink(folder / CURRENT)
    snapshots = sorted(folder.glob(f"{PREFIX}*.duckdb"), reverse=True)
    removed = [path for path in snapshots[keep:] if path.name != current]
    for path in removed:
        path.unlink()
    return removed
