"""The platform's own ledger (SQLite and PostgreSQL): its key files, dangerous-goods decisions
logged in their own transaction, anchors of the audit trail (by command and on a schedule)."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from seawarden.dangerous_goods import declarations as decl
from seawarden.dangerous_goods import tables as dg
from seawarden.db import schema
from seawarden.ledger import entries as ent
from seawarden.ledger import platform as plat
from seawarden.ledger import service
from seawarden.ledger.keys import Algorithm, generate, parse_vkey
from seawarden.ledger.receipt import Policy, verify_receipt

from ..dangerous_goods.helpers import ENT_A, HOUR, SUPERVISOR, T0, build, declaration
from .helpers import AUDITOR, OPERATOR


def _count(engine: Any, action: str) -> int:
    a = schema.audit_log.c
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(schema.audit_log).where(a.action == action)
            ).scalar_one()
        )


@pytest.fixture
def ledger(db_engine: Any, tmp_path: Path) -> Iterator[plat.PlatformLedger]:
    """The platform ledger installed for the test database (uninstalled afterwards)."""
    found = plat.install(
        db_engine, tmp_path, lambda e, d: plat.PlatformLedger(e, Path(d) / plat.KEY_DIR)
    )
    yield found
    decl.set_approval_hook(None)
    plat._PLATFORMS.clear()


def test_key_files_are_private_and_checked(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    key = plat.load_or_create_key(keys, "example.org/ledger/x/v1", Algorithm.ed25519)
    path = plat.key_path(keys, key.name)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.stat().st_mode) & 0o077 == 0
    assert parse_vkey(path.with_suffix(".vkey").read_text()) == key.public_key()
    assert plat.load_or_create_key(keys, key.name, Algorithm.ed25519) == key  # kept, not replaced
    os.chmod(path, 0o644)
    with pytest.raises(plat.KeyFileError, match="chmod 600"):
        plat.load_key(path)
    os.chmod(path, 0o600)
    other = plat.key_path(keys, "other")
    other.write_text(generate("not-other").skey())
    other.chmod(0o600)
    with pytest.raises(plat.KeyFileError, match="not the log key"):
        plat.load_or_create_key(keys, "other", Algorithm.ed25519)
    with pytest.raises(FileExistsError):
        plat.write_key(keys, key)


def test_decisions_are_logged_with_the_decision(
    db_engine: Any, ledger: plat.PlatformLedger
) -> None:
    world = build(db_engine)
    before = _count(db_engine, "ledger.approval")
    d = decl.submit(db_engine, ENT_A, declaration(world), now_ms=T0)
    approved = decl.approve(db_engine, SUPERVISOR, d["id"], "ok", now_ms=T0 + HOUR)
    stored = approved["ledger_receipt"]
    assert stored["log"] == plat.APPROVALS_LOG and stored["index"] == 0
    vkey = parse_vkey(stored["verifier_key"])
    assert plat.key_path(ledger.key_dir, vkey.name).exists()
    done = verify_receipt(stored["receipt"], Policy([vkey], origin=stored["origin"]))
    entry = ent.parse_entry(done.entry or b"")
    assert entry["type"] == ent.APPROVAL and entry["decision"] == "approved"
    assert (entry["subject"], entry["subject_id"]) == ("dg_declaration", str(d["id"]))
    assert entry["approver"] == "officer" and entry["decided_at_ms"] == T0 + HOUR
    assert _count(db_engine, "ledger.approval") == before + 1
    # a rejection is logged the same way
    d2 = decl.submit(db_engine, ENT_A, declaration(world, ship_name="SEA MOON"), now_ms=T0)
    rejected = decl.reject(db_engine, SUPERVISOR, d2["id"], "no permit", now_ms=T0 + HOUR)
    r2 = rejected["ledger_receipt"]
    assert r2["index"] == 1
    got = verify_receipt(r2["receipt"], Policy([vkey]))
    assert ent.parse_entry(got.entry or b"")["decision"] == "rejected"
    assert service.get_log(db_engine, AUDITOR, plat.APPROVALS_LOG).size == 2
    # a failing ledger rolls the decision back
    d3 = decl.submit(db_engine, ENT_A, declaration(world, ship_name="SEA SUN"), now_ms=T0)
    key_file = plat.key_path(ledger.key_dir, vkey.name)
    key_file.chmod(0o644)
    try:
        with pytest.raises(plat.KeyFileError):
            decl.approve(db_engine, SUPERVISOR, d3["id"], "ok", now_ms=T0 + HOUR)
    finally:
        key_file.chmod(0o600)
    assert decl.get_declaration(db_engine, SUPERVISOR, d3["id"])["status"] == "submitted"
    assert service.get_log(db_engine, AUDITOR, plat.APPROVALS_LOG).size == 2
    with db_engine.connect() as conn:
        receipts = conn.execute(
            select(dg.declarations.c.ledger_receipt).where(dg.declarations.c.id == d["id"])
        ).scalar_one()
    assert receipts["index"] == 0


def test_an_uninstalled_database_is_not_logged(db_engine: Any, tmp_path: Path) -> None:
    world = build(db_engine)
    decl.set_approval_hook(plat._approval_hook)  # installed, but for no database
    try:
        d = decl.submit(db_engine, ENT_A, declaration(world), now_ms=T0)
        approved = decl.approve(db_engine, SUPERVISOR, d["id"], "ok", now_ms=T0 + HOUR)
    finally:
        decl.set_approval_hook(None)
    assert approved["ledger_receipt"] is None


def _break_row(engine: Any, seq: int) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        conn.execute(text(f"UPDATE audit_log SET hash = '{'0' * 64}' WHERE id = {seq}"))


def test_anchors_of_the_audit_trail(db_engine: Any, ledger: plat.PlatformLedger) -> None:
    build(db_engine)  # some audited writes
    first = ledger.anchor(AUDITOR)
    assert first is not None and first.receipt is not None and not first.duplicate
    keys = ledger.verifier_keys(ledger.origin_of(plat.ANCHOR_LOG))
    done = verify_receipt(first.receipt, Policy(keys))
    assert ent.parse_entry(done.entry or b"") == {
        "type": ent.AUDIT_ANCHOR,
        "label": f"audit_log#{first.seq}",
        "hash": first.hash,
    }
    assert ledger.anchor(force=False) is None  # only anchoring's own rows since
    service.create_log(db_engine, OPERATOR, "other", "example.org/other/v1")  # audited
    second = ledger.anchor(force=False)
    assert second is not None and second.seq > first.seq and second.index == first.index + 1
    checks = ledger.check_anchors(AUDITOR)
    assert [c.ok for c in checks] == [True, True]
    _break_row(db_engine, first.seq)
    bad = {c.seq: c for c in ledger.check_anchors(AUDITOR)}
    assert not bad[first.seq].ok and bad[first.seq].reason == "the row's hash differs"
    assert bad[second.seq].ok


def test_scheduled_upkeep_anchors_and_checkpoints(
    db_engine: Any, ledger: plat.PlatformLedger
) -> None:
    build(db_engine)
    ledger.anchor_every_s = 0.05
    ledger.start()
    try:
        for _ in range(200):
            try:
                if service.get_log(db_engine, AUDITOR, plat.ANCHOR_LOG).size:
                    break
            except Exception:
                pass
            time.sleep(0.05)
    finally:
        ledger.stop()
    size = service.get_log(db_engine, AUDITOR, plat.ANCHOR_LOG).size
    assert size >= 1
    assert service.latest_checkpoint(db_engine, AUDITOR, plat.ANCHOR_LOG).size == size
    time.sleep(0.2)  # stopped: nothing more
    assert service.get_log(db_engine, AUDITOR, plat.ANCHOR_LOG).size == size


def test_anchor_command(tmp_path: Path) -> None:
    from seawarden.db.engine import connect, database_url
    from seawarden.ledger.cli import app

    data = tmp_path / "data"
    engine = connect(database_url(data))
    build(engine)
    runner = CliRunner()
    done = runner.invoke(app, ["anchor", "--data-dir", str(data)])
    assert done.exit_code == 0, done.output
    assert '"index": 0' in done.output
    assert (data / plat.KEY_DIR).is_dir()
    done = runner.invoke(app, ["anchor", "--check", "--data-dir", str(data)])
    assert done.exit_code == 0 and "1 anchors checked, 0 do not match" in done.output
    _break_row(engine, _last_anchor_seq(engine))
    done = runner.invoke(app, ["anchor", "--check", "--data-dir", str(data)])
    assert done.exit_code == 1 and "1 do not match" in done.output


def _last_anchor_seq(engine: Any) -> int:
    (row,) = service.leaves_of_kind(engine, AUDITOR, plat.ANCHOR_LOG, ent.Kind.audit_anchor, 1)
    return int(str(row[1]).removeprefix(plat.ANCHOR_LABEL))


def test_dg_approve_command_logs_the_decision(tmp_path: Path) -> None:
    from seawarden.dangerous_goods.cli import app as dg_app
    from seawarden.db.engine import connect, database_url

    data = tmp_path / "data"
    engine = connect(database_url(data))
    world = build(engine)
    d = decl.submit(engine, ENT_A, declaration(world), now_ms=T0)
    try:
        done = CliRunner().invoke(
            dg_app, ["approve", str(d["id"]), "--data-dir", str(data), "--format", "json"]
        )
    finally:
        decl.set_approval_hook(None)
        plat._PLATFORMS.clear()
    assert done.exit_code == 0, done.output
    receipt = decl.get_declaration(engine, SUPERVISOR, d["id"])["ledger_receipt"]
    assert receipt["log"] == plat.APPROVALS_LOG
    key = parse_vkey(
        (data / plat.KEY_DIR / f"{plat.file_name(receipt['origin'])}.vkey").read_text()
    )
    verify_receipt(receipt["receipt"], Policy([key]))
