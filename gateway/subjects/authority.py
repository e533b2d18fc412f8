"""Who may state the facts about a pupil (DOMAIN §7): one seam, one answer.

Birth date and names decide what everyone else may see (the age rules), and gezag
decides who may consent; they come from the party authoritative for them. Today that is
the school where the pupil is enrolled, from its leerlingadministratie: an active
aanmelding or inschrijving there. A deployment that reads the BRP through a provider
replaces `gateway.enrolments.authority.EnrolledSchool` with its own `FactAuthority`.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session


class FactAuthority(Protocol):
    def states_facts(self, session: Session, *, org_id: str, subject_ref: str) -> bool:
        """Is `org_id` authoritative for the identity facts and gezag of this pupil?"""

    def keeps_record(self, session: Session, *, org_id: str, subject_ref: str) -> bool:
        """Does `org_id` keep the pupil in its own administration (today: the school
        holding the pupil's inschrijving), so that it knows the facts on record? Only it
        is told that a statement conflicts with them: an aanmelding, which any school
        registers on its own say, makes a school state facts but not know them."""
