"""The JSON API under /v1 and /health: thin routes over serving/queries*.py. Every list pages (limit, offset)
and downloads as CSV with `format=csv`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

import duckdb
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from serving import queries, queries_catalog
from serving.schemas import (
    MAX_LIMIT,
    BacktestOut,
    ForecastFilters,
    ForecastOut,
    GapOut,
    HealthOut,
    HistoryOut,
    Page,
    Paging,
    PriorityOut,
    RegionOut,
    SectorOut,
    SeriesFilters,
    SeriesOut,
    SkillOut,
)
from serving.security import api_key_checked
from serving.snapshots import Snapshot, SnapshotStore

router = APIRouter()


@contextmanager
def snapshot_cursor(request: Request) -> Iterator[tuple[duckdb.DuckDBPyConnection, Snapshot]]:
    store: SnapshotStore = request.app.state.store
    with store.cursor() as opened:
        yield opened


def listed(request: Request, paging: Paging, name: str, model: type[BaseModel],
           page: Callable[[duckdb.DuckDBPyConnection], tuple[int, list[Any]]]) -> Any:  # fmt: skip
    """Run `page` on a cursor of the current snapshot; a JSON page, or CSV when asked."""
    with snapshot_cursor(request) as (cur, _):
        total, rows = page(cur)
    if paging.format == "csv":
        return csv_response(rows, list(model.model_fields), name)
    return {"total": total, "limit": paging.limit, "offset": paging.offset, "items": rows}


def csv_response(rows: list[dict[str, Any]], columns: list[str], name: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="moocast-{name}.csv"'})  # fmt: skip


@router.get("/health", response_model=HealthOut, tags=["service"])
def health(request: Request) -> Any:
    """The service is up; which results snapshot it serves, the forecast models' versions and how fresh the
    ingested inputs are."""
    with snapshot_cursor(request) as (_, snapshot):
        return snapshot.health


@router.get("/v1/series", response_model=Page[SeriesOut], tags=["forecasts"])
def series(request: Request, f: Annotated[SeriesFilters, Query()]) -> Any:
    """Forecast series (region x sector x skill or skill group) with the last observation, the mean forecast
    over the horizon with its 80% interval, and growth; `order=growth` lists the fastest-growing first."""
    filters = f.model_dump(include={"region", "within", "region_level", "sector", "skill", "skill_group", "level",
                                    "source"})  # fmt: skip
    return listed(request, f, "series", SeriesOut,
                  lambda cur: queries.series_page(cur, filters, f.min_demand, f.order, f.limit, f.offset))  # fmt: skip


@router.get("/v1/forecasts", response_model=Page[ForecastOut], tags=["forecasts"])
def forecasts(request: Request, f: Annotated[ForecastFilters, Query()]) -> Any:
    """Forecast steps with 80% and 95% intervals, filtered by region, sector, skill, skill group, level, source,
    series and horizon (the first N steps)."""
    filters = f.model_dump(include={"region", "sector", "skill", "skill_group", "level", "source", "series_id"})
    return listed(request, f, "forecasts", ForecastOut,
                  lambda cur: queries.forecast_page(cur, filters, f.horizon, f.limit, f.offset))  # fmt: skip


class HistoryQuery(Paging):
    series_id: str = Field(max_length=300, description="A series of /v1/series")


@router.get("/v1/history", response_model=Page[HistoryOut], tags=["forecasts"])
def history(request: Request, f: Annotated[HistoryQuery, Query()]) -> Any:
    """The observed values of one forecast series."""
    return listed(request, f, "history", HistoryOut,
                  lambda cur: queries.history_page(cur, f.series_id, f.limit, f.offset))  # fmt: skip


class BacktestQuery(Paging):
    model_name: str | None = Field(None, max_length=100, description="A served model, e.g. moocast-ba")
    series_id: str | None = Field(None, max_length=300, description="Scores of this series only")


@router.get("/v1/backtests", response_model=Page[BacktestOut], tags=["forecasts"])
def backtests(request: Request, f: Annotated[BacktestQuery, Query()]) -> Any:
    """The accuracy scorecard: MASE, sMAPE, RMSSE and interval coverage of every candidate in the backtest
    that chose the served models (rolling origin, scored windows only); per series with `series_id`."""
    return listed(request, f, "backtests", BacktestOut,
                  lambda cur: queries.backtest_page(cur, f.model_name, f.series_id, f.limit, f.offset))  # fmt: skip


class RegionQuery(Paging):
    level: str | None = Field(None, max_length=30, description="district, state, country, ...")
    q: str | None = Field(None, min_length=1, max_length=100, description="Code, or part of the name")


@router.get("/v1/regions", response_model=Page[RegionOut], tags=["lists"])
def regions(request: Request, f: Annotated[RegionQuery, Query()]) -> Any:
    """Regions with forecasts, with their names and levels."""
    return listed(request, f, "regions", RegionOut,
                  lambda cur: queries_catalog.region_page(cur, f.level, f.q, f.limit, f.offset))  # fmt: skip


@router.get("/v1/sectors", response_model=Page[SectorOut], tags=["lists"])
def sectors(request: Request, f: Annotated[Paging, Query()]) -> Any:
    """Sectors with forecasts (NACE sections; ALL = every sector)."""
    return listed(request, f, "sectors", SectorOut, lambda cur: queries_catalog.sector_page(cur, f.limit, f.offset))


class SkillQuery(Paging):
    q: str = Field(min_length=2, max_length=100, description="Part of a label, in any loaded language")
    lang: str | None = Field(None, min_length=2, max_length=3, description="Only labels in this language")
    kind: Literal["skill", "skill_group"] | None = None


@router.get("/v1/skills", response_model=Page[SkillOut], tags=["lists"])
def skills(request: Request, f: Annotated[SkillQuery, Query()]) -> Any:
    """Search ESCO skills and skill groups by any of their labels (preferred, alternative, hidden) in every
    loaded language; those with forecast series first."""
    return listed(request, f, "skills", SkillOut,
                  lambda cur: queries_catalog.skill_page(cur, f.q, f.lang, f.kind, f.limit, f.offset))  # fmt: skip


class PriorityQuery(BaseModel):
    provider: str = Field("ALL", max_length=50, description="Whose catalogue counts as coverage; ALL = every one")
    language: str = Field("ALL", max_length=10, description="A list ranked for one language (ALL = any)")
    region: str = Field("ALL", max_length=50, description="A list ranked for one region (ALL = every one)")
    level: Literal["introductory", "intermediate", "advanced"] | None = None
    top: int = Field(20, ge=1, le=MAX_LIMIT, description="How many topics")
    offset: int = Field(0, ge=0, le=1_000_000)
    format: Literal["json", "csv"] = "json"


@router.get("/v1/priorities", response_model=Page[PriorityOut], tags=["priorities"])
def priorities(request: Request, f: Annotated[PriorityQuery, Query()]) -> Any:
    """Course topics to produce next, in rank order, with the score's components (see `moocast priorities`)."""
    paging = Paging(limit=f.top, offset=f.offset, format=f.format)
    return listed(request, paging, "priorities", PriorityOut,
                  lambda cur: queries_catalog.priority_page(cur, f.provider, f.language, f.region, f.level, f.top,
                                                            f.offset))  # fmt: skip


class ListOut(BaseModel):
    provider: str
    language_filter: str
    region_filter: str
    topics: int


@router.get("/v1/priorities/lists", response_model=list[ListOut], tags=["priorities"])
def priority_lists(request: Request) -> Any:
    """The published ranked lists (provider, language, region)."""
    with snapshot_cursor(request) as (cur, _):
        return queries_catalog.priority_lists(cur)


class GapQuery(Paging):
    provider: str = Field("ALL", max_length=50)
    kind: Literal["skill", "skill_group"] = Field("skill", description="skill: national; skill_group: by district")
    uri: str | None = Field(None, max_length=200, description="One skill or skill group")
    region: str | None = Field(None, max_length=50, description="A district code or a state prefix (09)")
    order: Literal["score", "demand", "growth"] = "score"


@router.get("/v1/gaps", response_model=Page[GapOut], tags=["priorities"])
def gaps(request: Request, f: Annotated[GapQuery, Query()]) -> Any:
    """Forecast demand that the catalogues do not cover, per skill or per skill group and district."""
    return listed(request, f, "gaps", GapOut,
                  lambda cur: queries_catalog.gap_page(cur, f.provider, f.kind, f.uri, f.region, f.order, f.limit,
                                                       f.offset))  # fmt: skip


class FeedQuery(BaseModel):
    provider: str = Field(max_length=50, description="The provider, or ALL")
    language: str = Field("ALL", max_length=10)
    region: str = Field("ALL", max_length=50)
    top: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("/v1/feeds/priorities", tags=["provider feeds"], dependencies=[Depends(api_key_checked)])
def priority_feed(request: Request, f: Annotated[FeedQuery, Query()]) -> Any:
    """A provider's feed (API key): its ranked list with every entry in full: skills with ESCO URIs, demand by
    region and sector, occupations, the closest existing courses and the explanation."""
    with snapshot_cursor(request) as (cur, _):
        total, entries = queries_catalog.priority_feed(cur, f.provider, f.language, f.region, f.top, f.offset)
    return {"total": total, "limit": f.top, "offset": f.offset, "items": entries}
