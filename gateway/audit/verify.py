"""Verifying the audit log: the Merkle tree against every signed checkpoint, the hash
chain past the last one, and that every column is still derived from the hashed bytes.

An entry is stored as its canonical bytes (`gateway.audit.derived`; the table checked by
`gateway.audit.integrity`), so verifying reads
one column. The log is cut into pieces of `2**chunk_level` entries (`fastread`), hashed
in this process or side by side in `jobs` worker processes, and put together here in
order: each piece's subtrees extend the tree, and the root at every checkpoint size is
compared with the signed root. Below the last checkpoint whose signature was checked,
each entry's bytes are held by that root and the chain needs no hashing; from there on
every entry's chain hash is computed and checked against the next entry's link, and
the last against the head. From a checkpoint, the walk starts at its size: the stored
subtree hashes that make up its root are checked against the signed root, and the
last entry it covers against an inclusion proof, before the newer entries are read.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.audit import fastread, integrity, merkle, tree
from gateway.audit.checkpoints import note_text
from gateway.audit.fastread import Hashed, Piece
from gateway.audit.models import (
    GENESIS_HASH,
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditTree,
)
from gateway.crypto.notes import NoteError, NoteVerifier, open_note

CHUNK_LEVEL = 15
# Fewer pieces than this are hashed here: starting processes would cost more.
MIN_PIECES = 4
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


class LogVerifier:
    """Takes the hashed pieces in order and checks them against the checkpoints."""

    def __init__(
        self,
        checkpoints: dict[int, str],
        *,
        compact: merkle.CompactRange | None = None,
        last_hash: str | None = GENESIS_HASH,
        signed: bool = True,
    ) -> None:
        self.compact = compact or merkle.CompactRange()
        self.checkpoints = checkpoints
        self.due = sorted(size for size in checkpoints if size > self.compact.size)
        # Past the last signed root, the chain is checked: from its last entry's hash on.
        self.signed_below = self.due[-1] if self.due and signed else 0
        self.last_hash = last_hash  # the chain hash of the entry `size`, when known
        self.matched = 0
        self.last_matched = self.compact.size

    @property
    def size(self) -> int:
        return self.compact.size

    def plan(self, end: int, chunk: int) -> list[Piece]:
        """The pieces from here to `end`: cut at every multiple of `chunk` and where the
        chain starts to be checked, each with the checkpoint sizes inside it."""
        cuts = {self.size, end, *range(self.size - self.size % chunk + chunk, end, chunk)}
        if self.size < self.signed_below < end:
            cuts.add(self.signed_below)
        bounds = sorted(cuts)
        return [
            Piece(lo, hi, tuple(c for c in self.due if lo < c <= hi), lo >= self.signed_below)
            for lo, hi in itertools.pairwise(bounds)
        ]

    def take(self, piece: Piece, hashed: Hashed, anchor: str | None = None) -> None:
        """One piece's answer; `anchor` the chain hash of the entry before it, when this
        piece checks the chain and the one before did not compute it."""
        if hashed.missing is not None:
            raise Failure(hashed.missing, f"entry {hashed.missing} is missing")
        if hashed.broken is not None:
            raise self._broken(hashed.broken)
        if piece.chain and piece.hi > piece.lo:
            expected = self.last_hash if anchor is None else anchor
            if hashed.first_link != expected:
                raise self._broken(piece.lo + 1)
        for cut, nodes in zip(piece.cuts, hashed.at_cuts, strict=True):
            upto = merkle.CompactRange(self.compact.size, list(self.compact.stack))
            for level, value in nodes:
                upto.append_subtree(value, level)
            self._check_checkpoint(cut, upto.root())
            self.due.remove(cut)
        for level, value in hashed.subtrees:
            self.compact.append_subtree(value, level)
        self.last_hash = hashed.last_hash if piece.chain else None

    def _broken(self, seq: int) -> Failure:
        """Entry `seq`'s link does not match the entry before: that one's bytes changed,
        unless a signed root holds them (then the link itself did)."""
        if seq - 1 > self.signed_below:
            return Failure(
                seq - 1, "the entry was changed: the next entry's link does not match it"
            )
        return Failure(seq, "the link to the previous entry is broken")

    def _check_checkpoint(self, size: int, root: bytes) -> None:
        if root.hex() != self.checkpoints[size]:
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
    jobs: int = 1,
    chunk_level: int = CHUNK_LEVEL,
    witnessed: Sequence[str] = (),
    deep: bool = False,
) -> Verification:
    """The whole log, or the part after `from_checkpoint`; with `keys` the signatures
    too; with `jobs` > 1 in that many worker processes (a database in a file or a
    server); `witnessed`: signed notes a witness holds, which the log must match too;
    `deep`: the stored values against the bytes as well (`integrity`)."""
    stored = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size)))
    for checkpoint in stored if keys is not None else ():
        problem = check_signature(checkpoint, keys or [])
        if problem:
            return Verification(False, 0, None, f"checkpoint {checkpoint.tree_size}: {problem}")
    roots = {c.tree_size: c.root_hash for c in stored}
    problem = _witnessed(roots, witnessed, keys) or integrity.check(session.connection(), deep=deep)
    if problem:
        return Verification(False, 0, None, problem)
    # The ends first, then the head: an append between the two moves the head on.
    first, last = session.execute(select(func.min(AuditEntry.seq), func.max(AuditEntry.seq))).one()
    head = session.get(AuditHead, 1)
    if head is None or (last or 0) > head.seq:
        return Verification(False, 0, head.seq + 1 if head else 1, "entries past the head")
    if first is not None and first < 1:
        return Verification(False, 0, first, "entries before the first")
    published = session.scalar(select(AuditTree.size).where(AuditTree.id == 1)) or 0
    if published and published not in roots:
        return Verification(False, 0, None, f"the checkpoint of size {published} is missing")
    try:
        verifier = _start(session, roots, from_checkpoint, signed=keys is not None)
        base = verifier.size
        pieces = verifier.plan(head.seq, 1 << chunk_level)
        for piece, hashed in _hashed(session, pieces, jobs):
            verifier.take(piece, hashed, _anchor(session, verifier, piece))
        if head.seq and (verifier.last_hash or _chain_hash(session, head.seq)) != head.hash:
            raise Failure(head.seq, "the last entry does not match the head of the chain")
    except tree.TreeError as exc:
        return Verification(False, 0, None, str(exc))
    except Failure as failure:
        if failure.since is not None and failure.seq is not None:
            failure = pinpoint(session, failure.since, failure.seq) or failure
        return Verification(False, max((failure.seq or 1) - 1, 0), failure.seq, failure.problem)
    if [size for size in verifier.due if size > head.seq]:
        return Verification(False, head.seq, head.seq + 1, "entries are missing at the end")
    return Verification(True, head.seq - base, checkpoints=verifier.matched)


def _witnessed(
    roots: dict[int, str], notes: Sequence[str], keys: list[NoteVerifier] | None
) -> str | None:
    """Adds the witness's checkpoints to `roots`; a problem if one cannot be checked or
    differs from the stored checkpoint of its size."""
    for note in notes:
        try:
            text, _ = open_note(note, keys or [])
            size, root = int(text.split("\n")[1]), base64.b64decode(text.split("\n")[2]).hex()
        except (NoteError, ValueError, IndexError):
            return "a witnessed checkpoint does not open with the checkpoint keys"
        if roots.setdefault(size, root) != root:
            return f"the stored checkpoint of size {size} is not the one the witness holds"
    return None


def witness_notes(text: str) -> list[str]:
    """The signed notes of a witness file (`checkpoints.deliver`: each note, a blank line)."""
    blocks = [block for block in text.split("\n\n") if block.strip()]
    return [
        f"{body}\n\n{signatures.strip(chr(10))}\n"
        for body, signatures in zip(blocks[::2], blocks[1::2], strict=False)
    ]


def _anchor(session: Session, verifier: LogVerifier, piece: Piece) -> str | None:
    """The link the first entry of a chain-checking piece must hold, when the pieces
    before did not compute it."""
    if not piece.chain or verifier.last_hash is not None or piece.lo == piece.hi:
        return None
    return _chain_hash(session, piece.lo) if piece.lo else GENESIS_HASH


def _chain_hash(session: Session, seq: int) -> str:
    leaf = session.scalar(select(AuditEntry.leaf).where(AuditEntry.seq == seq))
    if leaf is None:
        raise Failure(seq, f"entry {seq} is missing")
    return _sha256(fastread.leaf_bytes(leaf)).hexdigest()


def _hashed(session: Session, pieces: list[Piece], jobs: int) -> Iterator[tuple[Piece, Hashed]]:
    """Each piece hashed, in order: here, or in `jobs` processes reading on their own."""
    url = session.get_bind().engine.url
    dialect = url.get_backend_name()
    in_memory = dialect == "sqlite" and url.database in (None, "", ":memory:")
    if (
        jobs <= 1
        or len(pieces) < MIN_PIECES
        or in_memory
        or dialect not in ("sqlite", "postgresql")
    ):
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for piece in pieces:
                yield piece, fastread.hash_piece(cursor, piece)
        finally:
            cursor.close()
        return
    address = (
        str(url.database)
        if dialect == "sqlite"
        else url.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=fastread.open_worker, initargs=(address, dialect)
    ) as pool:
        yield from zip(pieces, pool.map(fastread.hash_in_worker, pieces), strict=True)


def pinpoint(session: Session, lo: int, hi: int) -> Failure | None:
    """The first entry in (lo, hi] that was changed, named by the links: an entry whose
    bytes changed breaks the next entry's link (one whose link changed, its own)."""
    try:
        rows = tree.entry_rows(session, max(lo - 1, 0), hi + 1)
    except tree.TreeError:
        try:
            rows = tree.entry_rows(session, max(lo - 1, 0), hi)
        except tree.TreeError:
            return None
    previous = GENESIS_HASH if lo == 0 else None
    for row in rows:
        if previous is not None and row.prev_hash != previous:
            seq = row.seq - 1 if row.seq - 1 > lo else row.seq
            if seq == row.seq:
                return Failure(seq, "the link to the previous entry is broken")
            return Failure(seq, "the entry was changed")
        previous = _sha256(fastread.leaf_bytes(row.leaf)).hexdigest()
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
    if not merkle.verify_inclusion(
        merkle.leaf_hash(fastread.leaf_bytes(last.leaf)), size - 1, size, path, root
    ):
        raise Failure(size, "the last entry of the checkpoint was changed")
    compact = merkle.CompactRange(size, stack)
    last_hash = _sha256(fastread.leaf_bytes(last.leaf)).hexdigest()
    verifier = LogVerifier(roots, compact=compact, last_hash=last_hash, signed=signed)
    verifier.matched = 1  # the checkpoint started from: its root matched
    return verifier
