"""``seawarden ledger``: keys, logs, appends, checkpoints, witnesses, receipts, audit."""

from __future__ import annotations

import json
import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from seawarden.db.engine import DatabaseError, connect, database_url
from seawarden.ledger.entries import EntryError, Kind, check_document
from seawarden.ledger.errors import LedgerError
from seawarden.ledger.hashing import get_hasher
from seawarden.ledger.keys import (
    Algorithm,
    KeyFormatError,
    PrivateKey,
    PublicKey,
    generate,
    parse_skey,
    parse_vkey,
)
from seawarden.ledger.receipt import Policy, ReceiptError, verify_receipt
from seawarden.security.actor import Actor, Forbidden, Role, cli_actor

app = typer.Typer(
    help="Tamper-evident ledger: RFC 9162 Merkle logs, signed checkpoints, receipts.",
    no_args_is_help=True,
)
err = Console(stderr=True)

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
VKeys = Annotated[
    list[str],
    typer.Option("--key", "-k", help="A log verifier key (file or key string); repeatable."),
]


class HashName(StrEnum):
    """Hash algorithms of a log."""

    sha256 = "sha256"
    sm3 = "sm3"


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def _engine(data_dir: Path) -> Engine:
    try:
        return connect(database_url(data_dir))
    except DatabaseError as exc:
        _fail(str(exc))


def _text_arg(value: str) -> str:
    path = Path(value)
    try:
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {value}: {exc}")
    return value.strip()


def _vkey(value: str) -> PublicKey:
    try:
        return parse_vkey(_text_arg(value))
    except KeyFormatError as exc:
        _fail(f"verifier key {value}: {exc}")


def _skey(path: Path) -> PrivateKey:
    try:
        return parse_skey(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read key {path}: {exc}")
    except KeyFormatError as exc:
        _fail(f"signer key {path}: {exc}")


def _run_errors(exc: Exception) -> NoReturn:
    if isinstance(exc, LedgerError):
        _fail(f"{exc.message} ({exc.code.value})")
    _fail(str(exc))


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


@app.command("keygen")
def keygen_command(
    name: Annotated[str, typer.Argument(help="Key name: the log's origin, or a witness name.")],
    out: Annotated[
        Path, typer.Option(help="Directory for NAME.key (secret) and NAME.vkey.")
    ] = Path("var/ledger-keys"),
    algorithm: Annotated[Algorithm, typer.Option(help="Signature algorithm.")] = Algorithm.ed25519,
    witness: Annotated[bool, typer.Option(help="A witness (cosigner) key.")] = False,
) -> None:
    """Generate a signing key; prints the verifier key to publish."""
    try:
        key = generate(name, algorithm, witness)
    except KeyFormatError as exc:
        _fail(str(exc))
    out.mkdir(parents=True, exist_ok=True)
    secret = out / f"{_file_name(name)}.key"
    try:
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _fail(f"{secret} exists; remove it first to replace the key")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key.skey() + "\n")
    (out / f"{_file_name(name)}.vkey").write_text(key.public_key().vkey() + "\n", encoding="utf-8")
    err.print(f"signer key written to {secret} (keep it secret)", highlight=False)
    typer.echo(key.public_key().vkey())


@app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="Log name (e.g. handover).")],
    origin: Annotated[str, typer.Option(help="Origin line of checkpoints and the log key's name.")],
    hash_alg: Annotated[HashName, typer.Option("--hash", help="Hash algorithm.")] = HashName.sha256,
    organisation: Annotated[str | None, typer.Option(help="Owning organisation.")] = None,
    data_dir: DataDir = Path("var/data"),
    actor: ActorName = None,
) -> None:
    """Create an empty log."""
    from seawarden.ledger import service

    try:
        log = service.create_log(
            _engine(data_dir), cli_actor(actor), name, origin, hash_alg.value, organisation
        )
    except (LedgerError, Forbidden) as exc:
        _run_errors(exc)
    typer.echo(f"created log {log.name} ({log.origin}, {log.hasher.name})")


@app.command("logs")
def logs_command(data_dir: DataDir = Path("var/data"), actor: ActorName = None) -> None:
    """List the logs with their size."""
    from seawarden.ledger import service

    table = Table(title="Ledger logs")
    for col in ("name", "origin", "hash", "size"):
        table.add_column(col)
    for log in service.list_logs(_engine(data_dir), cli_actor(actor)):
        table.add_row(log.name, log.origin, log.hasher.name, str(log.size))
    Console().print(table)


@app.command("append")
def append_command(
    log: Annotated[str, typer.Argument(help="Log name.")],
    file: Annotated[str, typer.Argument(help="File with the entry bytes ('-': standard input).")],
    kind: Annotated[str, typer.Option(help=f"Entry kind: {', '.join(Kind)}.")] = "raw",
    ref: Annotated[str | None, typer.Option(help="Reference (document id...).")] = None,
    data_dir: DataDir = Path("var/data"),
    actor: ActorName = None,
) -> None:
    """Append one entry; prints its index as JSON."""
    from seawarden.ledger import service

    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        _fail(f"cannot read {file}: {exc}")
    try:
        done = service.append(_engine(data_dir), cli_actor(actor), log, data, kind, ref)
    except (LedgerError, Forbidden) as exc:
        _run_errors(exc)
    typer.echo(
        json.dumps(
            {"index": done.index, "leaf_hash": done.leaf_hash.hex(), "duplicate": done.duplicate}
        )
    )


@app.command("checkpoint")
def checkpoint_command(
    log: Annotated[str, typer.Argument(help="Log name.")],
    key: Annotated[
        list[Path], typer.Option("--key", "-k", help="Log signer key file; repeatable.")
    ],
    data_dir: DataDir = Path("var/data"),
    actor: ActorName = None,
) -> None:
    """Sign a checkpoint of the log's current size; prints the signed note."""
    from seawarden.ledger import service

    keys = [_skey(k) for k in key]
    try:
        cp = service.make_checkpoint(_engine(data_dir), cli_actor(actor), log, keys)
    except (LedgerError, Forbidden) as exc:
        _run_errors(exc)
    typer.echo(cp.note, nl=False)


@app.command("cosign")
def cosign_command(
    log: Annotated[str, typer.Argument(help="Log name.")],
    witness_key: Annotated[Path, typer.Option(help="The witness's signer key file.")],
    key: VKeys,
    witness_data_dir: Annotated[
        Path | None, typer.Option(help="Where the witness keeps its state (default: data dir).")
    ] = None,
    data_dir: DataDir = Path("var/data"),
    actor: ActorName = None,
) -> None:
    """Cosign the latest checkpoint as a witness, if consistent with the last one it cosigned.

    The person running this holds the witness key and acts as audit administrator.
    """
    from seawarden.ledger import service

    wkey = _skey(witness_key)
    log_keys = [_vkey(k) for k in key]
    engine = _engine(data_dir)
    state = _engine(witness_data_dir) if witness_data_dir is not None else None
    who = Actor(cli_actor(actor).username, frozenset({Role.audit_admin}))
    try:
        cp = service.cosign_latest(engine, who, log, wkey, log_keys, state)
    except (LedgerError, Forbidden) as exc:
        _run_errors(exc)
    typer.echo(cp.note, nl=False)


@app.command("prove")
def prove_command(
    log: Annotated[str, typer.Argument(help="Log name.")],
    index: Annotated[
        int | None, typer.Option(help="Entry index: print its receipt (.tlog-proof).")
    ] = None,
    from_size: Annotated[
        int | None, typer.Option("--from", help="Older tree size: print a consistency proof.")
    ] = None,
    to_size: Annotated[int | None, typer.Option("--to", help="Newer tree size.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    data_dir: DataDir = Path("var/data"),
    actor: ActorName = None,
) -> None:
    """Print an entry's receipt (--index) or a consistency proof (--from [--to])."""
    from seawarden.ledger import service

    if (index is None) == (from_size is None):
        _fail("give either --index or --from")
    engine = _engine(data_dir)
    try:
        if index is not None:
            text = service.receipt(engine, cli_actor(actor), log, index).text()
        elif from_size is not None:
            p = service.consistency_proof(engine, cli_actor(actor), log, from_size, to_size)
            text = (
                json.dumps(
                    {
                        "size1": p.size1,
                        "size2": p.size2,
                        "root1": p.root1.hex(),
                        "root2": p.root2.hex(),
                        "proof": [h.hex() for h in p.proof],
                    },
                    indent=1,
                )
                + "\n"
            )
    except (LedgerError, Forbidden) as exc:
        _run_errors(exc)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@app.command("verify")
def verify_command(
    receipt: Annotated[Path, typer.Argument(help="Receipt file (.tlog-proof).")],
    key: VKeys,
    witness_key: Annotated[
        list[str] | None,
        typer.Option("--witness-key", "-w", help="A witness verifier key; repeatable."),
    ] = None,
    quorum: Annotated[int, typer.Option(help="Witness cosignatures required.")] = 0,
    hash_alg: Annotated[HashName, typer.Option("--hash", help="The log's hash.")] = HashName.sha256,
    origin: Annotated[str | None, typer.Option(help="Required checkpoint origin.")] = None,
    entry: Annotated[
        Path | None, typer.Option(help="Entry bytes (when the receipt carries none).")
    ] = None,
    document: Annotated[
        Path | None, typer.Option(help="Document (canonical bytes) the entry must cover.")
    ] = None,
) -> None:
    """Verify a receipt offline (no database): signatures, cosignatures, inclusion."""
    try:
        data = receipt.read_bytes()
        entry_bytes = entry.read_bytes() if entry is not None else None
        doc = document.read_bytes() if document is not None else None
    except OSError as exc:
        _fail(f"cannot read: {exc}")
    policy = Policy(
        [_vkey(k) for k in key],
        [_vkey(w) for w in witness_key or []],
        quorum,
        get_hasher(hash_alg.value),
        origin,
    )
    try:
        v = verify_receipt(data, policy, entry_bytes)
        if doc is not None:
            check_document(v.entry or b"", doc)
    except (ReceiptError, EntryError) as exc:
        err.print(f"[red]NOT VERIFIED:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    witnesses = ", ".join(sorted(v.witnesses)) or "none"
    typer.echo(
        f"verified: entry {v.index} is in {v.checkpoint.origin} at size {v.checkpoint.size} "
        f"(signed by {', '.join(v.log_signers)}; witnesses: {witnesses})"
        + ("; document matches" if doc is not None else "")
    )


@app.command("audit")
def audit_command(
    logs: Annotated[list[str] | None, typer.Argument(help="Logs to audit (default: all).")] = None,
    key: Annotated[
        list[str] | None,
        typer.Option("--key", "-k", help="Log verifier key to check checkpoints; repeatable."),
    ] = None,
    data_dir: DataDir = Path("var/data"),
) -> None:
    """Recompute every log from its entries and compare; exit 1 naming the first bad entry."""
    from seawarden.ledger.audit import audit

    keys = [_vkey(k) for k in key or []]
    try:
        reports = audit(_engine(data_dir), logs or [], keys)
    except LedgerError as exc:
        _run_errors(exc)
    bad = False
    for r in reports:
        first = r.first
        status = "ok" if first is None else "FAILED"
        typer.echo(
            f"{r.log}: {status}: {r.leaves} entries, {r.nodes} subtree hashes, "
            f"{r.checkpoints} checkpoints checked"
        )
        if first is not None:
            bad = True
            err.print(f"first bad entry: {first}", highlight=False, markup=False)
            if len(r.findings) > 1:
                err.print(f"({len(r.findings)} findings in {r.log})", highlight=False)
    if bad:
        raise typer.Exit(1)


@app.command("anchor")
def anchor_command(
    check: Annotated[
        bool, typer.Option(help="Compare the anchors with the audit trail instead (exit 1 if not).")
    ] = False,
    data_dir: DataDir = Path("var/data"),
    actor: ActorName = None,
) -> None:
    """Anchor the head of the audit trail's hash chain in the audit-anchors log.

    The platform's key for that log is in the key directory (SEAWARDEN_LEDGER__KEY_DIR,
    default DATA_DIR/ledger-keys) and is generated on first use.
    """
    from seawarden.ledger.platform import KeyFileError, from_settings

    engine = _engine(data_dir)
    platform = from_settings(engine, data_dir)
    who = Actor(cli_actor(actor).username, frozenset({Role.audit_admin}))
    try:
        if check:
            checks = platform.check_anchors(who)
            bad = [c for c in checks if not c.ok]
            for c in bad:
                err.print(f"anchor {c.index} (audit row {c.seq}): {c.reason}", highlight=False)
            typer.echo(f"{len(checks)} anchors checked, {len(bad)} do not match the audit trail")
            if bad:
                raise typer.Exit(1)
            return
        done = platform.anchor(who)
    except (LedgerError, Forbidden, KeyFileError) as exc:
        _run_errors(exc)
    if done is None:
        typer.echo("the audit trail is empty: nothing to anchor")
        return
    typer.echo(
        json.dumps(
            {
                "seq": done.seq,
                "hash": done.hash,
                "index": done.index,
                "duplicate": done.duplicate,
            }
        )
    )


@app.command("device")
def device_command(
    device_id: Annotated[str, typer.Argument(help="Device id (A-Za-z0-9._-).")],
    key: Annotated[
        str, typer.Option("--key", "-k", help="The device's verifier key (file or key).")
    ],
    organisation: Annotated[
        str | None, typer.Option(help="The device's organisation (default: platform-wide).")
    ] = None,
    label: Annotated[str | None, typer.Option(help="A label (e.g. Gate 3).")] = None,
    revoke: Annotated[
        bool, typer.Option(help="Revoke the device instead (--label gives the reason).")
    ] = False,
    data_dir: DataDir = Path("var/data"),
    actor: ActorName = None,
) -> None:
    """Register (or revoke) a weighbridge device's verifier key in its weighbridge log."""
    from seawarden.ledger import weighbridge as wb
    from seawarden.ledger.platform import KeyFileError, from_settings

    engine = _engine(data_dir)
    platform = from_settings(engine, data_dir)
    who = cli_actor(actor)
    try:
        if revoke:
            done = wb.revoke_device(platform, who, wb.log_name(organisation), device_id, label)
        else:
            done = wb.register_device(platform, who, device_id, _text_arg(key), organisation, label)
    except (LedgerError, Forbidden, KeyFileError) as exc:
        _run_errors(exc)
    d = done.device
    typer.echo(
        json.dumps(
            {"log": d.log, "device_id": d.device_id, "active": d.active, "index": done.index}
        )
    )


@app.command("weigh")
def weigh_command(
    record: Annotated[Path, typer.Argument(help="The weighing record's bytes (canonical JSON).")],
    device_key: Annotated[Path, typer.Option(help="The device's signer key file.")],
    device_id: Annotated[str, typer.Option(help="The device's registered id.")],
    record_id: Annotated[str, typer.Option(help="The record's id (A-Za-z0-9._:-).")],
    gross_g: Annotated[int, typer.Option(help="Gross weight in grams.")],
    tare_g: Annotated[int, typer.Option(help="Tare weight in grams.")],
    measured_at_ms: Annotated[
        int | None, typer.Option(help="When it was weighed (epoch ms; default: now).")
    ] = None,
    organisation: Annotated[
        str | None, typer.Option(help="The device's organisation (default: platform-wide).")
    ] = None,
    sign_only: Annotated[
        bool,
        typer.Option(help="Print the signed submission for POST /api/ledger/weighbridge/records."),
    ] = False,
    data_dir: DataDir = Path("var/data"),
    actor: ActorName = None,
) -> None:
    """Sign a weighing record with a device key and log it; prints the receipt as JSON."""
    import base64

    from seawarden.db.engine import now_ms
    from seawarden.ledger import weighbridge as wb
    from seawarden.ledger.entries import sign_statement, weighing_statement
    from seawarden.ledger.platform import KeyFileError, from_settings

    key = _skey(device_key)
    try:
        body = record.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {record}: {exc}")
    try:
        statement = weighing_statement(
            record_id, body, gross_g, tare_g, now_ms() if measured_at_ms is None else measured_at_ms
        )
        signature = sign_statement(key, statement)
    except (EntryError, KeyFormatError) as exc:
        _fail(str(exc))
    if sign_only:
        typer.echo(
            json.dumps(
                {
                    "organisation": organisation,
                    "device_id": device_id,
                    "statement": statement,
                    "signature": base64.b64encode(signature).decode(),
                    "record_b64": base64.b64encode(body).decode(),
                },
                ensure_ascii=False,
            )
        )
        return
    engine = _engine(data_dir)
    platform = from_settings(engine, data_dir)
    try:
        done = wb.submit_record(
            platform, cli_actor(actor), device_id, statement, signature, organisation, body
        )
    except (LedgerError, Forbidden, KeyFileError) as exc:
        _run_errors(exc)
    typer.echo(
        json.dumps(
            {
                "log": done.log,
                "index": done.index,
                "record_id": done.record_id,
                "duplicate": done.duplicate,
                "receipt": done.receipt,
            }
        )
    )
