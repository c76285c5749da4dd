"""``seawarden db``: schema revision, upgrade and drift check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import create_engine

from seawarden.db import migrate
from seawarden.db.engine import DatabaseError, connect, database_url

app = typer.Typer(
    help="The operational database: schema revision, migrations, drift check.",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True)
DataDir = Annotated[
    Path,
    typer.Option("--data-dir", "-d", help="Data directory (its database unless --database-url)."),
]
DbUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: SQLite in the data directory)."),
]


def _raw_url(data_dir: Path, url: str | None) -> str:
    value = database_url(data_dir, url)
    if value.startswith("postgresql://"):
        value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
    return value


@app.command("status")
def status_command(data_dir: DataDir = Path("var/data"), url: DbUrl = None) -> None:
    """Show the database's revision, this code's head and the migrations still to apply."""
    engine = create_engine(_raw_url(data_dir, url))
    try:
        with engine.connect() as conn:
            st = migrate.state(conn)
    except Exception as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    out.print(f"database revision: {st.current or '(none)'}")
    out.print(f"code head:         {st.head}")
    out.print(f"pending:           {', '.join(st.pending) or '(none)'}")


@app.command("upgrade")
def upgrade_command(data_dir: DataDir = Path("var/data"), url: DbUrl = None) -> None:
    """Apply pending migrations (the platform also does this on start)."""
    try:
        engine = connect(database_url(data_dir, url))
    except DatabaseError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    with engine.connect() as conn:
        out.print(f"database at revision {migrate.current(conn)} (head {migrate.head()})")


@app.command("check")
def check_command(data_dir: DataDir = Path("var/data"), url: DbUrl = None) -> None:
    """Exit non-zero when the migrated schema differs from the table definitions."""
    try:
        engine = connect(database_url(data_dir, url))
    except DatabaseError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    with engine.connect() as conn:
        diffs = migrate.drift(conn)
    if diffs:
        for diff in diffs:
            err.print(f"[red]drift:[/red] {diff}")
        raise typer.Exit(1)
    out.print("schema matches the code")


@app.command("revision")
def revision_command(
    message: Annotated[str, typer.Option("--message", "-m", help="What the migration does.")],
    rev_id: Annotated[str | None, typer.Option(help="Revision id (default: generated).")] = None,
) -> None:
    """Write a migration for table definitions changed since the last one (developers)."""
    path = migrate.new_revision(message, rev_id)
    out.print(f"wrote {path}")
