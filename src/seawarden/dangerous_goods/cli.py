"""The ``seawarden dg`` commands: checks on files, look-ups, and the declaration flow."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from seawarden.dangerous_goods.errors import DGError, InvalidInputError
from seawarden.db.engine import DatabaseError
from seawarden.security.actor import Forbidden

app = typer.Typer(
    help="Dangerous goods: segregation, GB 18218 hazards, look-ups, declarations, approvals.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


class Format(StrEnum):
    """Output formats."""

    text = "text"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory whose database is used (default: settings)."),
]


def _run(fn: Callable[[], T]) -> T:
    """Run a command body; typed errors become a message and exit code 2 (3: not allowed)."""
    try:
        return fn()
    except DGError as exc:
        typer.echo(f"error [{exc.code}]: {exc}", err=True)
        raise typer.Exit(2) from exc
    except Forbidden as exc:
        typer.echo(f"error [forbidden]: {exc}", err=True)
        raise typer.Exit(3) from exc
    except DatabaseError as exc:
        typer.echo(f"error [database]: {exc}", err=True)
        raise typer.Exit(2) from exc


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _engine(data_dir: Path | None) -> Any:
    from seawarden.db.engine import connect, database_url

    return connect(database_url(data_dir))


def _sign_decisions(engine: Any, data_dir: Path | None) -> None:
    """Log decisions in the ledger, as the web platform does (see seawarden.ledger.platform)."""
    from seawarden.ledger.platform import install
    from seawarden.settings import get_settings

    install(engine, data_dir if data_dir is not None else get_settings().data_dir)


def _actor() -> Any:
    from seawarden.security.actor import cli_actor

    return cli_actor()


def _ms(text: str | int | None) -> int | None:
    """Epoch milliseconds from ISO 8601 text or a number."""
    if text is None or isinstance(text, int):
        return text
    t = str(text).strip()
    if t.lstrip("-").isdigit():
        return int(t)
    try:
        value = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputError(f"not a time: {text!r}") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp() * 1000)


def _print_findings(findings: list[dict[str, Any]]) -> None:
    if not findings:
        typer.echo("no findings")
    for f in findings:
        flag = " [VERIFY]" if f.get("verify") else ""
        typer.echo(
            f"{f['severity'].upper():8} {f['rule_id']:16} {f['message']}"
            + (flag if "[VERIFY" not in f["message"] else "")
        )
        if f.get("cell"):
            typer.echo(f"{'':8} {'':16} cell: {f['cell']}; clause: {f['clause']}")


@app.command("segregation")
def segregation_command(
    file: Annotated[
        Path, typer.Argument(help="Bay list (position BBBRRTT), yard list, CSV or BAPLIE (.edi).")
    ],
    fmt: FormatOpt = Format.text,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="JSON of port rules overriding the defaults.")
    ] = None,
) -> None:
    """Check IMDG segregation (and the JT 397 yard rules) of a bay or yard list."""

    def body() -> None:
        from seawarden.dangerous_goods.bayplan import check_bay_plan
        from seawarden.dangerous_goods.inputs import read_plan
        from seawarden.dangerous_goods.portrules import PortRules
        from seawarden.dangerous_goods.yard import check_yard

        port = PortRules.default()
        if rules is not None:
            try:
                port = port.merged(json.loads(Path(rules).read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError) as exc:
                raise InvalidInputError(f"invalid port rules {rules}: {exc}") from exc
        plan = read_plan(file)
        if plan.kind == "bay":
            result = check_bay_plan(plan.bay_units, plan.layout).as_dict()
        else:
            result = check_yard(plan.yard_units, plan.blocks, port, plan.now_ms).as_dict()
        result["notes"] = plan.notes
        if fmt is Format.json:
            _json(result)
            return
        typer.echo(
            f"{result['kind']} list: {result['units']} units, "
            f"{result['dg_units']} with dangerous goods, "
            f"{len(result['findings'])} findings"
        )
        for n in plan.notes:
            typer.echo(f"note: {n}")
        _print_findings(result["findings"])

    _run(body)


@app.command("segregation-code")
def segregation_code_command(
    class_a: Annotated[str, typer.Argument(help="Class or division, e.g. 3, 5.1, 1.4S.")],
    class_b: Annotated[str, typer.Argument(help="Class or division.")],
    fmt: FormatOpt = Format.text,
) -> None:
    """Print the IMDG 7.2.4 segregation code (1-4, X, *) of two classes or divisions."""

    def body() -> None:
        from seawarden.dangerous_goods.classes import parse_class, table_key
        from seawarden.dangerous_goods.reference import reference
        from seawarden.dangerous_goods.segregation import MEANING, table_code

        code = table_code(class_a, class_b)
        ka, kb = (table_key(parse_class(c, allow_class_only=True)[0]) for c in (class_a, class_b))
        older = reference().segregation_verify.get((ka, kb))
        if fmt is Format.json:
            _json(
                {
                    "code": code,
                    "meaning": MEANING[code],
                    "cell": [ka, kb],
                    "verify": older is not None,
                    "older_edition_value": older,
                }
            )
            return
        typer.echo(code)
        if older is not None:
            typer.echo(f"VERIFY: disputed cell (older editions: {older})", err=True)

    _run(body)


@app.command("hazard")
def hazard_command(
    unit_file: Annotated[
        Path,
        typer.Argument(
            help='JSON: {"people_within_500m": N, "items": [{"substance", "quantity_t", '
            '"category"}]}.'
        ),
    ],
    fmt: FormatOpt = Format.text,
) -> None:
    """GB 18218-2018: S, R and grade of one unit, with the working shown."""

    def body() -> None:
        from seawarden.dangerous_goods.hazard import assess, items_from_json

        try:
            data = json.loads(Path(unit_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInputError(f"cannot read {unit_file}: {exc}") from exc
        items, people = items_from_json(data)
        result = assess(items, people)
        if fmt is Format.json:
            _json(result.as_dict())
            return
        for line in result.working():
            typer.echo(line)
        for f in result.findings:
            if f.severity != "info" and f.rule_id == "GB18218-CATEGORY":
                typer.echo(f"warning: {f.message}")

    _run(body)


@app.command("lookup")
def lookup_command(
    un_number: Annotated[str, typer.Argument(help="UN number, e.g. 1203 or UN1203.")],
    fmt: FormatOpt = Format.text,
) -> None:
    """Show the DG-list entries of a UN number."""

    def body() -> None:
        from seawarden.dangerous_goods.dglist import lookup

        entries = [e.as_dict() for e in lookup(un_number)]
        if fmt is Format.json:
            _json(entries)
            return
        for e in entries:
            subs = f" ({', '.join(e['subsidiary'])})" if e["subsidiary"] else ""
            pg = f" PG {e['packing_group']}" if e["packing_group"] else ""
            cn = f" / {e['name_cn']}" if e["name_cn"] else ""
            typer.echo(f"UN {e['un_number']}  class {e['class']}{subs}{pg}  {e['name_en']}{cn}")

    _run(body)


@app.command("load")
def load_command(
    file: Annotated[
        Path, typer.Argument(help="Facilities JSON (organisations, companies, terminals …).")
    ],
    data_dir: DataDirOpt = None,
) -> None:
    """Load companies, terminals, berths, storage units, licences and staff from a JSON file."""

    def body() -> None:
        from seawarden.dangerous_goods.loader import load_facilities

        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInputError(f"cannot read {file}: {exc}") from exc
        ids = load_facilities(_engine(data_dir), _actor(), data)
        _json(ids)

    _run(body)


@app.command("declare")
def declare_command(
    file: Annotated[
        Path,
        typer.Argument(help="Declaration JSON (terminal_id, berth_id, mode, start, end, lines …)."),
    ],
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Submit an operation declaration; prints the automatic comparison."""

    def body() -> None:
        from seawarden.dangerous_goods.declarations import submit

        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInputError(f"cannot read {file}: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidInputError("a declaration is a JSON object")
        for key in ("start", "end"):
            if key in data:
                data[f"{key}_ms"] = _ms(data.pop(key))
        d = submit(_engine(data_dir), _actor(), data)
        _show(d, fmt)

    _run(body)


def _show(d: dict[str, Any], fmt: Format) -> None:
    if fmt is Format.json:
        _json(d)
        return
    typer.echo(f"declaration {d['id']}: {d['status']} (comparison {d['comparison']})")
    for ln in d.get("lines", []):
        typer.echo(
            f"  UN {ln['un_number']} class {ln['hazard_class']} {ln['quantity_t']:g} t "
            f"{ln['name'] or ''}"
        )
    _print_findings(d["findings"])
    if d.get("decided_by"):
        typer.echo(f"decided by {d['decided_by']}: {d['decision_comment'] or ''}")


@app.command("declaration")
def declaration_command(
    decl_id: Annotated[int, typer.Argument(help="Declaration id.")],
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Show a declaration with its comparison and decision."""

    def body() -> None:
        from seawarden.dangerous_goods.declarations import get_declaration

        _show(get_declaration(_engine(data_dir), _actor(), decl_id), fmt)

    _run(body)


@app.command("declarations")
def declarations_command(
    status: Annotated[
        str | None, typer.Option(help="Only this status (submitted, blocked, approved …).")
    ] = None,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """List declarations."""

    def body() -> None:
        from seawarden.dangerous_goods.declarations import list_declarations

        decls = list_declarations(_engine(data_dir), _actor(), status)
        if fmt is Format.json:
            _json(decls)
            return
        for d in decls:
            typer.echo(
                f"{d['id']:5} {d['status']:10} {d['comparison']:5} {d['mode']:12} "
                f"{d['ship_name'] or ''}"
            )

    _run(body)


@app.command("approve")
def approve_command(
    decl_id: Annotated[int, typer.Argument(help="Declaration id.")],
    comment: Annotated[
        str | None, typer.Option(help="Comment (required when the comparison warned).")
    ] = None,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Approve a declaration (a blocked one is refused)."""

    def body() -> None:
        from seawarden.dangerous_goods.declarations import approve

        engine = _engine(data_dir)
        _sign_decisions(engine, data_dir)
        _show(approve(engine, _actor(), decl_id, comment), fmt)

    _run(body)


@app.command("reject")
def reject_command(
    decl_id: Annotated[int, typer.Argument(help="Declaration id.")],
    comment: Annotated[str, typer.Option(help="Why it is rejected.")],
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Reject a declaration with a comment."""

    def body() -> None:
        from seawarden.dangerous_goods.declarations import reject

        engine = _engine(data_dir)
        _sign_decisions(engine, data_dir)
        _show(reject(engine, _actor(), decl_id, comment), fmt)

    _run(body)


@app.command("observe")
def observe_command(
    berth_id: Annotated[int, typer.Argument(help="Berth id.")],
    mmsi: Annotated[int | None, typer.Option(help="MMSI of the ship seen operating.")] = None,
    ship: Annotated[str | None, typer.Option(help="Ship name (when no MMSI).")] = None,
    at: Annotated[
        str | None, typer.Option(help="When (ISO 8601 or epoch ms; default now).")
    ] = None,
    source: Annotated[str, typer.Option(help="ais, gate or edi.")] = "ais",
    data_dir: DataDirOpt = None,
) -> None:
    """Report an operation seen at a berth; raises an alarm when it is not approved."""

    def body() -> None:
        from seawarden.dangerous_goods.operations import observe_operation

        _json(observe_operation(_engine(data_dir), _actor(), berth_id, _ms(at), mmsi, ship, source))

    _run(body)


@app.command("alarms")
def alarms_command(
    state: Annotated[str, typer.Option(help="open or cleared.")] = "open",
    data_dir: DataDirOpt = None,
) -> None:
    """List alarms (sensor limits, operations without approval)."""

    def body() -> None:
        from seawarden.dangerous_goods.alarms import list_alarms

        _json(list_alarms(_engine(data_dir), _actor(), state))

    _run(body)


@app.command("dashboard")
def dashboard_command(
    organisation: Annotated[
        str, typer.Argument(help="Organisation code (province, city, county …).")
    ],
    data_dir: DataDirOpt = None,
) -> None:
    """Counts for an organisation and its children (sources by grade, dangers, approvals)."""

    def body() -> None:
        from seawarden.dangerous_goods.dashboard import dashboard

        _json(dashboard(_engine(data_dir), _actor(), organisation))

    _run(body)


@app.command("sensors-listen")
def sensors_listen_command(
    seconds: Annotated[float, typer.Option(help="Listen this long.")] = 60.0,
    host: Annotated[str, typer.Option(help="MQTT broker host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="MQTT broker port.")] = 1883,
    data_dir: DataDirOpt = None,
) -> None:
    """Store tank readings from MQTT (seawarden/dg/<tank>/<quantity>) and raise alarms."""

    def body() -> None:
        import time

        from seawarden.dangerous_goods.mqtt import SensorListener

        listener = SensorListener(_engine(data_dir), host, port)
        try:
            listener.start()
        except OSError as exc:
            raise InvalidInputError(f"cannot reach the MQTT broker {host}:{port}: {exc}") from exc
        try:
            time.sleep(seconds)
        finally:
            listener.stop()
        s = listener.stats
        _json(
            {
                "received": s.received,
                "stored": s.stored,
                "rejected": s.rejected,
                "alarms": s.alarms,
                "errors": s.errors[:10],
            }
        )

    _run(body)


@app.command("sensors-simulate")
def sensors_simulate_command(
    tanks: Annotated[list[int], typer.Argument(help="Tank ids.")],
    readings: Annotated[int, typer.Option(help="Rounds of readings.")] = 10,
    interval: Annotated[float, typer.Option(help="Seconds between rounds.")] = 1.0,
    host: Annotated[str, typer.Option(help="MQTT broker host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="MQTT broker port.")] = 1883,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
) -> None:
    """Publish simulated tank readings (temperature, pressure, level, gas) with excursions."""

    def body() -> None:
        from seawarden.dangerous_goods.mqtt import SimulatedTank, simulate

        sims = [
            SimulatedTank(
                tid,
                {"temperature_c": 25.0, "pressure_kpa": 5.0, "level_m": 10.0, "gas_pct_lel": 2.0},
                {"temperature_c": 65.0, "level_m": 18.5, "gas_pct_lel": 55.0},
            )
            for tid in tanks
        ]
        try:
            n = simulate(sims, host, port, readings=readings, interval_s=interval, seed=seed)
        except OSError as exc:
            raise InvalidInputError(f"cannot reach the MQTT broker {host}:{port}: {exc}") from exc
        typer.echo(f"published {n} readings")

    _run(body)


def main() -> None:  # pragma: no cover - used when run as a module
    """Run the ``dg`` commands on their own."""
    app(sys.argv[1:])
