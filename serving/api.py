"""The JSON API under /v1 and /health: thin routes over serving/lookups.py (the lists held in memory) and
serving/queries*.py (the others, in SQL). Every list pages (limit, offset) and downloads as CSV with
`format=csv`."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, TypeAdapter

from serving import lookups, queries, queries_catalog
from serving.params import documented, read_with
from serving.reader import Answer, Reader, answer_key
from serving.schemas import (
    BacktestForecastOut,
    BacktestForecastQuery,
    BacktestOut,
    BacktestQuery,
    BacktestStepOut,
    BacktestStepQuery,
    FeedQuery,
    ForecastFilters,
    ForecastOut,
    GapOut,
    GapQuery,
    HealthOut,
    HistoryOut,
    HistoryQuery,
    ListOut,
    Page,
    Paging,
    PriorityOut,
    PriorityQuery,
    RegionOut,
    RegionQuery,
    SectorOut,
    SeriesFilters,
    SeriesOut,
    SkillOut,
    SkillQuery,
)
from serving.security import api_key_checked
from serving.snapshots import Snapshot, SnapshotStore
from serving.tables import Found, Table, csv_text

router = APIRouter()


async def on_snapshot(request: Request, read: Callable[[Reader], Any]) -> Any:
    """`read(cursor)` on the current snapshot, in the threadpool (DuckDB blocks)."""
    store: SnapshotStore = request.app.state.store

    def run() -> Any:
        with store.cursor() as (cur, _):
            return read(cur)

    return await run_in_threadpool(run)


@cache
def _pages(model: type[BaseModel]) -> TypeAdapter[Any]:
    return TypeAdapter(Page[model])  # type: ignore[valid-type]


async def listed(request: Request, paging: Paging, name: str, model: type[BaseModel],
                 page: Callable[[Reader], tuple[int, list[Any]]]) -> Response:  # fmt: skip
    """A JSON page of `page`'s rows on the current snapshot (validated by `Page[model]`), or CSV when asked, its
    query run in the threadpool. The encoded answer is kept in the snapshot's cache, from which serving/cached.py
    answers the same request again."""
    store: SnapshotStore = request.app.state.store
    key = answer_key(request.url.path, request.scope["query_string"].decode("latin-1"))

    def encoded() -> Answer:
        with store.cursor() as (cur, snapshot):
            total, rows = page(cur)
            if paging.format == "csv":
                answer: Answer = (csv_text(rows, list(model.model_fields)), "text/csv; charset=utf-8",
                                  {"Content-Disposition": f'attachment; filename="moocast-{name}.csv"'})  # fmt: skip
            else:
                content = {"total": total, "limit": paging.limit, "offset": paging.offset, "items": rows}
                answer = (_pages(model).dump_json(_pages(model).validate_python(content)), "application/json", {})
            snapshot.cache.put(key, answer)
            return answer

    body, media_type, headers = await run_in_threadpool(encoded)
    return Response(body, media_type=media_type, headers=headers)


def answered(table: Table, found: Found, paging: Paging, name: str) -> Response:
    """A page of the `found` rows of a table in memory, JSON (rows encoded when the snapshot was opened, their
    columns checked against the response model) or CSV: no query, no threadpool, on the event loop."""
    if paging.format == "csv":
        return Response(table.csv(found, paging.limit, paging.offset), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="moocast-{name}.csv"'})  # fmt: skip
    return Response(table.page(found, paging.limit, paging.offset), media_type="application/json")


def snapshot_of(request: Request) -> Snapshot:
    store: SnapshotStore = request.app.state.store
    return store.current()


@router.get("/health", response_model=HealthOut, tags=["service"])
async def health(request: Request) -> Any:
    """The service is up; which results snapshot it serves, the forecast models' versions and how fresh the
    ingested inputs are."""
    store: SnapshotStore = request.app.state.store
    return store.current().health


@router.get("/v1/series", response_model=Page[SeriesOut], tags=["forecasts"], openapi_extra=documented(SeriesFilters))
async def series(request: Request, f: Annotated[SeriesFilters, Depends(read_with(SeriesFilters))]) -> Response:
    """Forecast series (region x sector x skill or skill group) with the last observation, the mean forecast
    over the horizon with its 80% interval, and growth; `order=growth` lists the fastest-growing first."""
    snapshot = snapshot_of(request)
    filters = f.model_dump(include={"region", "within", "region_level", "sector", "skill", "skill_group", "level",
                                    "source"})  # fmt: skip
    found = lookups.series_found(snapshot.tables, snapshot.vocabularies, filters, f.min_demand, f.order)
    return answered(snapshot.tables.series, found, f, "series")


@router.get("/v1/forecasts", response_model=Page[ForecastOut], tags=["forecasts"],
            openapi_extra=documented(ForecastFilters))  # fmt: skip
async def forecasts(request: Request, f: Annotated[ForecastFilters, Depends(read_with(ForecastFilters))]) -> Response:
    """Forecast steps with 80% and 95% intervals, filtered by region, sector, skill, skill group, level, source,
    series and horizon (the first N steps)."""
    snapshot = snapshot_of(request)
    filters = f.model_dump(include={"region", "sector", "skill", "skill_group", "level", "source", "series_id"})
    found = lookups.forecasts_found(snapshot.tables, snapshot.vocabularies, filters, f.horizon)
    return answered(snapshot.tables.forecasts, found, f, "forecasts")


@router.get("/v1/history", response_model=Page[HistoryOut], tags=["forecasts"], openapi_extra=documented(HistoryQuery))
async def history(request: Request, f: Annotated[HistoryQuery, Depends(read_with(HistoryQuery))]) -> Response:
    """The observed values of one forecast series."""
    snapshot = snapshot_of(request)
    found = lookups.history_found(snapshot.tables, snapshot.vocabularies, f.series_id)
    return answered(snapshot.tables.history, found, f, "history")


@router.get("/v1/backtests", response_model=Page[BacktestOut], tags=["forecasts"])
async def backtests(request: Request, f: Annotated[BacktestQuery, Query()]) -> Any:
    """The accuracy scorecard: MASE, sMAPE, RMSSE and interval coverage of every candidate in the backtest
    that chose the served models (rolling origin, scored windows only); per series with `series_id`."""
    return await listed(request, f, "backtests", BacktestOut,
                  lambda cur: queries.backtest_page(cur, f.model_name, f.series_id, f.limit, f.offset))  # fmt: skip


@router.get("/v1/backtests/steps", response_model=Page[BacktestStepOut], tags=["forecasts"])
async def backtest_steps(request: Request, f: Annotated[BacktestStepQuery, Query()]) -> Any:
    """Accuracy by horizon: each candidate's MASE and interval coverage at each step ahead in the backtest that
    chose the served models (empty for a model version whose backtest predates it)."""
    return await listed(request, f, "backtest-steps", BacktestStepOut,
                  lambda cur: queries.backtest_step_page(cur, f.model_name, f.model, f.limit, f.offset))  # fmt: skip


@router.get("/v1/backtests/forecasts", response_model=Page[BacktestForecastOut], tags=["forecasts"])
async def backtest_forecasts(request: Request, f: Annotated[BacktestForecastQuery, Query()]) -> Any:
    """A series' past forecasts: what the served model said in each scored backtest window (from the data before
    it), with its 80% and 95% intervals, beside what happened."""
    return await listed(request, f, "backtest-forecasts", BacktestForecastOut,
                  lambda cur: queries.backtest_forecast_page(cur, f.series_id, f.limit, f.offset))  # fmt: skip


@router.get("/v1/regions", response_model=Page[RegionOut], tags=["lists"])
async def regions(request: Request, f: Annotated[RegionQuery, Query()]) -> Any:
    """Regions with forecasts, with their names and levels."""
    return await listed(request, f, "regions", RegionOut,
                  lambda cur: queries_catalog.region_page(cur, f.level, f.q, f.limit, f.offset))  # fmt: skip


@router.get("/v1/sectors", response_model=Page[SectorOut], tags=["lists"])
async def sectors(request: Request, f: Annotated[Paging, Query()]) -> Any:
    """Sectors with forecasts (NACE sections; ALL = every sector)."""
    return await listed(
        request, f, "sectors", SectorOut, lambda cur: queries_catalog.sector_page(cur, f.limit, f.offset)
    )


@router.get("/v1/skills", response_model=Page[SkillOut], tags=["lists"])
async def skills(request: Request, f: Annotated[SkillQuery, Query()]) -> Any:
    """Search ESCO skills and skill groups by any of their labels (preferred, alternative, hidden) in every
    loaded language; those with forecast series first."""
    return await listed(request, f, "skills", SkillOut,
                  lambda cur: queries_catalog.skill_page(cur, f.q, f.lang, f.kind, f.limit, f.offset))  # fmt: skip


@router.get("/v1/priorities", response_model=Page[PriorityOut], tags=["priorities"],
            openapi_extra=documented(PriorityQuery))  # fmt: skip
async def priorities(request: Request, f: Annotated[PriorityQuery, Depends(read_with(PriorityQuery))]) -> Response:
    """Course topics to produce next, in rank order, with the score's components (see `moocast priorities`)."""
    snapshot = snapshot_of(request)
    found = lookups.priorities_found(snapshot.tables, f.provider, f.language, f.region, f.level)
    return answered(snapshot.tables.priorities, found, Paging(limit=f.top, offset=f.offset, format=f.format),
                    "priorities")  # fmt: skip


@router.get("/v1/priorities/lists", response_model=Page[ListOut], tags=["priorities"])
async def priority_lists(request: Request, f: Annotated[Paging, Query()]) -> Any:
    """The published ranked lists (provider, language, region) and their lengths."""
    return await listed(request, f, "priority-lists", ListOut,
                        lambda cur: queries_catalog.priority_list_page(cur, f.limit, f.offset))  # fmt: skip


@router.get("/v1/gaps", response_model=Page[GapOut], tags=["priorities"])
async def gaps(request: Request, f: Annotated[GapQuery, Query()]) -> Any:
    """Forecast demand that the catalogues do not cover, per skill or per skill group and district."""
    return await listed(request, f, "gaps", GapOut,
                  lambda cur: queries_catalog.gap_page(cur, f.provider, f.kind, f.uri, f.region, f.order, f.limit,
                                                       f.offset))  # fmt: skip


@router.get("/v1/feeds/priorities", tags=["provider feeds"], dependencies=[Depends(api_key_checked)])
async def priority_feed(request: Request, f: Annotated[FeedQuery, Query()]) -> Any:
    """A provider's feed (API key): its ranked list with every entry in full: skills with ESCO URIs, demand by
    region and sector, occupations, the closest existing courses and the explanation."""
    total, entries = await on_snapshot(
        request, lambda cur: queries_catalog.priority_feed(cur, f.provider, f.language, f.region, f.top, f.offset)
    )
    return {"total": total, "limit": f.top, "offset": f.offset, "items": entries}
