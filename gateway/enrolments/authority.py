"""The fact authority of today: the school where the pupil is enrolled (DOMAIN §7).

Ordinary facts (birth date, names, gezag) come from the school with an active
aanmelding or inschrijving. A death, which destroys the verwijsindex record of the child
for good, only from the school holding the pupil's inschrijving: any school can register
an aanmelding of its own, and so any school could otherwise erase a child's signals.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.enrolments.models import ACTIVE_STATUSES, Enrolment

_ENROLLED = (
    select(Enrolment.id)
    .where(
        Enrolment.org_id == bindparam("org_id"),
        Enrolment.subject_ref == bindparam("subject_ref"),
        Enrolment.status.in_(ACTIVE_STATUSES),
    )
    .limit(1)
)
_INGESCHREVEN = (
    select(Enrolment.id)
    .where(
        Enrolment.org_id == bindparam("org_id"),
        Enrolment.subject_ref == bindparam("subject_ref"),
        Enrolment.status == "ingeschreven",
    )
    .limit(1)
)


class EnrolledSchool:
    """The school with an active aanmelding or inschrijving of the pupil."""

    def states_facts(self, session: Session, *, org_id: str, subject_ref: str) -> bool:
        params = {"org_id": org_id, "subject_ref": subject_ref}
        return session.connection().execute(_ENROLLED, params).first() is not None

    def states_death(self, session: Session, *, org_id: str, subject_ref: str) -> bool:
        """Only the school holding the pupil's active inschrijving; an aanmelding, which
        a school registers on its own say, never suffices."""
        return self.keeps_record(session, org_id=org_id, subject_ref=subject_ref)

    def keeps_record(self, session: Session, *, org_id: str, subject_ref: str) -> bool:
        """The school holding the pupil's active inschrijving."""
        params = {"org_id": org_id, "subject_ref": subject_ref}
        return session.connection().execute(_INGESCHREVEN, params).first() is not None
