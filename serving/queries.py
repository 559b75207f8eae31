"""The SQL the API runs on a published snapshot (pipelines/publish.py): parameterized, one function per result.
List functions return (total matching rows, one page of rows as dicts); unknown filter values raise
UnknownValueError naming where the known ones are listed."""

from __future__ import annotations

from typing import Any

import duckdb

from serving.reader import Reader, Vocabularies

Rows = list[dict[str, Any]]

# filter name -> (column of the series and forecasts tables, the table and column of its known values, where
# they are listed)
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


def checked(cur: Reader | Vocabularies, table: str, column: str, name: str, value: str | None, hint: str) -> None:
    """UnknownValueError unless `value` (when given) occurs in `table.column`."""
    if value is not None and value not in cur.known(table, column):
        raise UnknownValueError(name, value, f"see {hint} for the known values")


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


def backtest_step_page(cur: Reader, model_name: str | None, model: str | None, limit: int,
                       offset: int) -> tuple[int, Rows]:  # fmt: skip
    """How each served model's backtest candidates score at each step ahead (pooled over series and windows)."""
    checked(cur, "models", "model_name", "model", model_name, "/health (models)")
    checked(cur, "backtest_steps", "model", "candidate", model, "/v1/backtests")
    sql = ("SELECT model_name, model_version, run_id, model, step, mase, coverage_80, coverage_95 FROM backtest_steps "
           "WHERE (? IS NULL OR model_name = ?) AND (? IS NULL OR model = ?)")  # fmt: skip
    return page_of(cur, sql, [model_name, model_name, model, model], "model_name, model, step", limit, offset)


def backtest_forecast_page(cur: Reader, series_id: str, limit: int, offset: int) -> tuple[int, Rows]:
    """What the served model's backtest forecast for a series in each scored window, with what happened."""
    checked(cur, "series", "series_id", "series id", series_id, "/v1/series")
    sql = (
        "SELECT r.model_name, r.model_version, f.run_id, f.series_id, f.step, f.ds, f.y, f.yhat, f.lo_80, f.hi_80, "
        "f.lo_95, f.hi_95 FROM backtest_forecasts f JOIN backtest_runs r USING (run_id) WHERE f.series_id = ?"
    )
    return page_of(cur, sql, [series_id], "ds", limit, offset)


def health_of(cur: duckdb.DuckDBPyConnection, meta: dict[str, str]) -> dict[str, Any]:
    """Which snapshot is served, when it was published, the models behind it and the freshness of the inputs."""
    return {
        "status": "ok", "snapshot": meta["snapshot"], "published_at": meta["published_at"],
        "taxonomy_version": meta["taxonomy_version"],
        "models": rows_of(cur, "SELECT * FROM models ORDER BY model_name", []),
        "freshness": rows_of(cur, "SELECT * FROM freshness ORDER BY kind", []),
    }  # fmt: skip
