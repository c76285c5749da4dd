"""``seawarden serve``, ``seawarden users`` and ``seawarden audit``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console

from seawarden.db import audit as trail
from seawarden.db.engine import DatabaseError, connect, database_url
from seawarden.security import accounts
from seawarden.security.actor import Actor, Role, cli_actor
from seawarden.security.passwords import POLICIES, PasswordRejected

users_app = typer.Typer(
    help="Accounts: create the first administrator, create users, list.", no_args_is_help=True
)
audit_app = typer.Typer(
    help="The audit trail: verify the hash chain, export.", no_args_is_help=True
)
err = Console(stderr=True)
DataDir = Annotated[
    Path,
    typer.Option("--data-dir", "-d", help="Data directory (its database unless --database-url)."),
]
DbUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: SQLite in the data directory)."),
]


def _engine(data_dir: Path, url: str | None):  # type: ignore[no-untyped-def]
    try:
        return connect(database_url(data_dir, url))
    except DatabaseError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def serve_command(
    data_dir: DataDir = Path("var/data"),
    url: DbUrl = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(envvar="SEAWARDEN_PORT", help="Port (SEAWARDEN_PORT).")
    ] = 8000,
    insecure_cookies: Annotated[
        bool,
        typer.Option(help="Send session cookies over plain HTTP to other hosts (development)."),
    ] = False,
) -> None:
    """Serve the API, the live picture and the web UI."""
    import uvicorn

    from seawarden.web.app import create_app

    app = create_app(data_dir, url, secure_cookies=not insecure_cookies)
    err.print(f"Seawarden on http://{host}:{port}  (API docs: /docs)")
    quiet_garbage_collector()
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def quiet_garbage_collector() -> None:
    """Keep full garbage collections out of request latency in a long-running server.

    What exists at start (modules, tables, the application) is frozen out of collection,
    and the young generation is collected less often: a full pass over a large heap
    otherwise stalls a request now and then by 100 ms or more.
    """
    import atexit
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    atexit.register(_thaw_garbage_collector)


def _thaw_garbage_collector() -> None:
    """Let the frozen objects be collected at exit (native modules report leaks otherwise)."""
    import gc

    gc.unfreeze()
    gc.collect()


def _password(stdin: bool) -> str:
    if stdin:
        value = sys.stdin.readline().rstrip("\n")
        if not value:
            err.print("[red]error:[/red] no password on standard input")
            raise typer.Exit(2)
        return value
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat", hide_input=True) != first:
        err.print("[red]error:[/red] the passwords differ")
        raise typer.Exit(2)
    return str(first)


@users_app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option("--username", help="User name.")],
    role: Annotated[
        str, typer.Option(help="system_admin, security_admin or audit_admin.")
    ] = "system_admin",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    organisation: Annotated[
        str | None, typer.Option(help="Organisation (default: the whole platform).")
    ] = None,
    policy: Annotated[
        str, typer.Option(help=f"Password policy: {', '.join(POLICIES)}.")
    ] = "dengbao",
    data_dir: DataDir = Path("var/data"),
    url: DbUrl = None,
) -> None:
    """Create an administrator (prints the TOTP secret to enrol in an authenticator app)."""
    if role not in ("system_admin", "security_admin", "audit_admin"):
        err.print("[red]error:[/red] --role must be system_admin, security_admin or audit_admin")
        raise typer.Exit(2)
    if policy not in POLICIES:
        err.print(f"[red]error:[/red] unknown policy {policy}")
        raise typer.Exit(2)
    engine = _engine(data_dir, url)
    password = _password(password_stdin)
    try:
        user = accounts.create_user(
            engine,
            cli_actor(),
            username,
            password,
            [role],
            organisation,
            POLICIES[policy],
            bootstrap=True,
        )
    except PasswordRejected as exc:
        err.print(f"[red]error:[/red] password rejected: {exc}")
        raise typer.Exit(2) from None
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    typer.echo(f"created {role} {username}")
    typer.echo(f"TOTP secret (enrol it now; it is not shown again): {user['totp_secret']}")
    typer.echo(user["totp_uri"])


@users_app.command("create")
def create(
    username: Annotated[str, typer.Option("--username")],
    roles: Annotated[
        str, typer.Option(help=f"Comma-separated: {', '.join(r.value for r in Role)}.")
    ],
    organisation: Annotated[str | None, typer.Option(help="Organisation code.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    data_dir: DataDir = Path("var/data"),
    url: DbUrl = None,
) -> None:
    """Create a user from the command line (as the local operator)."""
    engine = _engine(data_dir, url)
    password = _password(password_stdin)
    try:
        user = accounts.create_user(
            engine, cli_actor(), username, password, roles.split(","), organisation
        )
    except (PasswordRejected, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    typer.echo(f"created {username} ({', '.join(user['roles'])})")
    if "totp_secret" in user:
        typer.echo(f"TOTP secret: {user['totp_secret']}")


@users_app.command("list")
def list_users(data_dir: DataDir = Path("var/data"), url: DbUrl = None) -> None:
    """List accounts."""
    engine = _engine(data_dir, url)
    who = Actor("cli", frozenset({Role.system_admin}), None, None)
    for u in accounts.list_users(engine, who):
        typer.echo(orjson.dumps(u).decode())


@users_app.command("org")
def create_org(
    code: str,
    name: Annotated[str, typer.Option(help="Display name.")],
    level: Annotated[str, typer.Option(help="province, city, county, enterprise or unit.")],
    parent: Annotated[str | None, typer.Option(help="Parent organisation code.")] = None,
    data_dir: DataDir = Path("var/data"),
    url: DbUrl = None,
) -> None:
    """Add an organisation."""
    try:
        accounts.create_organisation(_engine(data_dir, url), cli_actor(), code, name, parent, level)
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    typer.echo(f"organisation {code}")


@audit_app.command("verify")
def verify(data_dir: DataDir = Path("var/data"), url: DbUrl = None) -> None:
    """Check the audit trail's hash chain; exit 1 and name the first bad row if it was altered."""
    r = trail.verify(_engine(data_dir, url))
    if r.ok:
        typer.echo(f"audit trail intact: {r.rows} rows, head {r.last_hash[:16]}")
        return
    typer.echo(
        f"audit trail broken at row {r.first_bad}: {r.reason} ({r.rows} rows verified before it)"
    )
    raise typer.Exit(1)


@audit_app.command("export")
def export(data_dir: DataDir = Path("var/data"), url: DbUrl = None) -> None:
    """Write the whole audit trail as JSON lines."""
    for row in trail.iter_all(_engine(data_dir, url)):
        sys.stdout.write(orjson.dumps(row).decode() + "\n")


def port_from_env(default: int = 8000) -> int:
    """``SEAWARDEN_PORT`` or the default."""
    value = os.environ.get("SEAWARDEN_PORT", "")
    return int(value) if value.isdigit() else default
