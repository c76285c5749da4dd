"""``seawarden risk``: ship risk profiles, due-for-inspection lists, SRP calculator, risk points."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from pydantic import ValidationError

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
    save,
)
from seawarden.risk import performance, riskpoints
from seawarden.risk.config import ConfigError, SrpConfig, load_config, profile_names, read_config
from seawarden.risk.matrix import Level
from seawarden.risk.profile import due_list, ship_profile
from seawarden.risk.srp import ShipFacts, compute

risk_app = typer.Typer(
    help="Ship risk profiles (Paris/Tokyo MoU), inspection windows and the risk register.",
    no_args_is_help=True,
)
points_app = typer.Typer(
    help="The risk register: risk points and their reviews.", no_args_is_help=True
)
lists_app = typer.Typer(
    help="Flag (BGW list, IMO audit) and RO performance lists.", no_args_is_help=True
)
risk_app.add_typer(points_app, name="points")
risk_app.add_typer(lists_app, name="lists")

Regime = Annotated[str, typer.Option("--regime", help="Bundled profile: paris (default) or tokyo.")]
ConfigFile = Annotated[
    Path | None,
    typer.Option(
        "--config", help="Profile file (TOML/JSON) overriding a bundled profile's weights."
    ),
]


def _config(regime: str, config: Path | None) -> SrpConfig:
    try:
        if config is not None:
            return read_config(config)
        if regime not in profile_names():
            raise ConfigError(
                f"unknown regime {regime!r}; choose from {', '.join(profile_names())}"
            )
        return load_config(regime)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


@risk_app.command("srp")
def srp_command(
    file: Annotated[
        Path, typer.Argument(help="JSON file describing one ship (see docs/registry.md).")
    ],
    fmt: Annotated[
        OutFormat, typer.Option("--format", "-f", help="json or table (text lines).")
    ] = OutFormat.table,
    regime: Regime = "paris",
    config: ConfigFile = None,
) -> None:
    """Compute the ship risk profile of the ship a JSON file describes, line by line."""
    cfg = _config(regime, config)
    try:
        facts = ShipFacts.model_validate(orjson.loads(file.read_bytes()))
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot read {file}: {exc.strerror}")
        raise typer.Exit(2) from None
    except orjson.JSONDecodeError as exc:
        err.print(f"[red]error:[/red] {file.name} is not valid JSON: {exc}")
        raise typer.Exit(2) from None
    except ValidationError as exc:
        msgs = "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()
        )
        err.print(f"[red]error:[/red] {msgs}")
        raise typer.Exit(2) from None
    result = compute(facts, cfg)
    if fmt is OutFormat.json:
        typer.echo(dumps(result.as_json()))
        return
    for line in result.explanation():
        typer.echo(line)


@risk_app.command("profile")
def profile_command(
    ref: Annotated[
        str, typer.Argument(help="IMO number, MMSI or internal id of a registered ship.")
    ],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: Annotated[
        OutFormat, typer.Option("--format", "-f", help="json or table (text lines).")
    ] = OutFormat.table,
    regime: Regime = "paris",
    config: ConfigFile = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Day of the profile (default today).")
    ] = None,
    actor: ActorName = None,
) -> None:
    """Risk profile of a registered ship, explained line by line, with its next window."""
    cfg = _config(regime, config)
    engine = engine_for(data_dir)
    with handled():
        prof = ship_profile(engine, actor_for(actor), ref, cfg, parse_date(on, "--on"))
    data = prof.as_dict()
    if fmt is OutFormat.json:
        typer.echo(dumps(data))
        return
    s = data["ship"]
    typer.echo(
        f"{s['name']} (IMO {s['imo'] or '-'}, MMSI {s['mmsi'] or '-'}, id {s['id']}) on "
        f"{data['on']}"
    )
    for k, v in data["sources"].items():
        typer.echo(f"  source {k}: {v}")
    for line in data["lines"]:
        typer.echo(line)
    typer.echo(
        f"last inspection {data['last_inspection'] or 'none'}; Priority II from "
        f"{data['priority_ii_from'] or '-'}, "
        f"Priority I after {data['priority_i_after'] or '-'}; now {data['priority']}"
        + (f" (overriding: {'; '.join(data['overriding'])})" if data["overriding"] else "")
    )


@risk_app.command("due")
def due_command(
    port: Annotated[
        str, typer.Option("--port", help="Port (as recorded on port calls and port of registry).")
    ],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: FormatOpt = OutFormat.table,
    regime: Regime = "paris",
    config: ConfigFile = None,
    on: Annotated[str | None, typer.Option("--on", help="Day (default today).")] = None,
    include_all: Annotated[
        bool, typer.Option("--all", help="Also list ships not yet due.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the list to a .csv/.xlsx/.json file.")
    ] = None,
    actor: ActorName = None,
) -> None:
    """Ships at a port due for inspection: Priority I first, then HRS, then points."""
    cfg = _config(regime, config)
    engine = engine_for(data_dir)
    with handled():
        rows = due_list(engine, actor_for(actor), port, cfg, parse_date(on, "--on"), include_all)
    cols = [
        "priority",
        "profile",
        "points",
        "name",
        "imo",
        "flag",
        "last_inspection",
        "priority_ii_from",
        "priority_i_after",
        "expanded",
        "overriding",
        "basis",
        "ship_id",
    ]
    if out is not None:
        save(rows, out, cols)
        return
    emit(rows, fmt, cols, f"due for inspection at {port}")


@lists_app.command("load")
def lists_load(
    kind: Annotated[
        str,
        typer.Argument(
            help=(
                "flags (flag, performance, imo_audit, year) or ros (ro, performance, "
                "eu_recognised, year)."
            )
        ),
    ],
    file: Annotated[Path, typer.Argument(help="CSV, Excel or JSON file.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    regime: Regime = "paris",
    source: Annotated[
        str | None, typer.Option(help="Where the list comes from (recorded).")
    ] = None,
    actor: ActorName = None,
) -> None:
    """Load a flag or RO performance list (platform-wide reference data)."""
    if kind not in ("flags", "ros"):
        err.print("[red]error:[/red] kind is flags or ros")
        raise typer.Exit(2)
    engine = engine_for(data_dir)
    with handled():
        n, bad = performance.load_list(engine, actor_for(actor), file, kind, regime, None, source)
    typer.echo(f"loaded {n} row(s), rejected {len(bad)}")
    for b in bad:
        typer.echo(f"  line {b['line']}: {b['message']}")


@lists_app.command("show")
def lists_show(
    kind: Annotated[str, typer.Argument(help="flags or ros.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: FormatOpt = OutFormat.table,
    actor: ActorName = None,
) -> None:
    """Print a performance list."""
    engine = engine_for(data_dir)
    with handled():
        rows = performance.lists(engine, actor_for(actor), "flags" if kind == "flags" else "ros")
    key = "flag" if kind == "flags" else "ro"
    emit(
        rows,
        fmt,
        [
            "regime",
            "year",
            key,
            "performance",
            "imo_audit" if kind == "flags" else "eu_recognised",
            "source",
        ],
        kind,
    )


@points_app.command("add")
def points_add(
    name: Annotated[str, typer.Option(help="Name of the risk point.")],
    location: Annotated[str, typer.Option(help="Where it is.")],
    hazard: Annotated[str, typer.Option(help="The hazard.")],
    likelihood: Annotated[int, typer.Option(help="Likelihood 1-5.")],
    consequence: Annotated[int, typer.Option(help="Consequence 1-5.")],
    owner: Annotated[str, typer.Option(help="Who is responsible.")],
    measure: Annotated[
        list[str] | None, typer.Option("--measure", help="A control measure (repeat).")
    ] = None,
    organisation: Annotated[str | None, typer.Option(help="Owning organisation.")] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude, degrees.")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude, degrees.")] = None,
    review_months: Annotated[int, typer.Option(help="Months between reviews.")] = 12,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Register a risk point; its level follows from likelihood × consequence."""
    engine = engine_for(data_dir)
    with handled():
        data = riskpoints.RiskPointIn.model_validate(
            {
                "name": name,
                "location": location,
                "hazard": hazard,
                "likelihood": likelihood,
                "consequence": consequence,
                "owner": owner,
                "measures": measure or [],
                "organisation": organisation,
                "lat": lat,
                "lon": lon,
                "review_months": review_months,
            }
        )
        pid = riskpoints.add_point(engine, actor_for(actor), data)
    typer.echo(f"risk point {pid}")


@points_app.command("list")
def points_list(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: FormatOpt = OutFormat.table,
    min_level: Annotated[Level | None, typer.Option(help="Only this level and above.")] = None,
    actor: ActorName = None,
) -> None:
    """Open risk points, highest level first."""
    engine = engine_for(data_dir)
    with handled():
        rows = riskpoints.points(engine, actor_for(actor), min_level)
    emit(
        rows,
        fmt,
        [
            "id",
            "level",
            "colour",
            "name",
            "location",
            "hazard",
            "likelihood",
            "consequence",
            "measures",
            "owner",
            "next_review",
            "organisation",
        ],
        "risk points",
    )


@points_app.command("review")
def points_review(
    point: Annotated[int, typer.Argument(help="Risk point id.")],
    likelihood: Annotated[int, typer.Option(help="Reassessed likelihood 1-5.")],
    consequence: Annotated[int, typer.Option(help="Reassessed consequence 1-5.")],
    reviewer: Annotated[str, typer.Option(help="Who reviewed.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Day of the review (default today).")
    ] = None,
    measure: Annotated[
        list[str] | None, typer.Option("--measure", help="Replace the measures (repeat).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Note.")] = None,
    close: Annotated[bool, typer.Option(help="Close the risk point.")] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    actor: ActorName = None,
) -> None:
    """Review a risk point (reassess, update measures, or close it)."""
    import datetime as dt

    engine = engine_for(data_dir)
    with handled():
        data = riskpoints.ReviewIn.model_validate(
            {
                "reviewed_on": parse_date(on, "--on") or dt.date.today(),
                "reviewer": reviewer,
                "likelihood": likelihood,
                "consequence": consequence,
                "measures": measure,
                "note": note,
                "close": close,
            }
        )
        res = riskpoints.review(engine, actor_for(actor), point, data)
    typer.echo(
        f"risk point {point}: {res['level']}, {res['status']}, next review "
        f"{res['next_review'] or '-'}"
    )


@points_app.command("due")
def points_due(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    fmt: FormatOpt = OutFormat.table,
    on: Annotated[str | None, typer.Option("--on", help="Day (default today).")] = None,
    actor: ActorName = None,
) -> None:
    """Risk points whose review is due."""
    engine = engine_for(data_dir)
    with handled():
        rows = riskpoints.reviews_due(engine, actor_for(actor), parse_date(on, "--on"))
    emit(rows, fmt, ["id", "level", "name", "location", "owner", "next_review"], "reviews due")
