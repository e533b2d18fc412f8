"""`gateway audit export`: the log handed over outside the API is itself on the log.

Reading the log is an act on personal data (it names organisations, people's ids and
pupils' pseudonyms), so an export is logged as `GET /v1/audit/logboek` is: one
`audit.export` entry per run under `audit.toezicht`, on the log of the organisation
exported, or of the operator (`gateway`, as the register of processing names it) for
the whole log. The actor is the operator, as for the other acts done at the command
line (`gateway orgs officer add`). The entry names the format in its rule and the run
of entries handed over by seq (`seq:<first>..<last>`; none when nothing matched): ids
only. It is committed before a line is handed over, and the export holds exactly that
run: an entry appended meanwhile (this one included) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.logboek import selected
from gateway.audit.models import AuditEntry
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import SUPERVISION_PURPOSE, basis_decision
from gateway.core.errors import NotFound
from gateway.orgs.models import Organisation
from gateway.orgs.officers import OPERATOR
from policies.compiled import Catalog
from policies.register import GATEWAY

ACTION = "audit.export"
ROLE = "beheer"
REASON = "The operator exports the audit log for a privacy officer or a supervisor."


@dataclass(frozen=True, slots=True)
class Run:
    """The entries an export hands over: those matching it with seq in [first, last]."""

    first: int
    last: int

    @property
    def object_id(self) -> str:
        return f"seq:{self.first}..{self.last}"


def record(
    session: Session,
    *,
    org: str | None,
    format_: str,
    start: datetime | None,
    end: datetime | None,
    catalog: Catalog,
    now: datetime,
) -> Run | None:
    """Appends the export's entry in the caller's transaction; the run it names (None:
    nothing matched). An unknown organisation is refused, nothing read."""
    if org is not None and session.get(Organisation, org) is None:
        raise NotFound("No such organisation.")
    query = select(func.min(AuditEntry.seq), func.max(AuditEntry.seq))
    first, last = session.execute(query.where(*selected(org=org, start=start, end=end))).one()
    run = Run(first, last) if first is not None and last is not None else None
    decision = basis_decision(
        catalog,
        purpose=SUPERVISION_PURPOSE,
        rule=f"{SUPERVISION_PURPOSE}/export/{format_}",
        reason=REASON,
    )
    event = AuditEvent(
        org=org or GATEWAY,
        actor=OPERATOR,
        actor_role=ROLE,
        purpose=SUPERVISION_PURPOSE,
        action=ACTION,
        decision=decision,
        object_id=run.object_id if run else None,
        request_id="cli",
    )
    audit.append(session, event, now=now)
    return run
