"""`seawarden ledger audit`: one changed byte anywhere makes it fail and name the entry."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from seawarden.ledger import entries as ent
from seawarden.ledger import service
from seawarden.ledger.audit import audit
from seawarden.ledger.cli import app
from seawarden.ledger.keys import Algorithm, PrivateKey, generate
from seawarden.ledger.store import NewEntry
from seawarden.ledger.tables import ledger_checkpoints, ledger_leaves, ledger_logs, ledger_nodes

from .helpers import CLERK, OPERATOR, new_log


def _fill(engine: Any, n: int = 40) -> PrivateKey:
    key = new_log(engine)
    service.append_entries(
        engine, CLERK, "handover", [NewEntry(f"e{i}".encode()) for i in range(n)]
    )
    service.make_checkpoint(engine, OPERATOR, "handover", [key])
    return key


def _flip(value: bytes, pos: int) -> bytes:
    b = bytearray(value)
    b[pos] ^= 0x01
    return bytes(b)


def _first(engine: Any, keys: list[Any] | None = None) -> Any:
    (report,) = audit(engine, keys=keys or [])
    return report.first


def test_clean_log_passes(db_engine: Any) -> None:
    key = _fill(db_engine)
    (r,) = audit(db_engine, keys=[key.public_key()])
    assert r.first is None and r.leaves == 40 and r.checkpoints == 1 and r.nodes > 0


@pytest.mark.parametrize("column", ["data", "leaf_hash"])
@pytest.mark.parametrize("index", [0, 17, 39])
def test_one_byte_of_an_entry(db_engine: Any, column: str, index: int) -> None:
    _fill(db_engine)
    with db_engine.begin() as conn:
        where = ledger_leaves.c.idx == index
        old = conn.execute(select(ledger_leaves.c[column]).where(where)).scalar_one()
        conn.execute(update(ledger_leaves).where(where).values({column: _flip(old, 0)}))
    first = _first(db_engine)
    assert first is not None and first.index == index and first.exact
    assert f"entry {index}:" in str(first)


def test_one_byte_of_a_subtree_hash(db_engine: Any) -> None:
    _fill(db_engine)
    with db_engine.begin() as conn:
        where = (ledger_nodes.c.level == 2) & (ledger_nodes.c.idx == 3)
        old = conn.execute(select(ledger_nodes.c.hash).where(where)).scalar_one()
        conn.execute(update(ledger_nodes).where(where).values(hash=_flip(old, 31)))
    first = _first(db_engine)
    assert first is not None and first.index == 12 and "entries 12-15" in first.message


def test_one_byte_of_a_checkpoint(db_engine: Any) -> None:
    key = _fill(db_engine)
    with db_engine.begin() as conn:
        old = conn.execute(select(ledger_checkpoints.c.root)).scalar_one()
        conn.execute(update(ledger_checkpoints).values(root=_flip(old, 5)))
    assert "checkpoint of size 40" in str(_first(db_engine))
    with db_engine.begin() as conn:
        conn.execute(update(ledger_checkpoints).values(root=old))
        note = conn.execute(select(ledger_checkpoints.c.note)).scalar_one()
        conn.execute(update(ledger_checkpoints).values(note=note.replace("\n40\n", "\n41\n")))
    assert _first(db_engine, [key.public_key()]) is not None


def test_deleted_entry_and_wrong_size(db_engine: Any) -> None:
    _fill(db_engine)
    with db_engine.begin() as conn:
        conn.execute(ledger_leaves.delete().where(ledger_leaves.c.idx == 20))
    first = _first(db_engine)
    assert first is not None and first.index == 20 and "missing" in first.message
    with db_engine.begin() as conn:
        conn.execute(update(ledger_logs).values(size=41))
    assert _first(db_engine) is not None


def test_forged_signature_entry(db_engine: Any) -> None:
    new_log(db_engine)
    party = generate("ship.example.cn/master", Algorithm.ed25519)
    st = ent.document_statement("HO-1", 1, b"doc", "ship", 1)
    service.sign_document(
        db_engine, CLERK, "handover", st, party.public_key(), ent.sign_statement(party, st)
    )
    # replace the entry and its leaf hash consistently: the hashes are then recomputed wrong,
    # and the signature inside no longer verifies
    with db_engine.begin() as conn:
        data = conn.execute(select(ledger_leaves.c.data)).scalar_one()
        forged = data.replace(b'"version":1', b'"version":2')
        from seawarden.ledger.hashing import SHA256

        conn.execute(update(ledger_leaves).values(data=forged, leaf_hash=SHA256.leaf(forged)))
    (r,) = audit(db_engine)
    assert any("does not verify" in f.message for f in r.findings)


def test_cli_audit_names_the_first_bad_entry(tmp_path: Any) -> None:
    from seawarden.db.engine import connect

    engine = connect(f"sqlite:///{tmp_path / 'seawarden.db'}")
    _fill(engine)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "--data-dir", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    with engine.begin() as conn:
        old = conn.execute(
            select(ledger_leaves.c.data).where(ledger_leaves.c.idx == 23)
        ).scalar_one()
        conn.execute(
            update(ledger_leaves).where(ledger_leaves.c.idx == 23).values(data=_flip(old, 1))
        )
    engine.dispose()
    bad = runner.invoke(app, ["audit", "--data-dir", str(tmp_path)])
    assert bad.exit_code == 1
    assert "first bad entry: log handover: entry 23:" in bad.output
