"""The child's access log in plain Dutch, read from the audit log itself.

"Da Vinci College (rol: mentor) las het dossier voor overdracht naar het voortgezet
onderwijs op 15 april 2016 om 11:12." Every entry about the pupil is shown, refusals
included, newest first and a page at a time: the parent, or the pupil from 16, sees who
looked, who tried, for what and when. The actor is an opaque id in the log; the reader
sees the organisation and the role, and is addressed by `voice` ("U" or "Jij").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gateway.audit import reviews
from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.core.context import PORTAL_ORG
from gateway.core.paging import Page
from gateway.orgs.models import Organisation
from gateway.web import wording
from gateway.web.voice import Voice

PAGE_SIZE = 50  # a page a parent reads; older lines are one link away
VERWIJSINDEX_PURPOSES = ("verwijsindex.signaal", "verwijsindex.match")


@dataclass(frozen=True, slots=True)
class LogLine:
    time: datetime
    text: str
    refused: bool


def lines(
    session: Session,
    *,
    subject_ref: str,
    viewer_ref: str,
    break_glass_purposes: frozenset[str],
    voice: Voice,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[LogLine]:
    """One page of the pupil's entries, newest first, each as one Dutch sentence.

    A meldcode report the parents may not know of yet is left out by the query itself
    (`reviews.hidden_from_parents`), so a page is never short of a line it hid. So are
    the verwijsindex's acts: the reporter informs the youth or parents, or records why
    telling them is unsafe, and the index cannot be joined to the pupil to tell which.
    """
    hide = or_(
        reviews.hidden_from_parents(
            subject_ref, AuditEntry.object_id, AuditEntry.purpose, break_glass_purposes
        ),
        AuditEntry.purpose.in_(VERWIJSINDEX_PURPOSES),
    )
    found = audit.search(session, subject_ref=subject_ref, cursor=cursor, limit=limit, hide=hide)
    names = _org_names(session, {entry.org for entry in found.items})
    return Page(
        [
            LogLine(
                entry.time,
                sentence(entry, names, viewer_ref, voice),
                entry.decision == "deny",
            )
            for entry in found.items
        ],
        found.next,
    )


def sentence(entry: AuditEntry, names: dict[str, str], viewer_ref: str, voice: Voice) -> str:
    """One entry as the reader reads it: a parent is "U", the pupil "Jij"."""
    who = _who(entry, names, viewer_ref, voice)
    purpose = voice.purpose(entry.purpose)
    when = wording.moment(entry.time)
    code = entry.action
    if code == "enrolment.register" and entry.purpose == "leerling.inschrijving":
        code = "enrolment.ingeschreven"
    if entry.decision == "deny":
        what = voice.action(code, refused=True)
        return f"{who} wilde {what} voor {purpose} op {when}; dat is geweigerd."
    return f"{who} {voice.action(code)} voor {purpose} op {when}."


def _who(entry: AuditEntry, names: dict[str, str], viewer_ref: str, voice: Voice) -> str:
    if entry.org == PORTAL_ORG:
        role = wording.role(entry.actor_role)
        if entry.actor == viewer_ref:
            return voice("log_self", role=role)
        if entry.actor_role == "pupil":
            return voice("log_pupil")
        return voice("log_other", role=role)
    organisation = names.get(entry.org, "Een onbekende organisatie")
    if not entry.actor_role:  # the organisation named no role: say nothing of one
        return organisation
    return f"{organisation} (rol: {wording.role(entry.actor_role)})"


def _org_names(session: Session, org_ids: set[str]) -> dict[str, str]:
    if not org_ids:
        return {}
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
    return {org_id: name for org_id, name in session.execute(query)}
