"""What a parsed OSO dossier tells the gateway."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class OsoInzage:
    """The parents' inzage: when they saw the dossier and whether they agree with it.

    `akkoord` is True only for codelist 37 value "Ja"; "Nee" and "Onbekend" are not
    agreement. `zienswijze` is the parents' own text (redennietakkoord), hence no repr.
    """

    date: datetime.date
    akkoord: bool
    zienswijze: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, repr=False)
class OsoDossier:
    """A parsed, XSD-valid OSO 2019.1 dossier and the facts the gateway routes on."""

    profile: str
    # Category (without the `cat_` prefix) -> VERPLICHT / OPTIONEEL / OPT-UIT / VERBODEN.
    declared: dict[str, str]
    # The content categories that carry data in this document (never structure).
    categories: frozenset[str]
    bsn: str | None
    birth_date: datetime.date | None
    given_name: str | None
    family_name: str | None
    inzage: OsoInzage | None
    raw: bytes

    def __repr__(self) -> str:
        # Only structure: the other fields are personal data of the pupil.
        return f"OsoDossier(profile={self.profile!r}, categories={sorted(self.categories)!r})"
