"""``seawarden credit``: scores and grades, the event ledger, appeals, repair, rule sets."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated

import orjson
import typer

from seawarden.credit import feed, ledger, scoring
from seawarden.credit.rules import RuleSet
from seawarden.registry.clihelp import (
    DEFAULT_DATA_DIR,
    ActorName,
    DataDir,
    FormatOpt,
    OutFormat,
    actor_for,
    dumps,
    emit,
    engine_for,
    err,
    handled,
    parse_date,
)

credit_app = typer.Typer(
    help="Credit grades (AA-D), red and black lists, the credit ledger.", no_args_is_help=True
)
rules_app = typer.Typer(help="Versioned credit rule sets.", no_args_is_help=True)
credit_app.add_typer(rules_app, name="rules")

Kind = Annotated[
    ledger.SubjectKind | None,
    typer.Option("--kind", help="ship, crew or company (default: whichever the id names)."),
]


def _print_score(data: dict[str, object], fmt: OutFormat) -> None:
    if fmt is OutFormat.json:
        typer.echo(dumps(data))
        return
    typer.echo(
        f"{data.get('name', '')} ({data['subject_kind']} {data['subject_id']}): grade "
        f"{data['grade']}, "
        f"score {data['score']}, list {data.get('listing') or '-'}, rule set "
        f"{data['ruleset_version']}, "
        f"as of {data['as_of']} (score {data.get('id')})"
    )
    for line in data["lines"]:  # type: ignore[attr-defined]
        typer.echo(f"  {line}")


@credit_app.command("show")
def show_command(
    ref: Annotated[
        str, typer.Argument(help="Id, IMO/MMSI (ship), USCC (company) or ID number (seafarer).")
    ],
    kind: Kind = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: Annotated[
        OutFormat, typer.Option("--format", "-f", help="json or table (text).")
    ] = OutFormat.table,
    fresh: Annotated[
        bool, typer.Option("--recompute", help="Compute a new score from the ledger now.")
    ] = False,
    actor: ActorName = None,
) -> None:
    """Show a subject's credit grade, list, supervision intensity and how the score was reached."""
    engine = engine_for(data_dir)
    who = actor_for(actor)
    with handled():
        latest = None if fresh else scoring.latest_score(engine, who, kind, ref)
        if latest is None:
            data = scoring.compute_score(engine, who, kind, ref)
        else:
            data = {**latest, "id": latest["id"]}
            data["as_of"] = str(data["as_of"])
    _print_score(data, fmt)


@credit_app.command("score")
def score_command(
    ref: Annotated[str, typer.Argument(help="Subject id or code.")],
    kind: Kind = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Day of the score (default today).")
    ] = None,
    version: Annotated[
        str | None, typer.Option(help="Rule set version (default: the active one).")
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: Annotated[
        OutFormat, typer.Option("--format", "-f", help="json or table (text).")
    ] = OutFormat.table,
    actor: ActorName = None,
) -> None:
    """Compute and store a subject's score from its ledger."""
    engine = engine_for(data_dir)
    with handled():
        data = scoring.compute_score(
            engine, actor_for(actor), kind, ref, parse_date(as_of, "--as-of"), version
        )
    _print_score(data, fmt)


@credit_app.command("recompute")
def recompute_command(
    score_id: Annotated[int, typer.Argument(help="Id of a stored score.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Recompute a stored score from its stored inputs and rule set; exit 1 if it differs."""
    engine = engine_for(data_dir)
    with handled():
        rec = scoring.recompute(engine, actor_for(actor), score_id)
    typer.echo(
        f"score {score_id}: stored {rec.stored['grade']} {rec.stored['score']}, recomputed "
        f"{rec.again.grade.value} {rec.again.score} with {rec.again.version}: "
        f"{'same' if rec.same else 'DIFFERENT'}"
    )
    if not rec.same:
        raise typer.Exit(1)


@credit_app.command("events")
def events_command(
    ref: Annotated[str, typer.Argument(help="Subject id or code.")],
    kind: Kind = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: FormatOpt = OutFormat.table,
    actor: ActorName = None,
) -> None:
    """A subject's credit ledger."""
    engine = engine_for(data_dir)
    with handled():
        rows = ledger.events_of(engine, actor_for(actor), kind, ref)
    emit(
        rows,
        fmt,
        ["id", "on_date", "kind", "points", "status", "legal_basis", "source", "note"],
        "credit events",
    )


@credit_app.command("record")
def record_command(
    ref: Annotated[str, typer.Argument(help="Subject id or code.")],
    event_kind: Annotated[
        str, typer.Option("--event", help="Event kind (see `credit rules show`).")
    ],
    on: Annotated[str, typer.Option("--date", help="Date of the event (YYYY-MM-DD).")],
    kind: Kind = None,
    points: Annotated[float | None, typer.Option(help="Points (default: the rule set's).")] = None,
    legal_basis: Annotated[
        str | None, typer.Option(help="Legal basis (default: the rule set's).")
    ] = None,
    source: Annotated[
        str, typer.Option(help="Source of the record (decision number, system).")
    ] = "manual",
    note: Annotated[str | None, typer.Option(help="Note.")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Record a credit-relevant event in the ledger."""
    engine = engine_for(data_dir)
    who = actor_for(actor)
    with handled():
        with engine.connect() as conn:
            k, _ = ledger.subject_of(conn, who, kind, ref)
        data = ledger.CreditEventIn.model_validate(
            {
                "subject_kind": k,
                "subject": ref,
                "kind": event_kind,
                "on_date": on,
                "points": points,
                "legal_basis": legal_basis,
                "source": source,
                "note": note,
            }
        )
        eid = ledger.record_event(engine, who, data)
    typer.echo(f"recorded credit event {eid}")


@credit_app.command("appeal")
def appeal_command(
    event_id: Annotated[int, typer.Argument(help="Credit event id.")],
    reason: Annotated[str, typer.Option(help="Grounds of the appeal.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Appeal against a credit event."""
    engine = engine_for(data_dir)
    with handled():
        aid = ledger.file_appeal(engine, actor_for(actor), event_id, reason)
    typer.echo(f"appeal {aid} filed")


@credit_app.command("decide")
def decide_command(
    appeal_id: Annotated[int, typer.Argument(help="Appeal id.")],
    decision: Annotated[str, typer.Option(help="The decision's reasons.")],
    uphold: Annotated[
        bool, typer.Option("--uphold/--reject", help="Uphold (revoke the event) or reject.")
    ],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Decide an appeal."""
    engine = engine_for(data_dir)
    with handled():
        state = ledger.decide_appeal(engine, actor_for(actor), appeal_id, uphold, decision)
    typer.echo(f"appeal {appeal_id} {state}")


@credit_app.command("repair")
def repair_command(
    event_id: Annotated[int, typer.Argument(help="Credit event id (an active deduction).")],
    basis: Annotated[
        str, typer.Option(help="Basis of the repair (rectification, training, commitment).")
    ],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Credit repair of an event after rectification."""
    engine = engine_for(data_dir)
    with handled():
        rid = ledger.repair(engine, actor_for(actor), event_id, basis)
    typer.echo(f"credit repair {rid} recorded")


@credit_app.command("feed")
def feed_command(
    since: Annotated[str | None, typer.Option(help="Only register records from this day.")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Record credit events for detentions, penalties, accidents and crew points in the register."""
    engine = engine_for(data_dir)
    with handled():
        n = feed.feed(engine, actor_for(actor), parse_date(since, "--since"))
    typer.echo(f"recorded {n} credit event(s)")


@credit_app.command("list")
def list_command(
    kind: Kind = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: FormatOpt = OutFormat.table,
    actor: ActorName = None,
) -> None:
    """The latest grade of every scored subject."""
    engine = engine_for(data_dir)
    with handled():
        rows = scoring.latest_scores(engine, actor_for(actor), kind)
    emit(
        rows,
        fmt,
        [
            "id",
            "subject_kind",
            "subject_id",
            "grade",
            "score",
            "listing",
            "intensity",
            "as_of",
            "ruleset_version",
        ],
        "credit grades",
    )


@rules_app.command("list")
def rules_list(data_dir: DataDir = DEFAULT_DATA_DIR, fmt: FormatOpt = OutFormat.table) -> None:
    """Stored rule sets."""
    engine = engine_for(data_dir)
    emit(
        ledger.list_rulesets(engine),
        fmt,
        ["version", "title", "active", "actor", "created_ms"],
        "rule sets",
    )


@rules_app.command("show")
def rules_show(
    version: Annotated[
        str | None, typer.Argument(help="Version (default: the active one).")
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Print a rule set (JSON)."""
    engine = engine_for(data_dir)
    with handled(), engine.begin() as conn:
        typer.echo(dumps(ledger.ruleset(conn, version).model_dump(mode="json")))


@rules_app.command("install")
def rules_install(
    file: Annotated[Path, typer.Argument(help="Rule set as TOML or JSON (a new version).")],
    activate: Annotated[bool, typer.Option(help="Make it the active rule set.")] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Install a new rule set version (stored versions never change)."""
    engine = engine_for(data_dir)
    with handled():
        raw = file.read_bytes()
        try:
            body = (
                tomllib.loads(raw.decode()) if file.suffix.lower() == ".toml" else orjson.loads(raw)
            )
        except (tomllib.TOMLDecodeError, orjson.JSONDecodeError, UnicodeDecodeError) as exc:
            err.print(f"[red]error:[/red] {file.name}: {exc}")
            raise typer.Exit(2) from None
        rules = RuleSet.model_validate(body)
        new = ledger.install_ruleset(engine, actor_for(actor), rules, activate)
    typer.echo(
        f"rule set {rules.version} "
        f"{'installed' if new else 'already installed'}{' and active' if activate else ''}"
    )
