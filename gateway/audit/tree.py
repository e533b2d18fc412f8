"""The Merkle tree over the audit entries, as the database keeps it.

Leaf i is entry seq i + 1; its leaf input is the entry's canonical bytes
(`gateway.audit.chain`). The hash of every perfect subtree of 2**4 leaves and more is
stored (`AuditTreeNode`) once a checkpoint covers it, so a root or a proof reads
O(log n) stored hashes and hashes at most a few blocks of 16 entries.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Row, insert, select, tuple_
from sqlalchemy.orm import Session

from gateway.audit import merkle
from gateway.audit.chain import stored_leaf_hash
from gateway.audit.merkle import Hash, Piece, Range
from gateway.audit.models import MIN_STORED_LEVEL, AuditEntry, AuditTreeNode

BLOCK = 1 << MIN_STORED_LEVEL
# Entries read per query while building the stored nodes of a long stretch of log.
BUILD_BATCH = 1 << 14
_ENTRY_ROWS = select(AuditEntry.seq, AuditEntry.leaf, AuditEntry.prev_hash)
_INSERT_NODES = insert(AuditTreeNode)


class TreeError(Exception):
    """The stored log does not hold what the tree needs (entries or nodes missing)."""


def entry_rows(session: Session, lo: int, hi: int) -> list[Row[int, str, str]]:
    """The entries of leaves [lo, hi), all of them, in order."""
    query = _ENTRY_ROWS.where(AuditEntry.seq > lo, AuditEntry.seq <= hi).order_by(AuditEntry.seq)
    rows = list(session.execute(query))
    if [row.seq for row in rows] != list(range(lo + 1, hi + 1)):
        raise TreeError(f"entries between {lo + 1} and {hi} are missing")
    return rows


def leaf_hashes(session: Session, lo: int, hi: int) -> list[Hash]:
    return [stored_leaf_hash(row.leaf) for row in entry_rows(session, lo, hi)]


def piece_hashes(session: Session, wanted: Iterable[Piece]) -> dict[Piece, Hash]:
    """The hash of each perfect subtree: stored, or hashed from its few entries."""
    wanted = set(wanted)
    stored = [p for p in wanted if p[0] >= MIN_STORED_LEVEL]
    found: dict[Piece, Hash] = {}
    if stored:
        key = tuple_(AuditTreeNode.level, AuditTreeNode.position)
        query = select(AuditTreeNode.level, AuditTreeNode.position, AuditTreeNode.hash)
        for level, position, value in session.execute(query.where(key.in_(stored))):
            found[(level, position)] = value
    small = [p for p in wanted if p[0] < MIN_STORED_LEVEL]
    seqs = sorted({i + 1 for level, at in small for i in range(at << level, (at + 1) << level)})
    if seqs:
        rows = session.execute(_ENTRY_ROWS.where(AuditEntry.seq.in_(seqs)))
        leaves = {row.seq - 1: stored_leaf_hash(row.leaf) for row in rows}
        for level, at in small:
            span = range(at << level, (at + 1) << level)
            if any(i not in leaves for i in span):
                raise TreeError("entries of the tree are missing")
            found[(level, at)] = merkle.root([leaves[i] for i in span])
    if len(found) != len(wanted):
        raise TreeError("stored subtree hashes are missing")
    return found


def range_hashes(session: Session, ranges: list[Range]) -> list[Hash]:
    found = piece_hashes(session, (p for lo, hi in ranges for p in merkle.pieces(lo, hi)))
    return merkle.hashes_of(ranges, found.__getitem__)


def root_at(session: Session, size: int) -> Hash:
    """MTH of the first `size` entries (the stored nodes must cover them)."""
    return range_hashes(session, [(0, size)])[0] if size else merkle.EMPTY_ROOT


def inclusion_proof(session: Session, index: int, size: int) -> list[Hash]:
    return range_hashes(session, merkle.inclusion_ranges(index, size))


def consistency_proof(session: Session, first: int, second: int) -> list[Hash]:
    return range_hashes(session, merkle.consistency_ranges(first, second))


def extend(session: Session, old: int, new: int) -> int:
    """Stores the perfect subtrees completed by leaves [old, new); returns how many.

    Each level is built from the one below; only the left child of the first new node
    of a level can be older, and is read back from the store.
    """
    first = old >> MIN_STORED_LEVEL
    end = new >> MIN_STORED_LEVEL
    if end <= first:
        return 0
    row: list[Hash] = []
    for lo in range(first * BLOCK, end * BLOCK, BUILD_BATCH):
        leaves = leaf_hashes(session, lo, min(lo + BUILD_BATCH, end * BLOCK))
        row += [merkle.root(leaves[b : b + BLOCK]) for b in range(0, len(leaves), BLOCK)]
    nodes = [(MIN_STORED_LEVEL, first + i, h) for i, h in enumerate(row)]
    level = MIN_STORED_LEVEL
    while (up_end := new >> (level + 1)) > (up_first := old >> (level + 1)):
        if 2 * up_first < first:
            row = [_stored(session, level, first - 1), *row]
            first -= 1
        row = [merkle.node_hash(row[2 * i], row[2 * i + 1]) for i in range(up_end - up_first)]
        level, first = level + 1, up_first
        nodes += [(level, first + i, h) for i, h in enumerate(row)]
    values = [{"level": lv, "position": at, "hash": h} for lv, at, h in nodes]
    for b in range(0, len(values), BUILD_BATCH):
        session.execute(_INSERT_NODES, values[b : b + BUILD_BATCH])
    return len(values)


def _stored(session: Session, level: int, position: int) -> Hash:
    found = piece_hashes(session, [(level, position)])
    return found[(level, position)]
