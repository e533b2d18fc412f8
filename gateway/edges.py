"""What every act on personal data needs besides its session, fixed at one moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gateway.crypto.keyring import Keyring
from gateway.subjects.authority import FactAuthority
from gateway.subjects.service import Standing
from policies.catalog import Catalog


@dataclass(frozen=True, slots=True)
class Edges:
    catalog: Catalog
    keyring: Keyring
    now: datetime
    # Who may state facts about a pupil (DOMAIN §7).
    authority: FactAuthority

    @property
    def standing(self) -> Standing:
        return Standing(self.keyring, self.authority, self.catalog, self.now)
