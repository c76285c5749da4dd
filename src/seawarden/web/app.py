"""The web application: API routers, security middleware, live hub, static UI, local API docs."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seawarden import __version__
from seawarden.db.engine import connect, database_url
from seawarden.ledger.platform import install as install_ledger
from seawarden.security.actor import Forbidden
from seawarden.settings import get_settings
from seawarden.web.deps import State
from seawarden.web.live import LiveHub
from seawarden.web.routes import (
    admin,
    auth,
    dangerous_goods,
    ledger,
    ledger_weighbridge,
    live,
    registry,
    supervision,
    vessels,
)

MAX_BODY = 1 << 20
"""Largest request body accepted (413 beyond)."""

STATIC = Path(str(resources.files("seawarden.web").joinpath("static")))

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def content_security_policy(tile_url: str | None) -> str:
    """The CSP, allowing the configured tile server's origin for images and fetches."""
    if not tile_url:
        return CSP
    from urllib.parse import urlsplit

    parts = urlsplit(tile_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return CSP.replace("img-src 'self'", f"img-src 'self' {origin}").replace(
        "connect-src 'self'", f"connect-src 'self' {origin}"
    )


class BodyLimit:
    """Refuse request bodies larger than a limit, declared or streamed (413)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count streamed bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await JSONResponse({"detail": "request body too large"}, 413)(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLargeError
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLargeError:
            await JSONResponse({"detail": "request body too large"}, 413)(scope, receive, send)


class _TooLargeError(Exception):
    pass


def create_app(
    data_dir: Path | str,
    url: str | None = None,
    secure_cookies: bool = True,
    live_hub: bool = True,
    extras: dict[str, Any] | None = None,
) -> FastAPI:
    """The FastAPI application for one data directory and database."""
    data_dir = Path(data_dir)
    engine = connect(database_url(data_dir, url))
    st = State(data_dir, engine, secure_cookies, dict(extras or {}))
    ledger_platform = install_ledger(engine, data_dir)  # signs dangerous-goods decisions
    st.extras["ledger"] = ledger_platform
    hub = LiveHub(data_dir, engine) if live_hub else None
    csp = content_security_policy(get_settings().web.tile_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if hub is not None:
            hub.start()
            st.extras["hub"] = hub
        ledger_platform.start()  # anchors the audit trail every SEAWARDEN_LEDGER__ANCHOR_EVERY_S
        yield
        ledger_platform.stop()
        if hub is not None:
            hub.stop()

    app = FastAPI(
        title="Seawarden",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        description="Smart port and maritime supervision platform API. Every route but "
        "/api/health and /api/auth/login needs a session cookie; writes need the "
        "X-CSRF-Token header.",
    )
    app.state.seawarden = st
    for r in (
        auth.router,
        vessels.router,
        supervision.router,
        admin.router,
        live.router,
        dangerous_goods.router,
        registry.router,
        ledger.router,
        ledger_weighbridge.router,
    ):
        app.include_router(r)

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id", "")
        request.state.request_id = rid if rid.isalnum() and len(rid) <= 64 else secrets.token_hex(8)
        response = await call_next(request)
        response.headers["x-request-id"] = request.state.request_id
        response.headers["content-security-policy"] = (
            csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
            if request.url.path == "/docs"
            else csp
        )
        response.headers["x-content-type-options"] = "nosniff"
        response.headers["x-frame-options"] = "DENY"
        response.headers["referrer-policy"] = "no-referrer"
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("cache-control", "no-store")
        return response

    app.add_middleware(BodyLimit)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, 403)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", [])), "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, 400)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Seawarden API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    return app
