"""The Merkle tree of RFC 9162 §2.1 (Certificate Transparency v2), SHA-256.

MTH of no leaves is SHA-256 of the empty string; of one leaf SHA-256(0x00 || leaf);
of n > 1 leaves SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two
smaller than n. Everything here works on leaf *hashes* and on ranges [lo, hi) of leaf
indices, so that the store (`gateway.audit.tree`) can answer a range with the hashes
it keeps instead of rehashing the log.

Every range the RFC's recursion names is *aligned*: `lo` is a multiple of the smallest
power of two ≥ hi - lo. Its hash is then the fold of the perfect subtrees of its binary
decomposition (`pieces`), largest first, each one node (level, index) of the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Hash = bytes
Range = tuple[int, int]
Piece = tuple[int, int]  # (level, index): leaves [index << level, (index + 1) << level)

EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256


def leaf_hash(leaf: bytes) -> Hash:
    return _sha256(b"\x00" + leaf).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    return _sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def levels(leaves: Sequence[Hash]) -> list[list[Hash]]:
    """Every level of the tree over `leaves`, pairing left to right.

    A node left without a partner moves up unchanged: level by level this gives
    exactly the RFC's tree, with one list comprehension of hashes per level.
    """
    rows = [list(leaves)]
    while len(rows[-1]) > 1:
        row = rows[-1]
        up = [_sha256(b"\x01" + a + b).digest() for a, b in zip(row[::2], row[1::2], strict=False)]
        if len(row) % 2:
            up.append(row[-1])
        rows.append(up)
    return rows


def root(leaves: Sequence[Hash]) -> Hash:
    """MTH over the leaf hashes `leaves`."""
    if not leaves:
        return EMPTY_ROOT
    return levels(leaves)[-1][0]


def fold(hashes: Sequence[Hash]) -> Hash:
    """The hash of consecutive perfect subtrees, largest first (a compact range)."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def pieces(lo: int, hi: int) -> list[Piece]:
    """The perfect subtrees of the aligned range [lo, hi), largest first."""
    found: list[Piece] = []
    size, at = hi - lo, lo
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            found.append((level, at >> level))
            at += 1 << level
    return found


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 as ranges, from the leaf up."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    path: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split(hi - lo)
        if index < lo + k:
            path.append((lo + k, hi))
            hi = lo + k
        else:
            path.append((lo, lo + k))
            lo += k
    path.reverse()
    return path


def consistency_ranges(first: int, second: int) -> list[Range]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 as ranges, from the bottom up."""
    if not 0 <= first <= second:
        raise ValueError("the first tree is larger than the second")
    if first in (0, second):
        return []
    proof: list[Range] = []
    lo, hi, m, whole = 0, second, first, True
    while m != hi - lo:
        k = split(hi - lo)
        if m <= k:
            proof.append((lo + k, hi))
            hi = lo + k
        else:
            proof.append((lo, lo + k))
            m -= k
            lo += k
            whole = False
    if not whole:
        proof.append((lo, hi))
    proof.reverse()
    return proof


def verify_inclusion(
    leaf: Hash, index: int, size: int, path: Sequence[Hash], expected_root: Hash
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, result = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and result == expected_root


def verify_consistency(
    first: int, second: int, proof: Sequence[Hash], first_root: Hash, second_root: Hash
) -> bool:
    """RFC 9162 §2.1.4.2; equal sizes need an empty proof and equal roots."""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


def hashes_of(ranges: Sequence[Range], piece: Callable[[Piece], Hash]) -> list[Hash]:
    """The hash of each aligned range, from the hashes of its perfect subtrees."""
    return [fold([piece(p) for p in pieces(lo, hi)]) for lo, hi in ranges]


class CompactRange:
    """The perfect subtrees of the leaves so far, largest first: an appendable root."""

    __slots__ = ("size", "stack")

    def __init__(self, size: int = 0, stack: list[Hash] | None = None) -> None:
        self.size = size
        self.stack = stack or []

    def append(self, leaf: Hash) -> None:
        self.append_subtree(leaf, 0)

    def append_subtree(self, subtree: Hash, level: int) -> None:
        """Adds a perfect subtree of 2**level leaves; the size must be a multiple of it."""
        count = self.size >> level
        while count & 1:
            subtree = node_hash(self.stack.pop(), subtree)
            count >>= 1
        self.stack.append(subtree)
        self.size += 1 << level

    def root(self) -> Hash:
        return fold(self.stack)
