"""Public test vectors: transparency-dev/merkle, the reference tree, Argon 2020 CT, signed note."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from seawarden.ledger import verify_consistency, verify_inclusion
from seawarden.ledger.hashing import SHA256, SM3
from seawarden.ledger.keys import KeyFormatError, parse_skey, parse_vkey
from seawarden.ledger.note import NoteError, open_note, sign_note
from seawarden.ledger.tree import MemoryTree, mth

DATA = Path(__file__).parents[1] / "data" / "merkle"
TD = DATA / "transparency-dev-merkle"
INCLUSION = sorted((TD / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((TD / "consistency").rglob("*.json"))
ARGON_OLD_SIZE = 3_654_490
ARGON_OLD_ROOT = "AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ="


def _b(value: str | None) -> bytes:
    return b"" if value is None else base64.b64decode(value)


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _id(path: Path) -> str:
    return str(path.relative_to(TD))


def test_all_vectors_are_present() -> None:
    assert len(INCLUSION) + len(CONSISTENCY) == 196


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_inclusion_vector(path: Path) -> None:
    v = _load(path)
    proof = [_b(h) for h in v["proof"] or []]
    got = verify_inclusion(_b(v["leafHash"]), v["leafIdx"], v["treeSize"], proof, _b(v["root"]))
    assert got is not v["wantErr"], v["desc"]


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_consistency_vector(path: Path) -> None:
    v = _load(path)
    proof = [_b(h) for h in v["proof"] or []]
    got = verify_consistency(v["size1"], v["size2"], _b(v["root1"]), _b(v["root2"]), proof)
    assert got is not v["wantErr"], v["desc"]


def test_reference_tree_roots_and_nodes() -> None:
    ref = _load(DATA / "transparency-dev-merkle-reference" / "reference-tree.json")
    leaves = [bytes.fromhex(x) for x in ref["leaf_inputs_hex"]]
    tree = MemoryTree(SHA256)
    assert tree.root().hex() == ref["root_hashes_hex_by_size"][0]
    for i, leaf in enumerate(leaves):
        tree.append(leaf)
        assert tree.root().hex() == ref["root_hashes_hex_by_size"][i + 1]
        assert mth([SHA256.leaf(x) for x in leaves[: i + 1]], SHA256) == tree.root()
    for level, row in enumerate(ref["node_hashes_hex_by_level"]):
        for idx, h in enumerate(row):
            assert tree.nodes[(level, idx)].hex() == h


def test_sm3_tree_and_known_answers() -> None:
    ref = _load(DATA / "derived-sm3" / "sm3-tree.json")
    known = ref["sm3_known_answers_from_GB_T_32905"]
    assert SM3.digest(b"abc").hex() == known["abc"]
    assert SM3.digest(b"abcd" * 16).hex() == known["abcd_x16"]
    from gmssl import sm3 as gm  # the second, independent SM3 implementation

    for data in (b"abc", b"", b"\x00" * 100):
        assert SM3.digest(data).hex() == gm.sm3_hash(list(data))
    tree = MemoryTree(SM3)
    assert tree.root().hex() == ref["root_hashes_hex_by_size"][0]
    for i, leaf in enumerate(ref["leaf_inputs_hex"]):
        tree.append(bytes.fromhex(leaf))
        assert tree.nodes[(0, i)].hex() == ref["leaf_hashes_hex"][i]
        assert tree.root().hex() == ref["root_hashes_hex_by_size"][i + 1]


def _flips(hashes: list[bytes]) -> list[list[bytes]]:
    out = []
    for i, h in enumerate(hashes):
        for bit in range(len(h) * 8):
            m = bytearray(h)
            m[bit // 8] ^= 1 << (bit % 8)
            out.append([*hashes[:i], bytes(m), *hashes[i + 1 :]])
    return out


@pytest.fixture(scope="module")
def argon() -> dict[str, Any]:
    d = DATA / "golang-mod-argon2020"
    sth = _load(d / "sth.json")
    proof = _load(d / "proof.json")
    return {
        "size": sth["tree_size"],
        "root": _b(sth["sha256_root_hash"]),
        "leaf": SHA256.leaf(_b(_load(d / "entries.json")["entries"][0]["leaf_input"])),
        "index": proof["leaf_index"],
        "path": [_b(h) for h in proof["audit_path"]],
        "consistency": [_b(h) for h in _load(d / "consistency.json")["consistency"]],
    }


def test_argon2020_inclusion_and_every_bit_flip(argon: dict[str, Any]) -> None:
    a = argon
    assert verify_inclusion(a["leaf"], a["index"], a["size"], a["path"], a["root"])
    for mutated in _flips(a["path"]):
        assert not verify_inclusion(a["leaf"], a["index"], a["size"], mutated, a["root"])
    for leaf in _flips([a["leaf"]]):
        assert not verify_inclusion(leaf[0], a["index"], a["size"], a["path"], a["root"])
    for root in _flips([a["root"]]):
        assert not verify_inclusion(a["leaf"], a["index"], a["size"], a["path"], root[0])
    for bit in range(34):
        index = a["index"] ^ (1 << bit)
        assert not verify_inclusion(a["leaf"], index, a["size"], a["path"], a["root"])
    # A proof does not commit to the tree size (the signed checkpoint does): sizes that keep
    # the proof's shape verify, as upstream; sizes that change it must fail.
    for size in (a["size"] * 2, a["size"] // 2, a["index"], 1 << 34):
        assert not verify_inclusion(a["leaf"], a["index"], size, a["path"], a["root"])


def test_argon2020_consistency_and_every_bit_flip(argon: dict[str, Any]) -> None:
    a = argon
    old = _b(ARGON_OLD_ROOT)
    proof = a["consistency"]
    assert verify_consistency(ARGON_OLD_SIZE, a["size"], old, a["root"], proof)
    for mutated in _flips(proof):
        assert not verify_consistency(ARGON_OLD_SIZE, a["size"], old, a["root"], mutated)
    for root in _flips([old]):
        assert not verify_consistency(ARGON_OLD_SIZE, a["size"], root[0], a["root"], proof)
    for root in _flips([a["root"]]):
        assert not verify_consistency(ARGON_OLD_SIZE, a["size"], old, root[0], proof)
    for bit in range(34):
        assert not verify_consistency(ARGON_OLD_SIZE ^ (1 << bit), a["size"], old, a["root"], proof)
    for size in (a["size"] * 2, a["size"] // 2, ARGON_OLD_SIZE):
        assert not verify_consistency(ARGON_OLD_SIZE, size, old, a["root"], proof)


@pytest.fixture(scope="module")
def note_vector() -> dict[str, Any]:
    return _load(DATA / "golang-mod-signed-note" / "signed-note-ed25519.json")


def test_signed_note_resigns_byte_for_byte(note_vector: dict[str, Any]) -> None:
    v = note_vector
    signer = parse_skey(v["signer_key"])
    assert signer.skey() == v["signer_key"]
    assert signer.public_key().vkey() == v["verifier_key"]
    assert sign_note(v["text"], [signer]) == v["signed_note"]
    opened = open_note(v["signed_note"], [parse_vkey(v["verifier_key"])])
    assert opened.note.text == v["text"]


def test_signed_note_second_key_and_unknown_keys(note_vector: dict[str, Any]) -> None:
    v = note_vector
    first, second = parse_vkey(v["verifier_key"]), parse_vkey(v["second_verifier_key"])
    both = v["signed_note"] + v["second_signature_line"]
    assert [k.name for k in open_note(both, [first, second]).verified] == [
        "PeterNeumann",
        "EnochRoot",
    ]
    assert [k.name for k in open_note(both, [second]).verified] == ["EnochRoot"]
    renamed = v["signed_note"].replace("PeterNeumann x08", "CarmenSandiego x08")
    with pytest.raises(NoteError):
        open_note(renamed, [first])


def test_signed_note_negative_cases(note_vector: dict[str, Any]) -> None:
    v = note_vector
    key = v["verifier_key"]
    for i in range(len(key)):
        for j in range(i + 1, len(key) + 1):
            if (i, j) != (0, len(key)):
                with pytest.raises(KeyFormatError):
                    parse_vkey(key[i:j])
        with pytest.raises(KeyFormatError):
            parse_vkey(key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :])
    for case in v["negative_cases"][1:3]:
        with pytest.raises(KeyFormatError):
            parse_vkey(case["what"])
    sig_line = v["signed_note"].split("\n\n")[1]
    _, blob = sig_line[2:].split(" ")
    bad = v["signed_note"].replace(blob, blob[:10] + "ABCD" + blob[10:])
    with pytest.raises(NoteError):
        open_note(bad, [parse_vkey(key)])
    tampered = v["signed_note"].replace("cryptography", "cryptographY")
    with pytest.raises(NoteError):
        open_note(tampered, [parse_vkey(key)])
