"""Property tests: random trees up to 512 leaves; every proof verifies, every mutation fails."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from seawarden.ledger import verify_consistency, verify_inclusion
from seawarden.ledger.hashing import SHA256
from seawarden.ledger.tree import MemoryTree, mth

MAX = 512


@lru_cache(maxsize=1)
def _tree() -> MemoryTree:
    tree = MemoryTree(SHA256)
    for i in range(MAX):
        tree.append(i.to_bytes(4, "big") * (i % 5 + 1))
    return tree


def _mutations(hashes: list[bytes]) -> list[list[bytes]]:
    """Every single-bit flip, plus dropped, added, duplicated and swapped elements."""
    out: list[list[bytes]] = []
    for i, h in enumerate(hashes):
        for bit in range(len(h) * 8):
            m = bytearray(h)
            m[bit // 8] ^= 1 << (bit % 8)
            out.append([*hashes[:i], bytes(m), *hashes[i + 1 :]])
        out.append(hashes[:i] + hashes[i + 1 :])
        out.append([*hashes[:i], h, *hashes[i:]])
        if i + 1 < len(hashes) and hashes[i] != hashes[i + 1]:
            out.append([*hashes[:i], hashes[i + 1], hashes[i], *hashes[i + 2 :]])
    out.append([*hashes, b"\x00" * 32])
    out.append([b"\x00" * 32, *hashes])
    return out


def _flip(h: bytes, bit: int) -> bytes:
    m = bytearray(h)
    m[bit // 8] ^= 1 << (bit % 8)
    return bytes(m)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_inclusion_proofs_verify_and_mutations_fail(data: st.DataObject) -> None:
    tree = _tree()
    size = data.draw(st.integers(1, MAX), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = tree.root(size)
    leaf = tree.nodes[(0, index)]
    proof = tree.inclusion(index, size)
    assert verify_inclusion(leaf, index, size, proof, root)
    for mutated in _mutations(proof):
        assert not verify_inclusion(leaf, index, size, mutated, root)
    for bit in range(256):
        assert not verify_inclusion(_flip(leaf, bit), index, size, proof, root)
        assert not verify_inclusion(leaf, index, size, proof, _flip(root, bit))
    for other in {index - 1, index + 1, index ^ 1, size} - {index}:
        if tree.nodes.get((0, other)) != leaf:
            assert not verify_inclusion(leaf, other, size, proof, root)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_consistency_proofs_verify_and_mutations_fail(data: st.DataObject) -> None:
    tree = _tree()
    size2 = data.draw(st.integers(1, MAX), label="size2")
    size1 = data.draw(st.integers(1, size2), label="size1")
    root1, root2 = tree.root(size1), tree.root(size2)
    proof = tree.consistency(size1, size2)
    assert verify_consistency(size1, size2, root1, root2, proof)
    for mutated in _mutations(proof):
        assert not verify_consistency(size1, size2, root1, root2, mutated)
    for bit in range(256):
        assert not verify_consistency(size1, size2, _flip(root1, bit), root2, proof)
        assert not verify_consistency(size1, size2, root1, _flip(root2, bit), proof)
    if size1 < size2:
        assert not verify_consistency(size1, size2, root2, root1, proof)
        assert not verify_consistency(size1 + 1, size2, root1, root2, proof)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, MAX))
def test_incremental_root_equals_recursive_definition(size: int) -> None:
    tree = _tree()
    leaves = [tree.nodes[(0, i)] for i in range(size)]
    assert tree.root(size) == mth(leaves, SHA256)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=40),
    st.integers(-5, 2**64 + 5),
    st.integers(-5, 2**64 + 5),
    st.lists(st.binary(max_size=40), max_size=70),
    st.binary(max_size=40),
)
def test_arbitrary_input_never_crashes(
    leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes
) -> None:
    assert verify_inclusion(leaf, index, size, proof, root) in (True, False)
    assert verify_consistency(index, size, leaf, root, proof) in (True, False)
