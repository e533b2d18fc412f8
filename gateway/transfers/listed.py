"""A page of the inbox or outbox handed over, as the audit log records it.

Each summary names a pupil by the caller's own pseudonym, with the purpose and the two
parties, so a page is a read like any other: one entry per page that holds anything,
in the listing's transaction (an empty page hands nothing over and leaves no entry, as
an empty notification poll does). The entry's object is the run of transfers handed
over (`first..last`, newest first, or the one id; the box is in the rule), and its
pupil the one they all concern, never when a break-glass report is among them: a
meldcode report may be hidden from the parents, and an entry naming the pupil would
show them in their access log that someone looked at a page holding it.

The entry's purpose is the caller's `X-Purpose`, so it must be one of the exchange's
purposes (a flow of the catalog): the boxes hold transfers, each made under one. Any
other (a made-up `foo.bar`, or `audit.toezicht`, the FG's reading of the log) would
make the logged purpose say nothing; it is refused, and the refusal is on record.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.audit.service import AuditEvent, handed_over
from gateway.core.context import ActContext
from gateway.core.errors import Unprocessable
from gateway.transfers.models import Transfer
from policies.catalog import Catalog
from policies.model import Decision

ACTION = "transfer.list"
REASONS = {
    "inbox": "The organisation reads the list of transfers it received.",
    "outbox": "The organisation reads the list of transfers it sent.",
}


def check_purpose(ctx: ActContext, catalog: Catalog) -> None:
    """Refuses a listing whose purpose is no exchange flow of the catalog."""
    if ctx.purpose not in catalog.flows:
        raise Unprocessable("The purpose is not an exchange flow.", code="unknown_purpose")


def event(ctx: ActContext, catalog: Catalog, box: str, page: Sequence[Transfer]) -> AuditEvent:
    """The entry for a non-empty page of `box`."""
    decision = Decision(
        effect="permit",
        code=None,
        flow=None,
        legal_basis=None,
        rule=f"{ACTION}/{box}",
        reasons=(REASONS[box],),
        obligations=(),
        policy_version=catalog.version,
    )
    return AuditEvent.of(
        ctx,
        action=ACTION,
        decision=decision,
        subject_ref=pupil_of(page, catalog),
        object_id=handed_over([transfer.id for transfer in page]),
        categories=frozenset(),
    )


def pupil_of(page: Sequence[Transfer], catalog: Catalog) -> str | None:
    """The gateway's pseudonym of the pupil every transfer on the page concerns; None
    when they concern several, or one is under a break-glass purpose (a meldcode report,
    restricted towards the parents while telling them is unsafe)."""
    glass = catalog.break_glass_purposes()
    if any(transfer.purpose in glass for transfer in page):
        return None
    pupils = {transfer.subject_ref for transfer in page}
    return pupils.pop() if len(pupils) == 1 else None
