"""Reading and hashing the log for verification at speed, in pieces that can be checked
side by side in worker processes.

An entry is stored as the canonical bytes it is hashed over (`leaf`), so reading it is
one column straight from the driver. A piece is a run of entries [lo, hi) (leaf
indices; entry seq = index + 1): its leaves are hashed and paired up into every
perfect subtree of the Merkle tree that lies inside it, and it answers with those of
them that make up [lo, hi) and [lo, c) for each signed checkpoint size c inside it.
Where the chain must be checked too (past the last checkpoint a key vouches for), each
entry's chain hash is computed and checked against the next entry's link.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.audit.merkle import Hash

_sha256 = hashlib.sha256
Node = tuple[int, int]  # (level, index): leaves [index << level, (index + 1) << level)


@dataclass(frozen=True, slots=True)
class Piece:
    lo: int
    hi: int
    cuts: tuple[int, ...] = ()  # checkpoint sizes c, lo < c <= hi
    chain: bool = False  # check the links too


@dataclass(frozen=True, slots=True)
class Hashed:
    """What a piece answers: the subtrees of [lo, hi) and of [lo, c) for each cut, in
    order (level, hash); with the chain, the first entry's link and the last's hash.
    `missing` (a seq) or `broken` (the seq whose link is wrong) when it failed."""

    subtrees: list[tuple[int, Hash]]
    at_cuts: list[list[tuple[int, Hash]]]
    first_link: str | None = None
    last_hash: str | None = None
    missing: int | None = None
    broken: int | None = None


def subtrees(lo: int, hi: int) -> list[Node]:
    """The perfect subtrees [lo, hi) falls into when appended after `lo` leaves."""
    found: list[Node] = []
    at = lo
    while at < hi:
        level = (at & -at).bit_length() - 1 if at else (hi - at).bit_length()
        while at + (1 << level) > hi:
            level -= 1
        found.append((level, at >> level))
        at += 1 << level
    return found


def _levels(lo: int, leaves: list[Hash]) -> list[tuple[int, list[Hash]]]:
    """Every node wholly inside [lo, lo + len(leaves)), per level: (first index, hashes)."""
    rows = [(lo, leaves)]
    while True:
        first, row = rows[-1]
        start, stop = (first + 1) // 2, (first + len(row)) // 2
        if stop <= start:
            return rows
        off = 2 * start - first
        rows.append(
            (
                start,
                [
                    _sha256(b"\x01" + row[i] + row[i + 1]).digest()
                    for i in range(off, off + 2 * (stop - start), 2)
                ],
            )
        )


def read(cursor: Any, lo: int, hi: int, *, links: bool = False) -> list[Any] | int:
    """The rows (leaf[, prev_hash]) of entries lo + 1 .. hi in order, or the first seq
    missing. `seq` is the key: as many rows as there are integers in (lo, hi] means
    every one of them is there, so the seqs themselves need not be handed over."""
    columns = "leaf, prev_hash" if links else "leaf"
    where = f"FROM audit_entries WHERE seq > {int(lo)} AND seq <= {int(hi)}"
    cursor.execute(f"SELECT {columns} {where} ORDER BY seq")
    rows: list[Any] = cursor.fetchall()
    if len(rows) == hi - lo:
        return rows
    cursor.execute(f"SELECT seq {where} ORDER BY seq")
    seqs = [row[0] for row in cursor.fetchall()]
    return next((lo + 1 + i for i, s in enumerate(seqs) if s != lo + 1 + i), lo + 1 + len(seqs))


def leaf_bytes(value: Any) -> bytes:
    """A stored leaf's bytes, whatever the driver handed over."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def hash_piece(cursor: Any, piece: Piece) -> Hashed:
    found = read(cursor, piece.lo, piece.hi, links=piece.chain)
    if isinstance(found, int):
        return Hashed([], [], missing=found)
    # Text as the gateway stores it; any other value (bytes put there by hand) is hashed
    # as the bytes it is, and the columns derived from it then fail to read.
    data = [row[0].encode() if type(row[0]) is str else leaf_bytes(row[0]) for row in found]
    first_link = last_hash = None
    if piece.chain and found:
        links = [_text(row[1]) for row in found]
        digests = [_sha256(d).hexdigest() for d in data]
        if links[1:] != digests[:-1]:
            at = next(i for i in range(1, len(data)) if links[i] != digests[i - 1])
            return Hashed([], [], broken=piece.lo + 1 + at)
        first_link, last_hash = links[0], digests[-1]
    levels = _levels(piece.lo, [_sha256(b"\x00" + d).digest() for d in data])

    def nodes(hi: int) -> list[tuple[int, Hash]]:
        return [(lv, levels[lv][1][i - levels[lv][0]]) for lv, i in subtrees(piece.lo, hi)]

    return Hashed(nodes(piece.hi), [nodes(c) for c in piece.cuts], first_link, last_hash)


# A worker process's own connection (`open_worker`), read-only.
_worker: dict[str, Any] = {}


def open_worker(url: str, dialect: str) -> None:
    if dialect == "sqlite":
        path = Path(url).resolve().as_uri()  # percent-encoded, as a URI wants
        connection: Any = sqlite3.connect(f"{path}?mode=ro", uri=True)
        connection.text_factory = bytes  # the leaves as stored, nothing decoded
        connection.execute("PRAGMA mmap_size = 268435456")  # read the pages in place
    else:
        import psycopg
        from psycopg.adapt import Loader

        class Raw(Loader):
            def load(self, data: Any) -> bytes:
                return bytes(data)

        connection = psycopg.connect(url)
        connection.adapters.register_loader("text", Raw)  # the leaves as sent, not decoded
    _worker["cursor"] = connection.cursor()


def hash_in_worker(piece: Piece) -> Hashed:
    return hash_piece(_worker["cursor"], piece)
