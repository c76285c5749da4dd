"""RFC 9162 Merkle tree structure: perfect subtrees, proof plans, roots and appends.

Pure functions over node identifiers. A node ``(level, index)`` is the perfect subtree of
``2**level`` leaves starting at leaf ``index << level``; once all its leaves exist its hash
never changes, so a log stores each such hash once and builds any proof for any tree size
from at most about ``2 * log2(size)`` of them (no leaf is rehashed).

A proof element is a *plan*: the list of perfect subtrees that cover one range of leaves,
left to right. A single node is read as is; several (the right border of a tree whose size
is not a power of two) are folded right to left into one hash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from seawarden.ledger.hashing import Hasher

NodeId = tuple[int, int]
"""``(level, index)`` of a perfect subtree; level 0 is a leaf."""

Plan = list[NodeId]
"""The perfect subtrees covering one range of leaves, left to right."""


class TreeError(ValueError):
    """A request about a tree that cannot be answered (index beyond size, missing node)."""


def _largest_power_below(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> Plan:
    """The perfect subtrees covering leaves ``[start, end)`` of an RFC 9162 subtree.

    ``start`` must be aligned as in the RFC's recursion (a multiple of the largest power of
    two not above ``end - start``), which holds for every range a proof asks for.
    """
    nodes: Plan = []
    pos = start
    remaining = end - start
    while remaining:
        level = remaining.bit_length() - 1
        nodes.append((level, pos >> level))
        pos += 1 << level
        remaining -= 1 << level
    return nodes


def border(size: int) -> Plan:
    """The perfect subtrees whose fold is the root of a tree of ``size`` leaves."""
    return range_nodes(0, size)


def inclusion_plan(index: int, size: int) -> list[Plan]:
    """The audit path of leaf ``index`` in a tree of ``size`` (RFC 9162 PATH), as plans."""
    if not 0 <= index < size:
        raise TreeError(f"index {index} is not in a tree of {size} leaves")
    out: list[Plan] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _largest_power_below(end - start)
        if m < k:
            out.append(range_nodes(start + k, end))
            end = start + k
        else:
            out.append(range_nodes(start, start + k))
            start, m = start + k, m - k
    out.reverse()
    return out


def consistency_plan(size1: int, size2: int) -> list[Plan]:
    """The consistency proof from ``size1`` to ``size2`` (RFC 9162 SUBPROOF), as plans."""
    if not 0 <= size1 <= size2:
        raise TreeError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == 0 or size1 == size2:
        return []
    out: list[Plan] = []
    start, end, m, whole = 0, size2, size1, True
    while True:
        n = end - start
        if m == n:
            if not whole:
                out.append(range_nodes(start, end))
            break
        k = _largest_power_below(n)
        if m <= k:
            out.append(range_nodes(start + k, end))
            end = start + k
        else:
            out.append(range_nodes(start, start + k))
            start, m, whole = start + k, m - k, False
    out.reverse()
    return out


def needed(plans: Iterable[Plan]) -> set[NodeId]:
    """Every node the plans read."""
    return {node for plan in plans for node in plan}


def fold(plan: Sequence[NodeId], hashes: Mapping[NodeId, bytes], hasher: Hasher) -> bytes:
    """The hash of the range covered by ``plan`` (right-to-left fold of its nodes)."""
    try:
        h = hashes[plan[-1]]
        for node in reversed(plan[:-1]):
            h = hasher.node(hashes[node], h)
    except KeyError as exc:
        raise TreeError(f"node {exc.args[0]} is missing") from None
    return h


def materialise(
    plans: Sequence[Plan], hashes: Mapping[NodeId, bytes], hasher: Hasher
) -> list[bytes]:
    """The proof hashes of ``plans`` given the hashes of their nodes."""
    return [fold(plan, hashes, hasher) for plan in plans]


def root(size: int, hashes: Mapping[NodeId, bytes], hasher: Hasher) -> bytes:
    """The root of the tree of ``size`` leaves from its border nodes."""
    if size == 0:
        return hasher.empty_root()
    return fold(border(size), hashes, hasher)


Border = list[tuple[int, int, bytes]]
"""The right border of a tree: ``(level, index, hash)`` of its perfect subtrees, left first."""


def append_leaf(bound: Border, index: int, leaf_hash: bytes, hasher: Hasher) -> Border:
    """Add leaf ``index`` to a tree whose right border is ``bound`` (changed in place).

    Returns the perfect subtrees completed by this leaf, the leaf itself first.
    """
    new: Border = [(0, index, leaf_hash)]
    level, idx, h = 0, index, leaf_hash
    while idx & 1:
        left_level, left_idx, left = bound.pop()
        if (left_level, left_idx) != (level, idx - 1):
            raise TreeError(f"border node {(left_level, left_idx)} is not left of {(level, idx)}")
        h = hasher.node(left, h)
        level, idx = level + 1, idx >> 1
        new.append((level, idx, h))
    bound.append((level, idx, h))
    return new


def mth(leaf_hashes: Sequence[bytes], hasher: Hasher) -> bytes:
    """The RFC 9162 Merkle tree hash of a list of leaf hashes, by the recursive definition."""
    n = len(leaf_hashes)
    if n == 0:
        return hasher.empty_root()
    if n == 1:
        return leaf_hashes[0]
    k = _largest_power_below(n)
    return hasher.node(mth(leaf_hashes[:k], hasher), mth(leaf_hashes[k:], hasher))


class MemoryTree:
    """A whole tree in memory (every perfect subtree kept): for tests, tools and benchmarks."""

    def __init__(self, hasher: Hasher) -> None:
        self.hasher = hasher
        self.nodes: dict[NodeId, bytes] = {}
        self.bound: Border = []
        self.size = 0

    def append_hash(self, leaf_hash: bytes) -> int:
        """Append a leaf hash; returns its index."""
        for level, idx, h in append_leaf(self.bound, self.size, leaf_hash, self.hasher):
            self.nodes[(level, idx)] = h
        self.size += 1
        return self.size - 1

    def append(self, data: bytes) -> int:
        """Append an entry (hashed as a leaf); returns its index."""
        return self.append_hash(self.hasher.leaf(data))

    def root(self, size: int | None = None) -> bytes:
        """The root at ``size`` (default: now)."""
        return root(self.size if size is None else self._size(size), self.nodes, self.hasher)

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        """The inclusion proof of ``index`` at ``size`` (default: now)."""
        size = self.size if size is None else self._size(size)
        return materialise(inclusion_plan(index, size), self.nodes, self.hasher)

    def consistency(self, size1: int, size2: int | None = None) -> list[bytes]:
        """The consistency proof from ``size1`` to ``size2`` (default: now)."""
        size2 = self.size if size2 is None else self._size(size2)
        return materialise(consistency_plan(size1, size2), self.nodes, self.hasher)

    def _size(self, size: int) -> int:
        if not 0 <= size <= self.size:
            raise TreeError(f"size {size} is beyond the tree ({self.size} leaves)")
        return size


NodeReader = Callable[[set[NodeId]], Mapping[NodeId, bytes]]
"""Reads the hashes of a set of perfect subtrees (from a database, a file, memory)."""


def prove_inclusion(read: NodeReader, index: int, size: int, hasher: Hasher) -> list[bytes]:
    """The inclusion proof of ``index`` at ``size`` from stored perfect subtrees."""
    plans = inclusion_plan(index, size)
    return materialise(plans, read(needed(plans)), hasher)


def prove_consistency(read: NodeReader, size1: int, size2: int, hasher: Hasher) -> list[bytes]:
    """The consistency proof from ``size1`` to ``size2`` from stored perfect subtrees."""
    plans = consistency_plan(size1, size2)
    return materialise(plans, read(needed(plans)), hasher)


def root_at(read: NodeReader, size: int, hasher: Hasher) -> bytes:
    """The root of the tree of ``size`` from stored perfect subtrees."""
    if size == 0:
        return hasher.empty_root()
    plan = border(size)
    return fold(plan, read(set(plan)), hasher)
