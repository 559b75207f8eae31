"""The planners' dashboard: server-rendered page shells (Jinja2) whose scripts read the JSON API; charts with
plotly.js served from the installed plotly package, so the pages work offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PAGES = {"/": ("overview", "Overview"), "/regions": ("regions", "Regions"), "/skills": ("skills", "Skills"),
         "/priorities": ("priorities", "Priorities")}  # fmt: skip
templates = Jinja2Templates(directory=HERE / "templates")


def mount(app: FastAPI) -> None:
    """Add the pages, /static (the dashboard's own scripts and styles) and /vendor/plotly.min.js."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    for path, (page, title) in PAGES.items():
        app.add_api_route(path, _page(page, title), methods=["GET"], response_class=HTMLResponse,
                          include_in_schema=False)  # fmt: skip


def _page(page: str, title: str) -> Callable[[Request], HTMLResponse]:
    def render(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, f"{page}.html", {"page": page, "title": title, "pages": PAGES})

    render.__name__ = f"page_{page}"
    return render
