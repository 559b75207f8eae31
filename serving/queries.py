"""The SQL the API runs on a published snapshot (pipelines/publish.py): parameterized, one function per result.
List functions return (total matching rows, one page of rows as dicts); unknown filter values raise
UnknownValueError naming where the known ones are listed."""

from __future__ import annotations

from typing import Any

import duckdb

from serving.reader import Reader

Rows = list[dict[str, Any]]

SERIES_COLUMNS = (
    "series_id, model_name, source, freq, unit, region, region_label, region_level, sector, sector_label, skill, "
    "skill_label, skill_group, skill_group_label, hierarchy_level, last_ds, last_y, demand, demand_lo_80, "
    "demand_hi_80, growth"
)
FORECAST_COLUMNS = (
    "series_id, model_name, model_version, chosen_model, region, region_label, sector, skill, skill_label, "
    "skill_group, skill_group_label, hierarchy_level, unit, step, ds, yhat, lo_80, hi_80, lo_95, hi_95"
)
SERIES_ORDER = {"growth": "growth DESC NULLS LAST, series_id", "demand": "demand DESC, series_id",
                "series_id": "series_id"}  # fmt: skip
# filter name -> (column of the series table, the table and column of its known values, where they are listed)
SERIES_FILTERS = {
    "region": ("region", "regions", "code", "/v1/regions"),
    "sector": ("sector", "sectors", "code", "/v1/sectors"),
    "skill": ("skill", "concepts", "uri", "/v1/skills"),
    "skill_group": ("skill_group", "concepts", "uri", "/v1/skills"),
    "level": ("hierarchy_level", "series", "hierarchy_level", "/v1/series"),
    "source": ("source", "series", "source", "/health (models)"),
    "series_id": ("series_id", "series", "series_id", "/v1/series"),
    "region_level": ("region_level", "regions", "level", "/v1/regions (field level)"),
}


class UnknownValueError(LookupError):
    """A filter value that names nothing in the published results."""

    def __init__(self, name: str, value: str, hint: str) -> None:
        super().__init__(f"unknown {name} {value!r}: {hint}")


def rows_of(cur: Reader | duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> Rows:
    result = cur.execute(sql, params)
    names = [column[0] for column in result.description or []]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def page_of(cur: Reader, sql: str, params: list[Any], order: str, limit: int,
            offset: int) -> tuple[int, Rows]:  # fmt: skip
    """One page of `sql`'s rows in `order`, and how many rows it has in all."""
    rows = rows_of(cur, f"SELECT *, count(*) OVER () AS _total FROM ({sql}) ORDER BY {order} LIMIT ? OFFSET ?",
                   [*params, limit, offset])  # fmt: skip
    if rows:
        total = int(rows[0]["_total"])
    else:
        total = int(cur.execute(f"SELECT count(*) FROM ({sql})", params).fetchall()[0][0])
    for row in rows:
        del row["_total"]
    return total, rows


def checked(cur: Reader, table: str, column: str, name: str, value: str | None, hint: str) -> None:
    """UnknownValueError unless `value` (when given) occurs in `table.column`."""
    if value is not None and value not in cur.known(table, column):
        raise UnknownValueError(name, value, f"see {hint} for the known values")


def series_where(cur: Reader, filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """The WHERE clause over the series table for the given filters (None = any); UnknownValueError for a value
    that names nothing (a known skill without forecasts just matches no series)."""
    clauses, params = ["TRUE"], []
    for name, (column, table, known, hint) in SERIES_FILTERS.items():
        value = filters.get(name)
        if value is None:
            continue
        checked(cur, table, known, name.replace("_", " "), value, hint)
        clauses.append(f"{column} = ?")
        params.append(value)
    if filters.get("within") is not None:
        checked(cur, "regions", "code", "region", filters["within"], "/v1/regions")
        clauses.append("starts_with(region, ?)")
        params.append(filters["within"])
    return " AND ".join(clauses), params


def series_page(cur: Reader, filters: dict[str, Any], min_demand: float, order: str,
                limit: int, offset: int) -> tuple[int, Rows]:  # fmt: skip
    """Forecast series with their last observation, mean forecast (at least `min_demand`) and growth."""
    where, params = series_where(cur, filters)
    sql = f"SELECT {SERIES_COLUMNS} FROM series WHERE {where} AND demand >= ?"
    return page_of(cur, sql, [*params, min_demand], SERIES_ORDER[order], limit, offset)


def forecast_page(cur: Reader, filters: dict[str, Any], horizon: int | None, limit: int,
                  offset: int) -> tuple[int, Rows]:  # fmt: skip
    """Forecast steps with 80% and 95% intervals, one row per series and step."""
    where, params = series_where(cur, filters)
    sql = f"SELECT {FORECAST_COLUMNS} FROM forecasts WHERE {where} AND (? IS NULL OR step <= ?)"
    return page_of(cur, sql, [*params, horizon, horizon], "series_id, step", limit, offset)


def history_page(cur: Reader, series_id: str, limit: int, offset: int) -> tuple[int, Rows]:
    """The observed values of one forecast series."""
    checked(cur, "series", "series_id", "series id", series_id, "/v1/series")
    return page_of(cur, "SELECT series_id, ds, y FROM history WHERE series_id = ?", [series_id], "ds", limit, offset)


def backtest_page(cur: Reader, model_name: str | None, series_id: str | None, limit: int,
                  offset: int) -> tuple[int, Rows]:  # fmt: skip
    """The accuracy scorecard of each served model's backtest: pooled per candidate, or of one series."""
    checked(cur, "models", "model_name", "model", model_name, "/health (models)")
    if series_id is None:
        sql = ("SELECT model_name, model_version, run_id, model, mase, smape, rmsse, coverage_80, coverage_95, "
               "NULL::VARCHAR AS series_id FROM backtest_models WHERE (? IS NULL OR model_name = ?)")  # fmt: skip
        return page_of(cur, sql, [model_name, model_name], "model_name, mase NULLS LAST, model", limit, offset)
    checked(cur, "series", "series_id", "series id", series_id, "/v1/series")
    sql = ("SELECT r.model_name, r.model_version, s.run_id, s.model, s.mase, s.smape, s.rmsse, s.coverage_80, "
           "s.coverage_95, s.series_id FROM backtest_scores s JOIN backtest_runs r USING (run_id) "
           "WHERE s.series_id = ? AND (? IS NULL OR r.model_name = ?)")  # fmt: skip
    return page_of(cur, sql, [series_id, model_name, model_name], "mase NULLS LAST, model", limit, offset)


def health_of(cur: duckdb.DuckDBPyConnection, meta: dict[str, str]) -> dict[str, Any]:
    """Which snapshot is served, when it was published, the models behind it and the freshness of the inputs."""
    return {
        "status": "ok", "snapshot": meta["snapshot"], "published_at": meta["published_at"],
        "taxonomy_version": meta["taxonomy_version"],
        "models": rows_of(cur, "SELECT * FROM models ORDER BY model_name", []),
        "freshness": rows_of(cur, "SELECT * FROM freshness ORDER BY kind", []),
    }  # fmt: skip
