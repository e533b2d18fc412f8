"""Reading the log for verification at speed, each entry's canonical bytes exactly as
`gateway.audit.chain.canonical_bytes` makes them.

The rows come straight from the driver, a batch per query, only the hashed columns, in
the canonical key order. Most entries hold only printable ASCII without quotes or
backslashes, which JSON writes as they are: their canonical JSON is then one `%`
format of a template chosen by which of their fields are null (the query tells; a
null's slot `%.0s` writes nothing). The categories are sorted and written once per
distinct list. Any other entry (a value JSON would escape, a time stored in another
form) is read again through the ORM and encoded by `canonical_bytes` itself. The bytes
are the same either way (tests/audit/test_fastread.py); nothing is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit.chain import HASHED_FIELDS, OPTIONAL_FIELDS, canonical_bytes
from gateway.audit.models import AuditEntry
from gateway.audit.tree import LEAF_COLUMNS

# The canonical keys in the order JSON with sorted keys writes them.
KEYS = tuple(sorted((*HASHED_FIELDS, *OPTIONAL_FIELDS)))
NULLABLE = tuple(name for name in KEYS if AuditEntry.__table__.c[name].nullable and name != "time")
_TEXT = tuple(name for name in KEYS if name not in ("seq", "categories"))
# The one form SQLAlchemy stores a time in on SQLite; any other takes the slow way.
_TIME_GLOB = (
    "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
    "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]"
)
_TIME_SQLITE = "substr(time, 1, 10) || 'T' || substr(time, 12) || '+00:00'"
_TIME_POSTGRES = """to_char(time, 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""

Batch = tuple[list[int], list[bytes], list[str], list[str]]


@cache
def _query(dialect: str) -> str:
    """seq, hash, the null mask, categories as stored, then every text in key order."""
    mask = " + ".join(
        f"CASE WHEN {name} IS NULL THEN {1 << i} ELSE 0 END" for i, name in enumerate(NULLABLE)
    )
    time = _TIME_POSTGRES
    if dialect != "postgresql":
        time = f"CASE WHEN time GLOB '{_TIME_GLOB}' THEN {_TIME_SQLITE} ELSE '' END"
    categories = "CAST(categories AS TEXT)" if dialect == "postgresql" else "categories"
    texts = ", ".join(
        time if name == "time" else f"COALESCE({name}, '')" if name in NULLABLE else name
        for name in _TEXT
    )
    return f"SELECT seq, hash, {mask}, {categories}, {texts} FROM audit_entries"  # noqa: S608


@cache
def _template(mask: int) -> str:
    """The canonical JSON with a slot for each value, `mask` naming the null fields:
    seq, categories and the texts, in key order; a null's slot `%.0s` writes nothing."""
    parts: list[str] = []
    for name in KEYS:
        null = name in NULLABLE and mask >> NULLABLE.index(name) & 1
        if name == "seq":
            parts.append('"seq":%d')
        elif name == "categories":
            parts.append('"categories":%s')
        elif null and name in OPTIONAL_FIELDS:
            parts[-1] += "%.0s"  # left out of the bytes, as `canonical` leaves it out
        elif null:
            parts.append(f'"{name}":null%.0s')
        else:
            parts.append(f'"{name}":"%s"')
    return "{" + ",".join(parts) + "}"


# Where categories and seq go among the texts.
_AT_CATEGORIES = KEYS.index("categories")
_AT_SEQ = KEYS.index("seq") - 1
_AT_TIME = _TEXT.index("time")
_AT_PREV = 4 + _TEXT.index("prev_hash")


def _plain(text: str) -> bool:
    """Does JSON write `text` as it is (printable ASCII, no quote, no backslash)?"""
    return text.isascii() and text.isprintable() and '"' not in text and "\\" not in text


@cache
def _categories(stored: str) -> str | None:
    """The stored JSON list as `canonical` writes it: sorted, compact (None if it is
    not a list of texts: such an entry takes the slow way)."""
    try:
        found = json.loads(stored)
        if not isinstance(found, list) or not all(isinstance(c, str) for c in found):
            return None
        return json.dumps(sorted(found), separators=(",", ":"))
    except ValueError:
        return None


def batches(session: Session, after: int, size: int) -> Iterator[Batch]:
    """The entries after seq `after`, in order, `size` a batch: their seqs, canonical
    bytes, stored hashes and stored links."""
    connection = session.connection()
    sql = _query(connection.dialect.name)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    template = _template
    try:
        while True:
            cursor.execute(f"{sql} WHERE seq > {int(after)} ORDER BY seq LIMIT {int(size)}")
            rows = cursor.fetchall()
            if not rows:
                return
            leaves: list[bytes] = []
            slow: dict[int, int] = {}
            for i, row in enumerate(rows):
                texts = row[4:]
                categories = _categories(row[3]) if isinstance(row[3], str) else None
                try:
                    plain = categories is not None and texts[_AT_TIME] and _plain(" ".join(texts))
                except TypeError:  # a value that is no text: the slow way says what it is
                    plain = False
                if not plain:
                    slow[row[0]] = i
                    leaves.append(b"")
                    continue
                values = (
                    *texts[:_AT_CATEGORIES],
                    categories,
                    *texts[_AT_CATEGORIES:_AT_SEQ],
                    row[0],
                    *texts[_AT_SEQ:],
                )
                leaves.append((template(row[2]) % values).encode())
            if slow:
                for seq, data in _canonical_of(session, list(slow)):
                    leaves[slow[seq]] = data
            yield [r[0] for r in rows], leaves, [r[1] for r in rows], [r[_AT_PREV] for r in rows]
            if len(rows) < size:
                return
            after = rows[-1][0]
    finally:
        cursor.close()


def _canonical_of(session: Session, seqs: list[int]) -> Iterator[tuple[int, bytes]]:
    query = select(AuditEntry.seq, *LEAF_COLUMNS).where(AuditEntry.seq.in_(seqs))
    for row in session.execute(query):
        yield row.seq, canonical_bytes(row)
