"""Health check, and the built web console served at /ui/ with deep links kept."""

from pathlib import Path

import anyio
from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

router = APIRouter()

NOT_BUILT = """<!doctype html><title>Incident Console</title>
<p>The web console is not built yet: run <code>make install</code> (or
<code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>). The API is up: see
<a href="/docs">/docs</a>.</p>"""


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def mount_console(app: FastAPI, dist: Path) -> None:
    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    dist = dist.resolve()
    assets = dist / "assets"
    if assets.is_dir():
        app.mount("/ui/assets", StaticFiles(directory=assets), name="console-assets")

    @app.get("/ui", include_in_schema=False, response_model=None)
    @app.get("/ui/{path:path}", include_in_schema=False, response_model=None)
    async def console(path: str = "") -> FileResponse | HTMLResponse:
        candidate = (dist / path).resolve()
        if path and candidate.is_relative_to(dist) and await anyio.Path(candidate).is_file():
            return FileResponse(candidate)
        index = dist / "index.html"
        if await anyio.Path(index).is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(NOT_BUILT, status_code=503)
