"""The tree follows RFC 9162 §2.1: cross-checked against the RFC's own recursive
definitions, written out again here independently of gateway.audit.merkle, and
against the published test vectors of transparency-dev/merkle (testonly/constants.go)."""

from __future__ import annotations

import hashlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.audit import merkle

# The reference: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, as literally as Python allows.


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def k_of(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return sha(b"")
    if n == 1:
        return sha(b"\x00" + d[0])
    k = k_of(n)
    return sha(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = k_of(n)
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    return subproof(m, d, True)


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = k_of(n)
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


# transparency-dev/merkle testonly: LeafInputs() and RootHashes().
VECTOR_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
VECTOR_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


@pytest.mark.parametrize("size", range(len(VECTOR_ROOTS)))
def test_roots_match_the_published_vectors(size: int) -> None:
    leaves = [merkle.leaf_hash(x) for x in VECTOR_LEAVES[:size]]
    assert merkle.root(leaves).hex() == VECTOR_ROOTS[size]
    assert mth(VECTOR_LEAVES[:size]).hex() == VECTOR_ROOTS[size]
    compact = merkle.CompactRange()
    for leaf in leaves:
        compact.append(leaf)
    assert compact.root().hex() == VECTOR_ROOTS[size]


def leaves_of(n: int) -> list[bytes]:
    return [f"entry {i}".encode() * (i % 3 + 1) for i in range(n)]


def from_ranges(ranges: list[tuple[int, int]], data: list[bytes]) -> list[bytes]:
    hashed = [merkle.leaf_hash(x) for x in data]
    return [merkle.root(hashed[lo:hi]) for lo, hi in ranges]


@pytest.mark.parametrize("n", [*range(1, 70), 127, 128, 129, 255, 256, 257, 1000])
def test_root_and_every_inclusion_proof_match_the_rfc(n: int) -> None:
    data = leaves_of(n)
    hashed = [merkle.leaf_hash(x) for x in data]
    root = merkle.root(hashed)
    assert root == mth(data)
    for m in range(n):
        expected = path(m, data)
        ranges = merkle.inclusion_ranges(m, n)
        assert from_ranges(ranges, data) == expected
        assert len(expected) <= math.ceil(math.log2(n))
        assert merkle.verify_inclusion(hashed[m], m, n, expected, root)
        if expected:
            wrong = [expected[0][:-1] + bytes([expected[0][-1] ^ 1]), *expected[1:]]
            assert not merkle.verify_inclusion(hashed[m], m, n, wrong, root)
            assert not merkle.verify_inclusion(hashed[m], m, n, expected[:-1], root)
        assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), m, n, expected, root)
        if n > 1:
            assert not merkle.verify_inclusion(hashed[m], (m + 1) % n, n, expected, root)


@pytest.mark.parametrize("n", [*range(1, 40), 64, 65, 100, 257])
def test_every_consistency_proof_matches_the_rfc(n: int) -> None:
    data = leaves_of(n)
    second = mth(data)
    for m in range(1, n + 1):
        expected = proof(m, data) if m < n else []
        ranges = merkle.consistency_ranges(m, n)
        assert from_ranges(ranges, data) == expected
        assert len(expected) <= math.ceil(math.log2(n)) + 1
        first = mth(data[:m])
        assert merkle.verify_consistency(m, n, expected, first, second)
        if expected:
            assert not merkle.verify_consistency(m, n, expected, sha(b"other"), second)
            assert not merkle.verify_consistency(m, n, expected, first, sha(b"other"))
            assert not merkle.verify_consistency(m, n, expected[:-1], first, second)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 3000), data=st.data())
def test_proof_sizes_are_logarithmic(n: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(0, n - 1))
    bound = math.ceil(math.log2(n)) if n > 1 else 0
    assert len(merkle.inclusion_ranges(m, n)) <= bound
    first = data.draw(st.integers(1, n))
    assert len(merkle.consistency_ranges(first, n)) <= bound + 1


def test_every_range_of_a_proof_is_aligned() -> None:
    """What the store relies on: each range is a fold of stored perfect subtrees."""
    for n in range(1, 300):
        ranges = [r for m in range(n) for r in merkle.inclusion_ranges(m, n)]
        ranges += [r for m in range(1, n) for r in merkle.consistency_ranges(m, n)]
        for lo, hi in ranges:
            span = 1 << (hi - lo - 1).bit_length()
            assert lo % span == 0
