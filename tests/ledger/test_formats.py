"""Canonical JSON, keys (Ed25519, SM2), notes, checkpoints, cosignatures, receipts, entries."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest

from seawarden.ledger import entries as ent
from seawarden.ledger import note, sm2, verify_consistency, verify_inclusion
from seawarden.ledger.canonical import CanonicalError, canonical_json, parse_canonical
from seawarden.ledger.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from seawarden.ledger.hashing import SHA256, SM3, UnknownHashError, get_hasher
from seawarden.ledger.keys import Algorithm, KeyFormatError, generate, parse_skey, parse_vkey
from seawarden.ledger.receipt import (
    Policy,
    Receipt,
    ReceiptError,
    parse_receipt,
    verify_receipt,
)
from seawarden.ledger.tree import MemoryTree
from seawarden.ledger.witness import WitnessRefusedError, WitnessState, cosign

ORIGIN = "port.example.cn/ledger/test/v1"


def test_canonical_json_rules() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "x"]}) == b'{"a":[true,null,"x"],"b":1}'
    # JCS orders by UTF-16 code units; NFC normalisation makes equivalent strings equal
    assert canonical_json({"\U0001f600": 1, "\ufb01": 2}) == '{"\U0001f600":1,"\ufb01":2}'.encode()
    assert canonical_json({"k": "e\u0301"}) == canonical_json({"k": "\u00e9"})
    assert canonical_json('a\n\u0001"\\') == b'"a\\n\\u0001\\"\\\\"'
    for bad in (1.5, {1: 2}, 2**60, b"x", {"a": float("nan")}):
        with pytest.raises(CanonicalError):
            canonical_json(bad)
    assert parse_canonical(b'{"a":1}') == {"a": 1}
    for bad_bytes in (b'{"b":1,"a":2}', b'{"a": 1}', b"\xff", b"1.0", b"{"):
        with pytest.raises(CanonicalError):
            parse_canonical(bad_bytes)


def test_hashers() -> None:
    assert get_hasher("SHA256") is SHA256 and get_hasher("sm3") is SM3
    with pytest.raises(UnknownHashError):
        get_hasher("md5")


@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_keys_round_trip_sign_and_reject_tampering(algorithm: Algorithm) -> None:
    key = generate("signer.example.cn/a", algorithm)
    assert parse_skey(key.skey()) == key
    pub = parse_vkey(key.public_key().vkey())
    sig = key.sign(b"message")
    assert pub.verify(b"message", sig)
    assert not pub.verify(b"messagf", sig)
    for i in range(len(sig)):
        bad = bytearray(sig)
        bad[i] ^= 0x01
        assert not pub.verify(b"message", bytes(bad))
    other = generate("signer.example.cn/a", algorithm)
    assert not other.public_key().verify(b"message", sig)
    assert "secret" not in repr(key) and key.skey() not in repr(key)


def test_key_strings_are_checked() -> None:
    key = generate("a.example/k", Algorithm.sm2)
    vkey = key.public_key().vkey()
    with pytest.raises(KeyFormatError):
        parse_vkey(key.skey())
    with pytest.raises(KeyFormatError):
        parse_skey(vkey)
    # a point that is not on the curve is refused
    name, kid, blob = vkey.split("+", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    with pytest.raises(KeyFormatError):
        parse_vkey(f"{name}+{kid}+{base64.b64encode(bytes(raw)).decode()}")
    for bad_name in ("", "a b", "a+b"):
        with pytest.raises(KeyFormatError):
            generate(bad_name)


def test_sm2_against_gmssl_z_value_and_ranges() -> None:
    from gmssl.sm2 import CryptSM2

    private = sm2.generate_private()
    public = sm2.public_from_private(private)
    sig = sm2.sign(private, b"abc")
    gm = CryptSM2(private_key=private.hex(), public_key="00" * 64)
    gm.public_key = public[1:].hex()
    assert gm.verify_with_sm3(sig.hex(), b"abc")  # gmssl's own Z value (default ID) agrees
    assert sm2.verify(public, b"abc", bytes.fromhex(gm.sign_with_sm3(b"abc", f"{99991:064x}")))
    n = sm2.N.to_bytes(32, "big")
    assert not sm2.verify(public, b"abc", n + sig[32:])
    assert not sm2.verify(public, b"abc", sig[:32] + b"\x00" * 32)
    assert not sm2.verify(public, b"abc", sig[:63])
    assert not sm2.verify(b"\x04" + b"\x00" * 64, b"abc", sig)
    assert not sm2.verify(public, b"abc", sig, uid=b"another signer")
    with pytest.raises(sm2.SM2Error):
        sm2.check_private(b"\x00" * 32)


def test_checkpoint_format() -> None:
    cp = Checkpoint(ORIGIN, 42, b"\x01" * 32)
    assert parse_checkpoint(cp.body()) == cp
    for bad in (
        "",
        "o\n1\n",
        "o\n01\n" + base64.b64encode(b"\x01" * 32).decode() + "\n",
        "o\n-1\n" + base64.b64encode(b"\x01" * 32).decode() + "\n",
        "o\n1\n" + base64.b64encode(b"\x01" * 31).decode() + "\n",
        "o\n1\nnot base64!\n",
        "\n1\n" + base64.b64encode(b"\x01" * 32).decode() + "\n",
    ):
        with pytest.raises(CheckpointError):
            parse_checkpoint(bad)


def test_notes_reject_malformed_and_unknown() -> None:
    key = generate(ORIGIN)
    signed = note.sign_note("hello\n", [key])
    assert note.open_note(signed, [key.public_key()]).note.text == "hello\n"
    for bad in (
        "hello\n",
        "hello\n\n",
        signed.replace("\u2014", "-"),
        signed + "extra",
        signed.replace("hello", "he\x01lo"),
        b"\xff\xfe",
    ):
        with pytest.raises(note.NoteError):
            note.open_note(bad, [key.public_key()])
    with pytest.raises(note.NoteError):
        note.open_note(signed, [generate(ORIGIN).public_key()])
    with pytest.raises(note.NoteError):
        note.sign_note("no newline", [key])
    doubled = signed + signed.split("\n\n")[1]
    with pytest.raises(note.NoteError):
        note.open_note(doubled, [key.public_key()])


def _log(size: int = 10) -> tuple[MemoryTree, list[bytes]]:
    tree = MemoryTree(SHA256)
    data = [f"entry {i}".encode() for i in range(size)]
    for d in data:
        tree.append(d)
    return tree, data


def _signed(tree: MemoryTree, key: object, size: int | None = None) -> str:
    size = tree.size if size is None else size
    return note.sign_note(Checkpoint(ORIGIN, size, tree.root(size)).body(), [key])  # type: ignore[list-item]


def test_witness_cosigns_only_consistent_checkpoints() -> None:
    log_key = generate(ORIGIN)
    witness = generate("witness.example.cn/w1", cosigner=True)
    tree, _ = _log(10)
    first = cosign(witness, [log_key.public_key()], _signed(tree, log_key, 4), None, [])
    assert first.state == WitnessState(ORIGIN, 4, tree.root(4))
    later = cosign(
        witness, [log_key.public_key()], _signed(tree, log_key), first.state, tree.consistency(4)
    )
    assert later.state.size == 10
    cosigned = note.add_signature(_signed(tree, log_key), later.signature)
    opened = note.open_note(cosigned, [log_key.public_key(), witness.public_key()])
    assert list(opened.timestamps) == ["witness.example.cn/w1"]
    # a forked log: same size 10, other entries
    fork = MemoryTree(SHA256)
    for i in range(10):
        fork.append(b"other %d" % i)
    with pytest.raises(WitnessRefusedError) as split:
        cosign(witness, [log_key.public_key()], _signed(fork, log_key), later.state, [])
    assert split.value.split_view
    with pytest.raises(WitnessRefusedError):
        cosign(witness, [log_key.public_key()], _signed(tree, log_key, 8), later.state, [])
    bigger = MemoryTree(SHA256)
    for i in range(12):
        bigger.append(b"other %d" % i)
    with pytest.raises(WitnessRefusedError):
        cosign(
            witness,
            [log_key.public_key()],
            _signed(bigger, log_key),
            later.state,
            bigger.consistency(10),
        )
    with pytest.raises(WitnessRefusedError):  # not signed by the log
        cosign(witness, [log_key.public_key()], _signed(tree, generate(ORIGIN)), None, [])


def _receipt(tree: MemoryTree, data: list[bytes], index: int, key: object, witness: object) -> str:
    signed = _signed(tree, key)
    signed = note.add_signature(signed, note.sign(witness, signed.split("\n\n")[0] + "\n"))  # type: ignore[arg-type]
    return Receipt(index, tuple(tree.inclusion(index)), signed, data[index]).text()


def test_receipts_verify_offline_and_reject_every_mutation() -> None:
    log_key = generate(ORIGIN)
    witness = generate("witness.example.cn/w1", cosigner=True)
    tree, data = _log(13)
    text = _receipt(tree, data, 6, log_key, witness)
    policy = Policy([log_key.public_key()], [witness.public_key()], 1, SHA256, ORIGIN)
    v = verify_receipt(text, policy)
    assert (v.index, v.checkpoint.size, v.entry) == (6, 13, b"entry 6")
    assert parse_receipt(text).text() == text
    assert verify_receipt(
        Receipt(6, parse_receipt(text).proof, parse_receipt(text).checkpoint), policy, b"entry 6"
    )
    # every single-bit change of the receipt text is rejected (or is not a receipt at all)
    raw = text.encode()
    accepted = []
    for i in range(len(raw)):
        for bit in range(8):
            m = bytearray(raw)
            m[i] ^= 1 << bit
            try:
                verify_receipt(bytes(m), policy)
            except ReceiptError:
                continue
            accepted.append((i, bit))
    # base64 padding bits are the only changes that decode to the same bytes
    for i, _ in accepted:
        assert (
            raw[i : i + 1] in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
        )
        assert raw[i + 1 : i + 2] in (b"=", b"\n")
    with pytest.raises(ReceiptError):
        verify_receipt(text, Policy([log_key.public_key()], [witness.public_key()], 2))
    with pytest.raises(ReceiptError):
        verify_receipt(text, Policy([generate(ORIGIN).public_key()]))
    with pytest.raises(ReceiptError):
        verify_receipt(text, Policy([log_key.public_key()], origin="other.example/log"))
    with pytest.raises(ReceiptError):
        verify_receipt(text, Policy([log_key.public_key()]), b"entry 7")
    with pytest.raises(ReceiptError):
        verify_receipt(text, Policy([log_key.public_key()], hasher=SM3))
    for junk in ("", "c2sp.org/tlog-proof@v1\n", "x\n\ny", "c2sp.org/tlog-proof@v1\nindex 01\n\nx"):
        with pytest.raises(ReceiptError):
            verify_receipt(junk, policy)


def test_sm2_checkpoints_and_sm3_log() -> None:
    log_key = generate(ORIGIN, Algorithm.sm2)
    witness = generate("witness.example.cn/sm2", Algorithm.sm2, cosigner=True)
    tree = MemoryTree(SM3)
    data = [b"a", b"b", b"c"]
    for d in data:
        tree.append(d)
    signed = note.sign_note(Checkpoint(ORIGIN, 3, tree.root()).body(), [log_key])
    done = cosign(witness, [log_key.public_key()], signed, None, [], SM3)
    receipt = Receipt(1, tuple(tree.inclusion(1)), note.add_signature(signed, done.signature), b"b")
    policy = Policy([log_key.public_key()], [witness.public_key()], 1, SM3)
    assert verify_receipt(receipt.text(), policy).index == 1
    with pytest.raises(ReceiptError):
        verify_receipt(receipt.text(), Policy([log_key.public_key()], hasher=SHA256))
    for field in ("size", "root", "origin"):
        text = signed.split("\n\n")[0].split("\n")
        text[{"origin": 0, "size": 1, "root": 2}[field]] = {
            "origin": "other.example/x",
            "size": "4",
            "root": base64.b64encode(b"\x00" * 32).decode(),
        }[field]
        forged = "\n".join(text) + "\n\n" + signed.split("\n\n")[1]
        with pytest.raises(note.NoteError):
            note.open_note(forged, [log_key.public_key()])


def test_entries_documents_and_weighings() -> None:
    party = generate("ship.example.cn/master", Algorithm.ed25519)
    doc = {"salt": ent.new_salt(), "containers": ["MSKU1234565"], "seal": "A-1"}
    st = ent.document_statement("HO-7", 2, doc, "ship", 1_790_000_000_000)
    entry = ent.signature_entry(
        st, party.public_key(), ent.sign_statement(party, st), ent.Custody.own
    )
    parsed = ent.parse_signature_entry(entry)
    assert parsed.statement == st and parsed.signer == party.public_key()
    assert ent.check_document(entry, canonical_json(doc))["doc_id"] == "HO-7"
    with pytest.raises(ent.EntryError):
        ent.check_document(entry, canonical_json({**doc, "seal": "A-2"}))
    with pytest.raises(ent.EntryError):
        ent.signature_entry(st, party.public_key(), b"\x00" * 64, ent.Custody.own)
    forged = entry.replace(b'"version":2', b'"version":3')
    with pytest.raises(ent.EntryError):
        ent.parse_signature_entry(forged)
    device = generate("weighbridge.example.cn/wb-03", Algorithm.sm2)
    w = ent.weighing_statement("WB-1", {"plate": "x", "salt": "s"}, 42_000_000, 15_000_000, 1)
    assert w["net_g"] == 27_000_000
    ent.parse_signature_entry(
        ent.signature_entry(
            w, device.public_key(), ent.sign_statement(device, w), ent.Custody.device
        )
    )
    with pytest.raises(ent.EntryError):
        ent.weighing_statement("WB-2", b"r", 1, 2, 3)
    with pytest.raises(ent.EntryError):
        ent.document_statement("", 1, doc, "ship", 1)
    a1 = ent.approval_entry("dg-declaration", "D-1", "approved", {"un": 1203}, "officer1", 5, "r1")
    a2 = ent.approval_entry("dg-declaration", "D-1", "approved", {"un": 1203}, "officer1", 5, "r1")
    assert a1 == a2
    with pytest.raises(ent.EntryError):
        ent.audit_anchor_entry(b"short", "audit")


def test_verifier_bad_types_do_not_crash() -> None:
    h = b"\x00" * 32
    assert not verify_inclusion("x", 0, 1, [], h)  # type: ignore[arg-type]
    assert not verify_inclusion(h, 0, 1, None, h)  # type: ignore[arg-type]
    assert not verify_inclusion(h, True, 2, [h], h)
    assert not verify_consistency(1, 2, h, h, "ab")  # type: ignore[arg-type]
    assert not verify_consistency(1, 1, h, None, [])  # type: ignore[arg-type]


def test_verifier_imports_no_database_layer() -> None:
    code = (
        "import sys, seawarden.ledger, seawarden.ledger.receipt, seawarden.ledger.entries,"
        " seawarden.ledger.explain;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'gmssl')"
        " or m.startswith(('seawarden.db', 'seawarden.ledger.service', 'seawarden.ledger.store'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
