"""What every act on personal data needs besides its session, fixed at one moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from gateway.crypto.keyring import Keyring
from gateway.subjects.authority import FactAuthority
from gateway.subjects.service import Standing
from policies.catalog import Catalog


class PupilAuthority(FactAuthority, Protocol):
    """The fact authority, and who may state the one fact that cannot be taken back."""

    def states_death(self, session: Session, *, org_id: str, subject_ref: str) -> bool:
        """May `org_id` state the pupil's death, which destroys every verwijsindex signal
        of the child, archive included? Today the school holding the pupil's inschrijving
        (never an aanmelding); a deployment reading the BRP answers from its provider."""


@dataclass(frozen=True, slots=True)
class Edges:
    catalog: Catalog
    keyring: Keyring
    now: datetime
    # Who may state facts about a pupil (DOMAIN §7), and its death.
    authority: PupilAuthority

    @property
    def standing(self) -> Standing:
        return Standing(self.keyring, self.authority, self.catalog, self.now)
