"""Shared pieces of the registry, risk and credit command lines: options, engine, output, errors."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from seawarden.db.engine import DatabaseError, connect, database_url
from seawarden.registry.scope import RegistryError
from seawarden.registry.tabular import TableFileError, TableFormat, write_csv, write_table
from seawarden.security.actor import Actor, Forbidden, cli_actor

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        "-d",
        help="Data directory (its database unless SEAWARDEN_DATABASE_URL is set).",
    ),
]
ActorName = Annotated[
    str | None, typer.Option("--actor", help="Who is acting (default: the OS user).")
]
DEFAULT_DATA_DIR = Path("var/data")
err = Console(stderr=True)


class OutFormat(StrEnum):
    """Output formats of commands."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


FormatOpt = Annotated[OutFormat, typer.Option("--format", "-f", help="Output format.")]


def engine_for(data_dir: Path) -> Engine:
    """The operational database of a data directory (exit 2 when it cannot be used)."""
    try:
        return connect(database_url(data_dir))
    except DatabaseError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def actor_for(name: str | None) -> Actor:
    """The command-line actor (a local administrator with the whole scope)."""
    return cli_actor(name)


def parse_date(value: str | None, what: str = "date") -> dt.date | None:
    """An ISO date option (exit 2 when malformed)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]error:[/red] {what} must be YYYY-MM-DD, not {value!r}")
        raise typer.Exit(2) from None


@contextmanager
def handled() -> Iterator[None]:
    """Turn expected errors into a message on stderr and exit status 2."""
    try:
        yield
    except (RegistryError, Forbidden, TableFileError, ValueError, OSError) as exc:
        if isinstance(exc, ValidationError):
            msgs = "; ".join(
                f"{'.'.join(str(x) for x in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()
            )
            err.print(f"[red]error:[/red] {msgs}")
        else:
            err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def dumps(value: Any) -> str:
    """JSON text of a value (dates as ISO strings)."""
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def emit(
    rows: Sequence[dict[str, Any]], fmt: OutFormat, columns: list[str], title: str = ""
) -> None:
    """Print a list as a table, JSON, JSON lines or CSV."""
    if fmt is OutFormat.json:
        sys.stdout.write(dumps([{c: r.get(c) for c in columns} for r in rows]) + "\n")
    elif fmt is OutFormat.jsonl:
        for r in rows:
            sys.stdout.write(dumps({c: r.get(c) for c in columns}) + "\n")
    elif fmt is OutFormat.csv:
        write_csv(sys.stdout, rows, columns)
    else:
        t = Table(title=title or None)
        for c in columns:
            t.add_column(c)
        for r in rows:
            t.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in columns))
        Console(width=200).print(t)


def save(
    rows: Sequence[dict[str, Any]], out: Path, columns: list[str], fmt: TableFormat | None = None
) -> None:
    """Write a list to a file and say so."""
    n = write_table(out, rows, columns, fmt)
    typer.echo(f"wrote {n} row(s) to {out}")


def columns_of(rows: Sequence[dict[str, Any]], preferred: list[str] | None = None) -> list[str]:
    """Column order for a list: preferred ones first, then the rest as they appear."""
    seen = dict.fromkeys(preferred or [])
    for r in rows:
        seen.update(dict.fromkeys(r))
    return list(seen)
