"""Queries for the lists beside the forecasts: regions, sectors, skill search, priorities, gaps, provider feeds."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from serving.queries import Rows, UnknownValueError, checked, page_of, rows_of
from serving.reader import Reader

GAP_COLUMNS = (
    "provider, kind, uri, label, language, region, region_label, sector, demand, demand_lo_80, demand_hi_80, "
    "growth, momentum, need, entry_share, uncovered, score"
)


def region_page(cur: Reader, level: str | None, q: str | None, limit: int,
                offset: int) -> tuple[int, Rows]:  # fmt: skip
    """Regions with forecast series, optionally of one level (district, state, country, ...) or matching `q`."""
    checked(cur, "regions", "level", "region level", level, "/v1/regions (field level)")
    sql = ("SELECT code, label, level, series FROM regions WHERE (? IS NULL OR level = ?) AND (? IS NULL OR "
           "code = ? OR label ILIKE '%' || ? || '%')")  # fmt: skip
    return page_of(cur, sql, [level, level, q, q, q], "level, code", limit, offset)


def sector_page(cur: Reader, limit: int, offset: int) -> tuple[int, Rows]:
    return page_of(cur, "SELECT code, label, series FROM sectors", [], "code", limit, offset)


def skill_page(cur: Reader, q: str, lang: str | None, kind: str | None, limit: int,
               offset: int) -> tuple[int, Rows]:  # fmt: skip
    """Skills and skill groups with a label (preferred, alternative or hidden, in any loaded language) containing
    `q`, case-insensitively; one row per concept (its best-matching label), those with forecasts first."""
    checked(cur, "labels", "lang", "language", lang, "the languages ESCO was loaded in (e.g. en, fr)")
    sql = (
        "SELECT l.uri, l.kind, c.label, l.label AS matched, l.lang, l.label_type, c.series FROM labels l "
        "JOIN concepts c USING (uri, kind) WHERE contains(l.folded, lower(?)) AND (? IS NULL OR l.lang = ?) "
        "AND (? IS NULL OR l.kind = ?) QUALIFY row_number() OVER (PARTITION BY l.uri ORDER BY "
        "l.folded = lower(?) DESC, l.label_type = 'preferred' DESC, length(l.label), l.lang, l.label) = 1"
    )
    return page_of(cur, sql, [q, lang, lang, kind, kind, q], "series > 0 DESC, length(matched), label, uri", limit,
                   offset)  # fmt: skip


def priority_lists(cur: Reader | duckdb.DuckDBPyConnection) -> Rows:
    """The published ranked lists: provider, language and region filter, length."""
    return rows_of(cur, "SELECT * FROM (SELECT provider, language_filter, region_filter, count(*) AS topics FROM "
                        "priorities GROUP BY ALL) ORDER BY provider = 'ALL' DESC, provider, language_filter, "
                        "region_filter", [])  # fmt: skip


def priority_list_page(cur: Reader, limit: int, offset: int) -> tuple[int, Rows]:
    """One page of the published ranked lists, the list for all providers first."""
    lists = priority_lists(cur)
    return len(lists), lists[offset : offset + limit]


def unknown_list(provider: str, language: str, region: str, lists: list[tuple[str, str, str]]) -> UnknownValueError:
    """The error for a ranked list that was not published, naming those that were."""
    known = "; ".join(f"provider={p} language={lang} region={r}" for p, lang, r in lists)
    return UnknownValueError("priority list", f"provider={provider} language={language} region={region}",
                             f"the published lists are: {known} (`moocast priorities` makes others)")  # fmt: skip


def _checked_list(cur: Reader, provider: str, language: str, region: str) -> None:
    if not cur.execute("SELECT 1 FROM priorities WHERE provider = ? AND language_filter = ? AND region_filter = ? "
                       "LIMIT 1", [provider, language, region]).fetchall():  # fmt: skip
        lists = [(r["provider"], r["language_filter"], r["region_filter"]) for r in priority_lists(cur)]
        raise unknown_list(provider, language, region, lists)


def priority_feed(cur: Reader, provider: str, language: str, region: str, limit: int,
                  offset: int) -> tuple[int, list[Any]]:  # fmt: skip
    """A provider's ranked list with every entry in full (skills, occupations, regions, closest courses,
    explanation), as `moocast priorities --json` prints it."""
    _checked_list(cur, provider, language, region)
    total, rows = page_of(cur, "SELECT rank, entry_json FROM priority_entries WHERE provider = ? AND "
                          "language_filter = ? AND region_filter = ?", [provider, language, region], "rank", limit,
                          offset)  # fmt: skip
    return total, [json.loads(row["entry_json"]) for row in rows]


def gap_page(cur: Reader, provider: str, kind: str, uri: str | None, region: str | None,
             order: str, limit: int, offset: int) -> tuple[int, Rows]:  # fmt: skip
    """Gaps between forecast demand and the catalogue of `provider` (ALL = every one) per skill (national) or per
    skill group and district; `region` = a district code or a state prefix (two digits)."""
    checked(cur, "gaps", "provider", "provider", provider, "/v1/priorities/lists")
    checked(cur, "concepts", "uri", "skill or skill group", uri, "/v1/skills")
    checked(cur, "regions", "code", "region", region, "/v1/regions")
    sql = (f"SELECT {GAP_COLUMNS} FROM gaps WHERE provider = ? AND kind = ? AND language_filter = 'ALL' AND "
           "region_filter = 'ALL' AND (? IS NULL OR uri = ?) AND (? IS NULL OR region = ? OR "
           "(length(?) = 2 AND left(region, 2) = ?))")  # fmt: skip
    orders = {"score": "score DESC, uri, region", "demand": "demand DESC, uri, region",
              "growth": "growth DESC NULLS LAST, uri, region"}  # fmt: skip
    return page_of(cur, sql, [provider, kind, uri, uri, region, region, region, region], orders[order], limit,
                   offset)  # fmt: skip
