"""The web application: API routers, security middleware, live hub, static UI, local API docs."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seawarden import __version__
from seawarden.db.engine import connect, database_url
from seawarden.ledger.platform import install as install_ledger
from seawarden.security.actor import Forbidden
from seawarden.settings import get_settings
from seawarden.web.deps import State
from seawarden.web.live import LiveHub
from seawarden.web.query_pool import QueryPool, default_workers
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


class SecurityHeaders:
    """A request id for every request, and the security headers on every response.

    The id comes from a well-formed ``X-Request-ID`` header or is made up; it is kept in
    ``request.state.request_id`` (for the audit trail) and echoed in the response.
    """

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.csp = csp.encode()
        self.docs_csp = csp.replace(
            "script-src 'self'", "script-src 'self' 'unsafe-inline'"
        ).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Tag the request, then add the headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = ""
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                rid = value.decode("latin-1")
                break
        if not (rid.isascii() and rid.isalnum() and len(rid) <= 64):
            rid = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = rid
        path: str = scope.get("path", "")
        csp = self.docs_csp if path == "/docs" else self.csp
        api = path.startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k not in _SECURITY_HEADER_NAMES
                ]
                if api and not any(k == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                headers += [
                    (b"x-request-id", rid.encode()),
                    (b"content-security-policy", csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_SECURITY_HEADER_NAMES = frozenset(
    {
        b"x-request-id",
        b"content-security-policy",
        b"x-content-type-options",
        b"x-frame-options",
        b"referrer-policy",
    }
)


def create_app(
    data_dir: Path | str,
    url: str | None = None,
    secure_cookies: bool = True,
    live_hub: bool = True,
    extras: dict[str, Any] | None = None,
    query_workers: int | None = None,
) -> FastAPI:
    """The FastAPI application for one data directory and database.

    ``query_workers``: processes that build track answers (default: ``web.query_workers``,
    else one per CPU up to four; 0: none, the serving process builds them).
    """
    data_dir = Path(data_dir)
    engine = connect(database_url(data_dir, url))
    st = State(data_dir, engine, secure_cookies, dict(extras or {}))
    ledger_platform = install_ledger(engine, data_dir)  # signs dangerous-goods decisions
    st.extras["ledger"] = ledger_platform
    hub = LiveHub(data_dir, engine) if live_hub else None
    web_settings = get_settings().web
    csp = content_security_policy(web_settings.tile_url)
    if query_workers is None:
        query_workers = web_settings.query_workers
    pool = QueryPool(default_workers() if query_workers is None else query_workers)
    st.extras["query_pool"] = pool

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if hub is not None:
            hub.start()
            st.extras["hub"] = hub
        ledger_platform.start()  # anchors the audit trail every SEAWARDEN_LEDGER__ANCHOR_EVERY_S
        await run_in_threadpool(pool.start)
        yield
        pool.stop()
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

    app.add_middleware(SecurityHeaders, csp=csp)
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
