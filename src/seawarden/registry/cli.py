"""``seawarden registry``: import, export, show ships, crews and companies, identity resolution."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from seawarden.registry import companies, crews, events, identity, importer, public, ships
from seawarden.registry.clihelp import (
    DEFAULT_DATA_DIR,
    ActorName,
    DataDir,
    FormatOpt,
    OutFormat,
    actor_for,
    columns_of,
    dumps,
    emit,
    engine_for,
    err,
    handled,
    save,
)
from seawarden.registry.lists import LEADING, LISTS, ListName
from seawarden.registry.schemas import EventKind, PenaltyPointsIn, ShipEventIn
from seawarden.registry.tabular import TableFormat, write_table

registry_app = typer.Typer(
    help="The register of ships, crews and companies: import, export, lifecycle, identities.",
    no_args_is_help=True,
)
identity_app = typer.Typer(
    help="Link AIS MMSIs and BeiDou terminals to ships; review conflicts.", no_args_is_help=True
)
registry_app.add_typer(identity_app, name="identity")


@registry_app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(help="CSV (UTF-8 or GB 18030), Excel .xlsx, JSON or JSON lines file.")
    ],
    kind: Annotated[importer.ImportKind, typer.Option("--kind", "-k", help="What the file holds.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", "-o", help="Organisation of rows that name none."),
    ] = None,
    errors: Annotated[
        Path | None, typer.Option("--errors", help="Write the rejected rows to this CSV file.")
    ] = None,
    fmt: Annotated[
        OutFormat, typer.Option("--format", "-f", help="Report format (table or json).")
    ] = OutFormat.table,
    strict: Annotated[
        bool, typer.Option(help="Exit with status 1 when any row is rejected.")
    ] = False,
    actor: ActorName = None,
) -> None:
    """Import a file: bad rows are reported with line and reason, good rows written at once."""
    engine = engine_for(data_dir)
    with handled():
        try:
            report = importer.import_file(engine, actor_for(actor), file, kind, organisation)
        except importer.ImportFailedError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
    if errors is not None:
        rows = [e.as_dict() for e in report.errors]
        with handled():
            write_table(errors, rows, ["line", "reason", "field", "message"], TableFormat.csv)
        err.print(f"wrote {len(rows)} rejected row(s) to {errors}")
    if fmt is OutFormat.json:
        typer.echo(dumps(report.as_dict()))
    else:
        typer.echo(
            f"{report.file}: {report.rows} row(s), {report.created} created, {report.updated} "
            "updated, "
            f"{report.rejected} rejected in {report.seconds:.2f} s (import {report.import_id})"
        )
        for reason, n in report.counts().items():
            typer.echo(f"  {reason}: {n}")
        for e in report.errors[:20]:
            typer.echo(f"  line {e.line}: {e.reason.value} ({e.field or '-'}): {e.message}")
        if report.rejected > 20:
            typer.echo(f"  ... {report.rejected - 20} more (use --errors FILE or --format json)")
    if strict and report.rejected:
        raise typer.Exit(1)


@registry_app.command("export")
def export_command(
    what: Annotated[ListName, typer.Argument(help="Which list.")],
    out: Annotated[Path, typer.Argument(help="Output file: .csv, .xlsx, .json or .jsonl.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Export a list of the register (ships, companies and crews in their import format)."""
    engine = engine_for(data_dir)
    with handled():
        rows = LISTS[what](engine, actor_for(actor))
        save(rows, out, columns_of(rows, LEADING.get(what)))


@registry_app.command("list")
def list_command(
    what: Annotated[ListName, typer.Argument(help="Which list.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: FormatOpt = OutFormat.table,
    limit: Annotated[int, typer.Option(help="At most this many rows (0: all).")] = 50,
    actor: ActorName = None,
) -> None:
    """Print a list of the register."""
    engine = engine_for(data_dir)
    with handled():
        rows = LISTS[what](engine, actor_for(actor))
    rows = rows[:limit] if limit > 0 else rows
    emit(rows, fmt, columns_of(rows, LEADING.get(what)), what.value)


@registry_app.command("show")
def show_command(
    ref: Annotated[
        str, typer.Argument(help="Ship id, IMO number, MMSI, fishing-vessel or ship id number.")
    ],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: Annotated[
        OutFormat, typer.Option("--format", "-f", help="table or json.")
    ] = OutFormat.table,
    actor: ActorName = None,
) -> None:
    """Show a ship: its record, identities with validity periods and its whole history."""
    engine = engine_for(data_dir)
    who = actor_for(actor)
    with handled():
        ship = ships.get_ship(engine, who, ref)
        idents = ships.identities(engine, who, ship["id"])
        life = events.history(engine, who, ship["id"])
    if fmt is OutFormat.json:
        typer.echo(dumps({"ship": ship, "identities": idents, "history": life}))
        return
    for k, v in ship.items():
        if v is not None:
            typer.echo(f"{k:>18}: {v}")
    emit(
        idents, OutFormat.table, ["kind", "value", "valid_from", "valid_to", "source"], "identities"
    )
    emit(life, OutFormat.table, ["on_date", "what", "detail"], "history")


@registry_app.command("event")
def event_command(
    ref: Annotated[str, typer.Argument(help="Ship id, IMO or MMSI.")],
    kind: Annotated[EventKind, typer.Argument(help="Lifecycle event kind.")],
    on: Annotated[str, typer.Option("--date", help="Date of the event (YYYY-MM-DD).")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    port: Annotated[str | None, typer.Option(help="Port (inspections, port calls).")] = None,
    ended: Annotated[
        str | None, typer.Option("--ended", help="End date (release, departure).")
    ] = None,
    deficiencies: Annotated[
        int | None, typer.Option(help="Deficiencies found (inspections).")
    ] = None,
    detained: Annotated[
        bool | None, typer.Option("--detained/--not-detained", help="Detained (inspections).")
    ] = None,
    regime: Annotated[
        str | None, typer.Option(help="paris, tokyo, psc, fsc or other (inspections).")
    ] = None,
    legal_basis: Annotated[
        str | None, typer.Option(help="Legal basis (penalties, violations).")
    ] = None,
    detail: Annotated[str | None, typer.Option(help="Further detail as a JSON object.")] = None,
    actor: ActorName = None,
) -> None:
    """Record a lifecycle event of a ship (inspection, accident, penalty, laid up, scrapped …)."""
    engine = engine_for(data_dir)
    with handled():
        extra = orjson.loads(detail) if detail else {}
        data = ShipEventIn.model_validate(
            {
                "kind": kind,
                "on_date": on,
                "ended_on": ended,
                "port": port,
                "deficiencies": deficiencies,
                "detained": detained,
                "regime": regime,
                "legal_basis": legal_basis,
                "detail": extra,
            }
        )
        eid = events.record_event(engine, actor_for(actor), ref, data)
    typer.echo(f"recorded event {eid}")


@registry_app.command("crew")
def crew_command(
    ref: Annotated[str, typer.Argument(help="Seafarer id or identity document number.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Show a seafarer's career: certificates, training, service, exams, points (JSON)."""
    engine = engine_for(data_dir)
    with handled():
        typer.echo(dumps(crews.career(engine, actor_for(actor), ref)))


@registry_app.command("points")
def points_command(
    ref: Annotated[str, typer.Argument(help="Seafarer id or identity document number.")],
    points: Annotated[int, typer.Option(help="Penalty points (1-15).")],
    reason: Annotated[str, typer.Option(help="The violation.")],
    on: Annotated[str, typer.Option("--date", help="Date of the violation (YYYY-MM-DD).")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    legal_basis: Annotated[str | None, typer.Option(help="Legal basis.")] = None,
    actor: ActorName = None,
) -> None:
    """Give a seafarer penalty points; at 15 in a calendar year the certificates are withheld."""
    engine = engine_for(data_dir)
    with handled():
        data = PenaltyPointsIn.model_validate(
            {"points": points, "reason": reason, "on_date": on, "legal_basis": legal_basis}
        )
        res = crews.add_penalty_points(engine, actor_for(actor), ref, data)
    typer.echo(
        f"{res.year_points} point(s) this year"
        + (f"; certificates withheld: {res.withheld}" if res.withheld else "")
    )


@registry_app.command("company")
def company_command(
    ref: Annotated[
        str, typer.Argument(help="Company id, unified social credit code or IMO company number.")
    ],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Show a company with its fleet and permits (JSON)."""
    engine = engine_for(data_dir)
    who = actor_for(actor)
    with handled():
        c = companies.get_company(engine, who, ref)
        typer.echo(
            dumps(
                {
                    "company": c,
                    "fleet": companies.fleet(engine, who, c["id"]),
                    "permits": companies.permits(engine, who, c["id"]),
                }
            )
        )


@registry_app.command("opendata")
def opendata_command(
    dataset: Annotated[public.Dataset, typer.Argument(help="Public dataset.")],
    out: Annotated[Path, typer.Argument(help="Output file: .csv, .json or .jsonl.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Export a public dataset: only fields labelled public, personal data masked."""
    engine = engine_for(data_dir)
    with handled():
        n = public.export_open_data(engine, actor_for(actor), dataset, out)
    typer.echo(f"wrote {n} row(s) to {out}")


@identity_app.command("resolve")
def resolve_command(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    source_dir: Annotated[
        Path | None,
        typer.Option(help="Where vessels.parquet and latest.parquet are (default: the data dir)."),
    ] = None,
    actor: ActorName = None,
) -> None:
    """Link the MMSIs and terminals the ingest pipeline saw to ships; record conflicts."""
    engine = engine_for(data_dir)
    with handled():
        rep = identity.resolve_identities(engine, actor_for(actor), source_dir or data_dir)
    typer.echo(
        f"{rep.observed_mmsi} MMSI(s) and {rep.observed_terminals} terminal(s) seen: "
        f"{rep.links} link(s), "
        f"{rep.conflicts} new conflict(s), {rep.unmatched} unmatched"
    )


@identity_app.command("links")
def links_command(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: FormatOpt = OutFormat.table,
    actor: ActorName = None,
) -> None:
    """Current links of MMSIs and terminals to ships, with their source."""
    engine = engine_for(data_dir)
    with handled():
        rows = identity.links(engine, actor_for(actor))
    emit(
        rows,
        fmt,
        ["key_kind", "key", "ship_id", "ship_name", "source", "priority", "valid_from_ms"],
        "links",
    )


@identity_app.command("conflicts")
def conflicts_command(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: FormatOpt = OutFormat.table,
    all_states: Annotated[
        bool, typer.Option("--all", help="Every decision, not only open conflicts.")
    ] = False,
    actor: ActorName = None,
) -> None:
    """Open identity conflicts (or every decision with --all)."""
    engine = engine_for(data_dir)
    with handled():
        rows = identity.decisions(engine, actor_for(actor), None if all_states else "open")
    emit(
        rows,
        fmt,
        [
            "id",
            "key_kind",
            "key",
            "conflict",
            "action",
            "ship_id",
            "other_ship_id",
            "source",
            "state",
            "observed",
            "note",
        ],
        "identity decisions",
    )


@identity_app.command("decide")
def decide_command(
    decision: Annotated[int, typer.Argument(help="Id of the open conflict.")],
    note: Annotated[str, typer.Option(help="Why (recorded with the decision).")],
    ship: Annotated[
        str | None, typer.Option(help="Link the key to this ship (omit to dismiss).")
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Resolve a conflict by hand (a manual link outranks every automatic source)."""
    engine = engine_for(data_dir)
    with handled():
        did = identity.decide(engine, actor_for(actor), decision, ship, note)
    typer.echo(f"recorded decision {did}")
