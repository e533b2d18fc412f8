"""Verifying the audit log: the hash chain, the Merkle tree and the signed checkpoints.

The entries are read in order, a batch at a time, straight from the driver
(`gateway.audit.fastread`); each batch is checked in bulk (the
sequence, the links, the chain hashes as list comparisons; the leaf hashes and the
tree a block of `BLOCK` leaves at a time), and the root is compared with every signed
checkpoint on the way. From a checkpoint, the walk starts at its size: the stored
subtree hashes that make up its root are checked against the signed root, and the
last entry it covers against an inclusion proof, before the newer entries are read.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import fastread, merkle, tree
from gateway.audit.chain import entry_hash, entry_leaf_hash
from gateway.audit.checkpoints import note_text
from gateway.audit.models import GENESIS_HASH, AuditCheckpoint, AuditHead
from gateway.crypto.notes import NoteError, NoteVerifier, open_note

LOG_BLOCK = 6
BLOCK = 1 << LOG_BLOCK
_sha256 = hashlib.sha256


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
    checkpoints: int = 0


class Failure(Exception):
    def __init__(self, seq: int | None, problem: str) -> None:
        super().__init__(problem)
        self.seq, self.problem = seq, problem
        # For a root that does not match: the last size that did.
        self.since: int | None = None


def _first_difference(a: Sequence[object], b: Sequence[object]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))


class LogVerifier:
    """Takes the entries in order and checks them against the chain and the checkpoints."""

    def __init__(
        self,
        checkpoints: dict[int, str],
        *,
        compact: merkle.CompactRange | None = None,
        prev_hash: str = GENESIS_HASH,
        signed: bool = True,
    ) -> None:
        self.compact = compact or merkle.CompactRange()
        self.prev_hash = prev_hash
        self.checkpoints = checkpoints
        self.due = sorted(size for size in checkpoints if size > self.compact.size)
        # Below the last checkpoint each entry's bytes are held by a signed root, and its
        # chain hash by the next entry's link: the chain hashes need computing only from
        # there on (and, to name the entry, where a root does not match: `pinpoint`).
        # Only when the roots' signatures were checked: a root no key vouches for holds
        # nothing, and then every chain hash is computed.
        self.signed_below = self.due[-1] if self.due and signed else 0
        self.matched = 0
        self.last_matched = self.compact.size

    @property
    def size(self) -> int:
        return self.compact.size

    def feed(
        self, seqs: list[int], leaves: list[bytes], hashes: list[str], prevs: list[str]
    ) -> None:
        """One batch: `leaves` the canonical bytes, `hashes`/`prevs` as stored."""
        n, start = len(seqs), self.size + 1
        bad: list[tuple[int, str]] = []
        if seqs != list(range(start, start + n)):
            i = _first_difference(seqs, range(start, start + n))
            bad.append((i, f"entry {start + i} is missing"))
        if prevs != [self.prev_hash, *hashes[:-1]]:
            i = _first_difference(prevs, [self.prev_hash, *hashes[:-1]])
            bad.append((i, "the link to the previous entry is broken"))
        cut = min(max(self.signed_below - start, 0), n)
        computed = [_sha256(c).hexdigest() for c in leaves[cut:]]
        if computed != hashes[cut:]:
            i = cut + _first_difference(computed, hashes[cut:])
            bad.append((i, "the entry was changed"))
        if bad:
            i, problem = min(bad, key=lambda found: found[0])
            raise Failure(start + i, problem)
        self.prev_hash = hashes[-1] if hashes else self.prev_hash
        self._grow([_sha256(b"\x00" + c).digest() for c in leaves])

    def _grow(self, leaves: list[bytes]) -> None:
        compact, at = self.compact, 0
        while at < len(leaves):
            stop = len(leaves)
            if self.due and self.due[0] - compact.size < stop - at:
                stop = at + self.due[0] - compact.size
            while at < stop:
                if compact.size % BLOCK == 0 and stop - at >= BLOCK:
                    block = merkle.levels(leaves[at : at + BLOCK])[-1][0]
                    compact.append_subtree(block, LOG_BLOCK)
                    at += BLOCK
                else:
                    compact.append(leaves[at])
                    at += 1
            if self.due and compact.size == self.due[0]:
                self._check_checkpoint(self.due.pop(0))

    def _check_checkpoint(self, size: int) -> None:
        if self.compact.root().hex() != self.checkpoints[size]:
            failure = Failure(size, f"the log does not match the signed checkpoint of size {size}")
            failure.since = self.last_matched
            raise failure
        self.matched += 1
        self.last_matched = size


def check_signature(checkpoint: AuditCheckpoint, keys: list[NoteVerifier]) -> str | None:
    """Is the checkpoint's note signed by one of `keys`, and does it say what the row says?"""
    origin = checkpoint.note.split("\n", 1)[0]
    try:
        text, key = open_note(checkpoint.note, keys)
    except NoteError as exc:
        return str(exc)
    root = bytes.fromhex(checkpoint.root_hash)
    if text != note_text(origin, checkpoint.tree_size, root) or key.key_id != checkpoint.key_id:
        return "the signed note does not match the checkpoint"
    try:
        key.public.verify(base64.b64decode(checkpoint.signature), text.encode())
    except (InvalidSignature, ValueError):
        return "the signature does not match the signed note"
    return None


def verify_log(
    session: Session,
    *,
    keys: list[NoteVerifier] | None = None,
    from_checkpoint: int | None = None,
    batch: int = 1 << 15,
) -> Verification:
    """The whole log, or the part after `from_checkpoint`; with `keys` the signatures too."""
    stored = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size)))
    for checkpoint in stored if keys is not None else ():
        problem = check_signature(checkpoint, keys or [])
        if problem:
            return Verification(False, 0, None, f"checkpoint {checkpoint.tree_size}: {problem}")
    roots = {c.tree_size: c.root_hash for c in stored}
    try:
        verifier = _start(session, roots, from_checkpoint, signed=keys is not None)
        base = verifier.size
        for seqs, leaves, hashes, prevs in fastread.batches(session, base, batch):
            verifier.feed(seqs, leaves, hashes, prevs)
    except tree.TreeError as exc:
        return Verification(False, 0, None, str(exc))
    except Failure as failure:
        if failure.since is not None and failure.seq is not None:
            failure = pinpoint(session, failure.since, failure.seq) or failure
        return Verification(False, max((failure.seq or 1) - 1, 0), failure.seq, failure.problem)
    checked, ahead = verifier.size, [size for size in verifier.due if size > verifier.size]
    head = session.get(AuditHead, 1)
    if ahead or head is None or head.seq != checked or head.hash != verifier.prev_hash:
        return Verification(False, checked, checked + 1, "entries are missing at the end")
    return Verification(True, checked - base, checkpoints=verifier.matched)


def pinpoint(session: Session, lo: int, hi: int) -> Failure | None:
    """The first entry in (lo, hi] whose chain hash or link is wrong, if any is."""
    previous: str | None = None
    try:
        rows = tree.entry_rows(session, lo, hi)
    except tree.TreeError:
        return None
    for row in rows:
        if previous is not None and row.prev_hash != previous:
            return Failure(row.seq, "the link to the previous entry is broken")
        if entry_hash(row) != row.hash:
            return Failure(row.seq, "the entry was changed")
        previous = row.hash
    return None


def _start(
    session: Session, roots: dict[int, str], size: int | None, *, signed: bool
) -> LogVerifier:
    if not size:
        return LogVerifier(roots, signed=signed)
    if size not in roots:
        raise Failure(None, f"there is no checkpoint of size {size}")
    found = tree.piece_hashes(session, merkle.pieces(0, size))
    stack = [found[piece] for piece in merkle.pieces(0, size)]
    root = bytes.fromhex(roots[size])
    if merkle.fold(stack) != root:
        raise Failure(None, f"the stored tree does not match the checkpoint of size {size}")
    (last,) = tree.entry_rows(session, size - 1, size)
    path = tree.inclusion_proof(session, size - 1, size)
    leaf = entry_leaf_hash(last)
    if entry_hash(last) != last.hash or not merkle.verify_inclusion(
        leaf, size - 1, size, path, root
    ):
        raise Failure(size, "the last entry of the checkpoint was changed")
    compact = merkle.CompactRange(size, stack)
    return LogVerifier(roots, compact=compact, prev_hash=last.hash, signed=signed)
