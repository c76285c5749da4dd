"""The ledger service on SQLite and PostgreSQL: appends, proofs, checkpoints, witnesses, uses."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select, text

from seawarden.db import schema
from seawarden.ledger import entries as ent
from seawarden.ledger import note, service
from seawarden.ledger.errors import Code, LedgerError
from seawarden.ledger.hashing import SHA256, SM3
from seawarden.ledger.keys import Algorithm, generate
from seawarden.ledger.receipt import Policy, ReceiptError, verify_receipt
from seawarden.ledger.store import NewEntry
from seawarden.ledger.tables import ledger_leaves
from seawarden.ledger.tree import MemoryTree
from seawarden.security.actor import Forbidden

from .helpers import AUDITOR, CLERK, OPERATOR, ORIGIN, PUBLIC, new_log


def _audit_count(engine: Any, action: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(schema.audit_log)
                .where(schema.audit_log.c.action == action)
            ).scalar_one()
        )


@pytest.mark.parametrize("hash_alg", ["sha256", "sm3"])
def test_appends_proofs_and_roots_match_a_memory_tree(db_engine: Any, hash_alg: str) -> None:
    key = new_log(db_engine, hash_alg=hash_alg)
    hasher = SHA256 if hash_alg == "sha256" else SM3
    mem = MemoryTree(hasher)
    sizes = [1, 2, 5, 17, 1, 64, 3]
    n = 0
    for batch in sizes:
        data = [f"entry {n + i}".encode() for i in range(batch)]
        done = service.append_entries(db_engine, CLERK, "handover", [NewEntry(d) for d in data])
        assert [a.index for a in done] == list(range(n, n + batch))
        for d in data:
            mem.append(d)
        n += batch
        cp = service.make_checkpoint(db_engine, OPERATOR, "handover", [key])
        assert (cp.size, cp.root) == (n, mem.root())
    for size in (1, 7, 64, n):
        for index in {0, size // 2, size - 1}:
            assert service.inclusion_proof(db_engine, PUBLIC, "handover", index, size) == (
                mem.inclusion(index, size)
            )
        for size1 in (1, 3, size):
            if size1 <= size:
                p = service.consistency_proof(db_engine, PUBLIC, "handover", size1, size)
                assert p.proof == mem.consistency(size1, size)
                assert (p.root1, p.root2) == (mem.root(size1), mem.root(size))
    assert _audit_count(db_engine, "ledger.append") == len(sizes)
    assert _audit_count(db_engine, "ledger.checkpoint") == len(sizes)


def test_duplicates_keep_their_index(db_engine: Any) -> None:
    new_log(db_engine)
    first = service.append(db_engine, CLERK, "handover", b"same")
    again = service.append_entries(
        db_engine, CLERK, "handover", [NewEntry(b"other"), NewEntry(b"same"), NewEntry(b"other")]
    )
    assert not first.duplicate
    assert [(a.index, a.duplicate) for a in again] == [(1, False), (0, True), (1, True)]
    assert service.get_log(db_engine, PUBLIC, "handover").size == 2
    bulk = service.append_entries(db_engine, CLERK, "handover", [NewEntry(b"same")], dedupe=False)
    assert (bulk[0].index, bulk[0].duplicate) == (2, False)


def test_receipts_verify_with_keys_and_witness(db_engine: Any) -> None:
    key = new_log(db_engine)
    witness = generate("witness.example.cn/audit", cosigner=True)
    for i in range(10):
        service.append(db_engine, CLERK, "handover", f"doc {i}".encode())
    with pytest.raises(LedgerError) as no_cp:
        service.receipt(db_engine, PUBLIC, "handover", 3)
    assert no_cp.value.code is Code.not_checkpointed
    service.make_checkpoint(db_engine, OPERATOR, "handover", [key])
    service.cosign_latest(db_engine, AUDITOR, "handover", witness, [key.public_key()])
    policy = Policy([key.public_key()], [witness.public_key()], 1, SHA256, ORIGIN)
    for i in range(10):
        r = service.receipt(db_engine, PUBLIC, "handover", i)
        assert verify_receipt(r.text(), policy).entry == f"doc {i}".encode()
    assert service.receipt_for(db_engine, PUBLIC, "handover", b"doc 4").index == 4
    for bad in (-1, 10, 11):
        with pytest.raises(LedgerError):
            service.receipt(db_engine, PUBLIC, "handover", bad)
    # a second checkpoint: the witness checks consistency with the first
    service.append(db_engine, CLERK, "handover", b"doc 10")
    service.make_checkpoint(db_engine, OPERATOR, "handover", [key])
    cp = service.cosign_latest(db_engine, AUDITOR, "handover", witness, [key.public_key()])
    assert cp.size == 11
    assert (
        verify_receipt(service.receipt(db_engine, PUBLIC, "handover", 10).text(), policy).index
        == 10
    )
    # cosigning the same checkpoint again is allowed (same size, same root)
    service.cosign_latest(db_engine, AUDITOR, "handover", witness, [key.public_key()])
    assert _audit_count(db_engine, "ledger.cosign") == 3


def test_witness_refuses_a_rewritten_log_and_keeps_evidence(db_engine: Any) -> None:
    key = new_log(db_engine)
    witness = generate("witness.example.cn/audit", cosigner=True)
    for i in range(6):
        service.append(db_engine, CLERK, "handover", f"doc {i}".encode())
    service.make_checkpoint(db_engine, OPERATOR, "handover", [key])
    service.cosign_latest(db_engine, AUDITOR, "handover", witness, [key.public_key()])
    old = service.receipt(db_engine, PUBLIC, "handover", 2)
    # someone with database access rewrites entry 2 and its hashes, then checkpoints again
    from seawarden.ledger.tables import ledger_checkpoints, ledger_logs, ledger_nodes

    with db_engine.begin() as conn:
        conn.execute(ledger_leaves.delete())
        conn.execute(ledger_nodes.delete())
        conn.execute(ledger_checkpoints.delete())
        conn.execute(ledger_logs.update().values(size=0))
    for i in range(7):
        service.append(db_engine, CLERK, "handover", f"doc {i}".encode() if i != 2 else b"forged")
    service.make_checkpoint(db_engine, OPERATOR, "handover", [key])
    with pytest.raises(LedgerError) as refused:
        service.cosign_latest(db_engine, AUDITOR, "handover", witness, [key.public_key()])
    assert refused.value.code is Code.witness_refused
    assert _audit_count(db_engine, "ledger.cosign_refused") == 1
    with db_engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM ledger_witness_refusals")).scalar_one()
    assert n == 1
    # the old receipt still verifies against its own checkpoint: the rewrite is exposed
    policy = Policy([key.public_key()], [witness.public_key()], 1)
    assert verify_receipt(old.text(), policy).entry == b"doc 2"
    new = service.receipt(db_engine, PUBLIC, "handover", 2)
    with pytest.raises(ReceiptError):
        verify_receipt(new.text(), policy)  # no witness cosigned the rewritten log


def test_witness_state_in_its_own_database(db_engine: Any, tmp_path: Any) -> None:
    from seawarden.db.engine import connect

    key = new_log(db_engine)
    witness = generate("witness.example.cn/province", Algorithm.ed25519, cosigner=True)
    own = connect(f"sqlite:///{tmp_path / 'witness.db'}")
    service.append(db_engine, CLERK, "handover", b"x")
    service.make_checkpoint(db_engine, OPERATOR, "handover", [key])
    cp = service.cosign_latest(db_engine, AUDITOR, "handover", witness, [key.public_key()], own)
    assert "witness.example.cn/province" in cp.note
    assert (
        "witness.example.cn/province"
        in service.latest_checkpoint(db_engine, PUBLIC, "handover").note
    )
    with own.connect() as conn:
        assert conn.execute(text("SELECT size FROM ledger_witness_state")).scalar_one() == 1
    own.dispose()


def test_concurrent_appenders_never_gap_or_repeat(db_engine: Any) -> None:
    new_log(db_engine)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for b in range(15):
                items = [NewEntry(f"w{worker} b{b} e{i}".encode()) for i in range(1 + b % 4)]
                service.append_entries(db_engine, CLERK, "handover", items)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    expected = 4 * sum(1 + b % 4 for b in range(15))
    with db_engine.connect() as conn:
        idx = [
            r[0] for r in conn.execute(select(ledger_leaves.c.idx).order_by(ledger_leaves.c.idx))
        ]
    assert idx == list(range(expected))
    assert service.get_log(db_engine, PUBLIC, "handover").size == expected
    from seawarden.ledger.audit import audit

    assert all(r.first is None for r in audit(db_engine))


def test_unique_index_rejects_a_repeated_index(db_engine: Any) -> None:
    new_log(db_engine)
    service.append(db_engine, CLERK, "handover", b"a")
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db_engine.begin() as conn:
        row = dict(conn.execute(select(ledger_leaves)).mappings().one())
        conn.execute(ledger_leaves.insert().values({**row, "leaf_hash": b"\x01" * 32}))


def test_multi_party_document_signing(db_engine: Any) -> None:
    key = new_log(db_engine)
    terminal = generate("terminal.example.cn/clerk-7", Algorithm.sm2)
    ship = generate("ship.example.cn/imo9321483/master", Algorithm.ed25519)
    doc = {"salt": ent.new_salt(), "doc": "handover", "containers": ["MSKU1234565"]}
    for party, role in ((terminal, "terminal"), (ship, "ship")):
        st = ent.document_statement("HO-2026-0001", 1, doc, role, 1_790_000_000_000)
        service.sign_document(
            db_engine, CLERK, "handover", st, party.public_key(), ent.sign_statement(party, st)
        )
    sigs = service.document_signatures(db_engine, PUBLIC, "handover", "HO-2026-0001")
    assert [s.entry.statement["role"] for s in sigs] == ["terminal", "ship"]
    assert len({s.entry.statement["sha256"] for s in sigs}) == 1
    st = ent.document_statement("HO-2026-0001", 1, doc, "ship", 1)
    with pytest.raises(LedgerError) as bad:
        service.sign_document(db_engine, CLERK, "handover", st, ship.public_key(), b"\x00" * 64)
    assert bad.value.code is Code.bad_signature
    service.make_checkpoint(db_engine, OPERATOR, "handover", [key])
    r = service.receipt(db_engine, PUBLIC, "handover", sigs[1].index)
    v = verify_receipt(r.text(), Policy([key.public_key()]))
    assert ent.check_document(v.entry or b"", ent.canonical_document(doc))["role"] == "ship"
    assert b"MSKU1234565" not in (v.entry or b"")  # only digests are logged


def test_weighbridge_approvals_and_audit_anchors(db_engine: Any) -> None:
    new_log(db_engine, "weighbridge")
    device = generate("weighbridge.example.cn/wb-03", Algorithm.sm2)
    w = ent.weighing_statement(
        "WB-9", {"salt": "s", "plate": "浙B12345"}, 40_000_000, 14_000_000, 7
    )
    done = service.record_weighing(
        db_engine, CLERK, "weighbridge", w, device.public_key(), ent.sign_statement(device, w)
    )
    assert done.index == 0
    new_log(db_engine, "approvals")
    args = ("dg-declaration", "DG-1", "approved", {"un": 1203, "class": "3"}, 1_790_000_000_000)
    first = service.record_approval(db_engine, CLERK, "approvals", *args, request_id="req-1")
    retries = [
        service.record_approval(db_engine, CLERK, "approvals", *args, request_id="req-1")
        for _ in range(5)
    ]
    assert {r.index for r in retries} == {first.index} and all(r.duplicate for r in retries)
    new_log(db_engine, "audit")
    a = service.anchor_audit_chain(db_engine, OPERATOR, "audit", b"\xab" * 32, "audit_log#100")
    b = service.anchor_audit_chain(db_engine, OPERATOR, "audit", b"\xab" * 32, "audit_log#100")
    c = service.anchor_audit_chain(db_engine, OPERATOR, "audit", b"\xcd" * 32, "audit_log#200")
    assert (a.index, b.duplicate, c.index) == (0, True, 1)
    with pytest.raises(LedgerError):
        service.anchor_audit_chain(db_engine, OPERATOR, "audit", b"", "x")


def test_roles_and_bad_requests(db_engine: Any) -> None:
    key = new_log(db_engine)
    with pytest.raises(Forbidden):
        service.append(db_engine, PUBLIC, "handover", b"x")
    with pytest.raises(Forbidden):
        service.create_log(db_engine, CLERK, "x", "x.example/log")
    with pytest.raises(Forbidden):
        service.make_checkpoint(db_engine, CLERK, "handover", [key])
    with pytest.raises(Forbidden):
        service.cosign_latest(db_engine, OPERATOR, "handover", generate("w", cosigner=True), [])
    for call in (
        lambda: service.append(db_engine, CLERK, "nope", b"x"),
        lambda: service.append(db_engine, CLERK, "handover", b"x", kind="bogus"),
        lambda: service.append_entries(db_engine, CLERK, "handover", []),
        lambda: service.create_log(db_engine, OPERATOR, "handover", "other.example/x"),
        lambda: service.create_log(db_engine, OPERATOR, "h2", ORIGIN),
        lambda: service.create_log(db_engine, OPERATOR, "h 3", "y.example/x"),
        lambda: service.create_log(db_engine, OPERATOR, "h4", "z.example/x", "md5"),
        lambda: service.make_checkpoint(db_engine, OPERATOR, "handover", [generate("other")]),
        lambda: service.make_checkpoint(db_engine, OPERATOR, "handover", []),
        lambda: service.inclusion_proof(db_engine, PUBLIC, "handover", 0),
        lambda: service.consistency_proof(db_engine, PUBLIC, "handover", 2, 1),
        lambda: service.latest_checkpoint(db_engine, PUBLIC, "handover"),
    ):
        with pytest.raises(LedgerError):
            call()


def test_sm2_signed_checkpoints_with_two_keys(db_engine: Any) -> None:
    new_log(db_engine, hash_alg="sm3")
    sm2_key = generate(ORIGIN, Algorithm.sm2)
    ed_key = generate(ORIGIN, Algorithm.ed25519)
    service.append(db_engine, CLERK, "handover", b"entry")
    cp = service.make_checkpoint(db_engine, OPERATOR, "handover", [sm2_key, ed_key])
    opened = note.open_note(cp.note, [sm2_key.public_key(), ed_key.public_key()])
    assert len(opened.verified) == 2
    r = service.receipt(db_engine, PUBLIC, "handover", 0).text()
    for k in (sm2_key, ed_key):  # a verifier that knows only one of the keys is satisfied
        assert verify_receipt(r, Policy([k.public_key()], hasher=SM3)).index == 0


def test_sqlite_reads_are_index_searches(tmp_path: Any) -> None:
    """Proof reads and hash look-ups never scan a log (the planner has no statistics)."""
    from sqlalchemy import event

    from seawarden.db.engine import connect
    from seawarden.ledger import store

    engine = connect(f"sqlite:///{tmp_path / 'plan.db'}")
    new_log(engine)
    service.append_entries(engine, CLERK, "handover", [NewEntry(b"%d" % i) for i in range(300)])
    seen: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "ledger_leaves" in statement or "ledger_nodes" in statement:
            seen.append((statement, params))

    with engine.connect() as conn:
        log = store.get_log(conn, "handover")
        store.read_nodes(conn, log.id, [(0, 5), (1, 7), (3, 2), (5, 1)])
        store.find_hashes(conn, log.id, [b"\x01" * 32, b"\x02" * 32])
    event.remove(engine, "before_cursor_execute", _record)
    assert len(seen) >= 3
    with engine.connect() as conn:
        for statement, params in seen:
            plan = " ".join(
                str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
            )
            assert "SCAN" not in plan, (statement, plan)
            assert "idx=?" in plan or "hash_key=?" in plan, (statement, plan)


def test_sequencer_batches_and_checkpoints(db_engine: Any) -> None:
    from concurrent.futures import Future

    from seawarden.ledger.sequencer import Sequencer

    key = new_log(db_engine)
    futures: list[Future[Any]] = []
    with Sequencer(db_engine, OPERATOR, "handover", [key], checkpoint_every=0.0) as seq:
        threads = [
            threading.Thread(
                target=lambda w=w: futures.extend(
                    seq.submit(NewEntry(f"w{w} e{i}".encode())) for i in range(50)
                )
            )
            for w in range(3)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        indices = sorted(f.result(timeout=30).index for f in futures)
    assert indices == list(range(150))
    assert seq.checkpoints >= 1
    assert service.latest_checkpoint(db_engine, PUBLIC, "handover").size == 150
    with Sequencer(db_engine, OPERATOR, "missing") as bad:
        fut = bad.submit(NewEntry(b"x"))
    with pytest.raises(LedgerError):
        fut.result(timeout=30)
    wrong_key = generate("other.example/log")
    with Sequencer(db_engine, OPERATOR, "handover", [wrong_key], checkpoint_every=0.0) as seq2:
        done = seq2.submit(NewEntry(b"after")).result(timeout=30)
    assert done.index == 150 and isinstance(seq2.checkpoint_error, LedgerError)


def test_sequencer_checkpoints_on_its_clock_busy_or_idle(db_engine: Any) -> None:
    import time

    from seawarden.ledger.sequencer import Sequencer

    key = new_log(db_engine)
    with Sequencer(db_engine, OPERATOR, "handover", [key], checkpoint_every=0.25) as seq:
        started = time.monotonic()
        while time.monotonic() - started < 1.6:  # a steady stream of entries
            seq.submit(NewEntry(f"e{time.monotonic_ns()}".encode())).result(timeout=30)
        busy = seq.checkpoints
        last = seq.submit(NewEntry(b"then nothing more")).result(timeout=30)
        time.sleep(0.6)  # idle: the pending entry is still signed when its checkpoint is due
        assert service.latest_checkpoint(db_engine, PUBLIC, "handover").size == last.index + 1
        assert seq.checkpoints == busy + 1  # and nothing is signed twice while idle
    assert 4 <= busy <= 7  # one every 0.25 s over 1.6 s, late batches not adding up
