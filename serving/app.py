"""The moocast service: the JSON API (/v1, /health, OpenAPI at /docs) and the planners' dashboard, on the
published results snapshot (never the warehouse)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from pipelines.publish import CURRENT
from pipelines.settings import Settings
from serving import admin, api, dashboard
from serving.cached import CachedAnswers
from serving.queries import UnknownValueError
from serving.snapshots import NoSnapshotError, SnapshotStore


def create_app(settings: Settings, check_seconds: float = 1.0) -> FastAPI:
    """The ASGI app; `check_seconds` = how often a request looks for a newer snapshot."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if (settings.serving_dir / CURRENT).is_symlink():
            store.current()  # opened before the server listens (its tables take seconds to read)
        yield
        store.close()

    app = FastAPI(
        title="moocast",
        summary="Skills-demand forecasts and the MOOCs to produce next",
        description="Forecasts with intervals, backtest accuracy, course-topic priorities and gaps, read from the "
        "results `moocast publish` precomputed. Lists page with `limit`/`offset` and download as CSV with "
        "`format=csv`. Provider feeds and admin actions need the X-API-Key header.",
        version="1",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store = SnapshotStore(settings.serving_dir, check_seconds, settings.serving_cache_mb * 2**20)
    app.add_middleware(CachedAnswers, store=store)
    app.state.retrain = None

    @app.exception_handler(UnknownValueError)
    async def unknown_value(request: Request, error: UnknownValueError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=404)

    @app.exception_handler(NoSnapshotError)
    async def no_snapshot(request: Request, error: NoSnapshotError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=503)

    app.include_router(api.router)
    app.include_router(admin.router)
    dashboard.mount(app)
    return app
