"""The lists the API answers from memory: each snapshot's forecasts, series, history and priorities, read once
when the snapshot is opened (serving/tables.py). Filter values are checked against the snapshot's vocabularies
as the SQL queries' are (404 for a value that names nothing); the lookups return the matching rows' positions
in the order they are listed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np

from serving.queries import SERIES_FILTERS, checked
from serving.queries_catalog import priority_lists, unknown_list
from serving.reader import Vocabularies
from serving.schemas import ForecastOut, HistoryOut, PriorityOut, SeriesOut
from serving.tables import Found, Table, ordered, ranks

FILTER_KEYS = tuple(column for column, *_ in SERIES_FILTERS.values())
PRIORITY_LIST = ("provider", "language_filter", "region_filter")


@dataclass(frozen=True)
class InMemory:
    """One snapshot's tables in memory (never changed: the snapshot is immutable)."""

    forecasts: Table  # by series and step
    series: Table  # by series
    series_ranks: dict[str, np.ndarray[Any, np.dtype[np.int64]]]  # each `order` but series_id: every row's place
    history: Table  # by series and period
    priorities: Table  # by list and rank
    lists: list[tuple[str, str, str]]  # the published priority lists, as /v1/priorities/lists orders them


def in_memory(con: duckdb.DuckDBPyConnection) -> InMemory:
    """Read and index a snapshot's listed tables (a few seconds on the real data, ~150 MB)."""
    forecasts = con.sql("SELECT * FROM forecasts ORDER BY series_id, step").pl()
    series = con.sql("SELECT * FROM series ORDER BY series_id").pl()
    priorities = con.sql("SELECT * FROM priorities ORDER BY provider, language_filter, region_filter, rank").pl()
    return InMemory(
        forecasts=Table(forecasts, ForecastOut, FILTER_KEYS, ("step",)),
        series=Table(series, SeriesOut, FILTER_KEYS, ("demand",)),
        series_ranks={order: ranks(series, [order, "series_id"], [True, False]) for order in ("growth", "demand")},
        history=Table(con.sql("SELECT * FROM history ORDER BY series_id, ds").pl(), HistoryOut, ("series_id",)),
        priorities=Table(priorities, PriorityOut, (*PRIORITY_LIST, "level")),
        lists=[(r["provider"], r["language_filter"], r["region_filter"]) for r in priority_lists(con)],
    )


def vocabularies_read(vocabularies: Vocabularies) -> None:
    """Read every vocabulary the lookups check values against, so they never query the snapshot again."""
    for _, table, column, _ in SERIES_FILTERS.values():
        vocabularies.known(table, column)
    vocabularies.known("regions", "code")


def equalities(vocabularies: Vocabularies, filters: dict[str, Any]) -> dict[str, str]:
    """The columns and values of the given series filters (None = any); UnknownValueError for a value that names
    nothing (a known skill without forecasts just matches no series)."""
    equal = {}
    for name, (column, table, known, hint) in SERIES_FILTERS.items():
        value = filters.get(name)
        if value is not None:
            checked(vocabularies, table, known, name.replace("_", " "), value, hint)
            equal[column] = value
    return equal


def forecasts_found(tables: InMemory, vocabularies: Vocabularies, filters: dict[str, Any],
                    horizon: int | None) -> Found:  # fmt: skip
    """Forecast steps of the matching series (the first `horizon` steps of each when given)."""
    found = tables.forecasts.matching(equalities(vocabularies, filters))
    if horizon is not None:
        found = found[tables.forecasts.numbers["step"][found] <= horizon]
    return found


def series_found(tables: InMemory, vocabularies: Vocabularies, filters: dict[str, Any], min_demand: float,
                 order: str) -> Found:  # fmt: skip
    """Matching series (regions `within` a code prefix when given) with a mean forecast of at least
    `min_demand`, in `order` (growth or demand descending, or series_id)."""
    found = tables.series.matching(equalities(vocabularies, filters))
    if filters.get("within") is not None:
        checked(vocabularies, "regions", "code", "region", filters["within"], "/v1/regions")
        found = tables.series.with_prefix(found, "region", filters["within"])
    found = found[tables.series.numbers["demand"][found] >= min_demand]
    return found if order == "series_id" else ordered(found, tables.series_ranks[order])


def history_found(tables: InMemory, vocabularies: Vocabularies, series_id: str) -> Found:
    """The observed periods of one series."""
    checked(vocabularies, "series", "series_id", "series id", series_id, "/v1/series")
    return tables.history.matching({"series_id": series_id})


def priorities_found(tables: InMemory, provider: str, language: str, region: str, level: str | None) -> Found:
    """One published ranked list (rank order), of one course level when given."""
    if (provider, language, region) not in tables.lists:
        raise unknown_list(provider, language, region, tables.lists)
    equal = dict(zip(PRIORITY_LIST, (provider, language, region), strict=True))
    return tables.priorities.matching(equal if level is None else {**equal, "level": level})
