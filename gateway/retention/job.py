"""`gateway retention run`: the daily job that ends every record past its term.

Kind by kind, in an order that lets a record go before what it refers to goes: TLV
records (which refer to transfers), case entries, transfers, the technical idempotency
records, consents that no longer hold, enrolments, and last the pupils' own records,
which go only when nothing about the pupil is left. Each record is destroyed in its own
transaction, with its audit entry in that same transaction
(`gateway.retention.terms.event`; the TLV and case purges keep their own `tlv.purge`
and `case.entry.purge`). Encrypted records are destroyed by
destroying their data key (`gateway.crypto.envelope.Envelope.destroy`).

The job is idempotent: what is destroyed is gone from the next run's look-up, a key
already destroyed is not destroyed again, and an interrupted run loses at most the
record it was in the middle of (rolled back, found again next time). A dry run looks
up the same records and reports only counts per class.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from gateway.cases import retention as cases
from gateway.core.db import Database
from gateway.delivery import retention as notifications
from gateway.retention import consents, records
from gateway.retention.terms import Due
from gateway.tlv import retention as tlvs
from gateway.transfers import retention as transfers
from policies.compiled import Catalog

Finder = Callable[[Session, Catalog, datetime], list[Due]]
Destroyer = Callable[[Session, Due, Catalog, datetime], None]


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    due: Finder
    destroy: Destroyer


KINDS = (
    Kind(
        tlvs.KIND,
        lambda s, c, n: tlvs.due(s, now=n),
        lambda s, d, c, n: tlvs.destroy(s, d, catalog=c, now=n),
    ),
    Kind(
        cases.KIND,
        lambda s, c, n: cases.due(s, now=n),
        lambda s, d, c, n: cases.destroy(s, d, catalog=c, now=n),
    ),
    Kind(
        transfers.KIND,
        lambda s, c, n: transfers.due(s, catalog=c, now=n),
        lambda s, d, c, n: transfers.destroy(s, d, catalog=c, now=n),
    ),
    Kind(
        consents.KIND,
        lambda s, c, n: consents.due(s, catalog=c, now=n),
        lambda s, d, c, n: consents.destroy(s, d, catalog=c, now=n),
    ),
    Kind(
        "enrolment",
        lambda s, c, n: records.enrolments_due(s, catalog=c, now=n),
        lambda s, d, c, n: records.destroy_enrolment(s, d, catalog=c, now=n),
    ),
    Kind(
        "subject",
        lambda s, c, n: records.subjects_due(s, catalog=c, now=n),
        lambda s, d, c, n: records.destroy_subject(s, d, catalog=c, now=n),
    ),
)


@dataclass(slots=True)
class Report:
    """What a run destroyed (or would destroy): counts per kind and class, no ids."""

    dry_run: bool
    destroyed: Counter[tuple[str, str]] = field(default_factory=Counter)

    def count(self, kind: str, retention: str, n: int = 1) -> None:
        self.destroyed[(kind, retention)] += n

    @property
    def total(self) -> int:
        return sum(self.destroyed.values())

    def to_dict(self) -> dict[str, object]:
        rows = [
            {"kind": kind, "retention": retention, "count": count}
            for (kind, retention), count in sorted(self.destroyed.items())
        ]
        return {"dry_run": self.dry_run, "total": self.total, "destroyed": rows}


def run(
    db: Database, *, catalog: Catalog, clock: Callable[[], datetime], dry_run: bool = False
) -> Report:
    """One pass over every kind; each record in its own transaction."""
    report = Report(dry_run)
    for kind in KINDS:
        with db.sessions() as session:
            found = kind.due(session, catalog, clock())
        for item in found:
            if not dry_run:
                with db.unit_of_work() as session:
                    kind.destroy(session, item, catalog, clock())
            report.count(kind.name, item.retention)
        if kind.name == transfers.KIND:
            _idempotency(db, catalog, clock(), report)
    return report


def _idempotency(db: Database, catalog: Catalog, now: datetime, report: Report) -> None:
    with db.unit_of_work() as session:
        if report.dry_run:
            gone = records.idempotency_due(session, catalog=catalog, now=now)
        else:
            gone = records.purge_idempotency(session, catalog=catalog, now=now)
    if gone:
        report.count("idempotency", records.IDEMPOTENCY, gone)
    with db.unit_of_work() as session:
        if report.dry_run:
            told = notifications.due_count(session, catalog=catalog, now=now)
        else:
            told = notifications.purge(session, catalog=catalog, now=now)
    if told:
        report.count("notification", notifications.NOTIFICATION, told)
