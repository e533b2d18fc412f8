"""The grounds on which a controller may refuse or restrict a data-subject right.

A rights request (inzage, correction, erasure: `rechten.*`) is answered by the
controller; the catalog decides who may ask and who answers. Some controllers may
withhold what is asked, and only on a ground the law names:

- a youth-care professional, when a good professional would withhold the information
  in the interest of the child (Jeugdwet art. 7.3.11 lid 3, the "goed
  jeugdhulpverlener"), or where giving it would harm another person's privacy (lid 1:
  information is given only insofar as it does not). Veilig Thuis and the JGZ may
  invoke these too; for those two the Jeugdwet reference is not verified against their
  own statutes (Wmo 2015 for Veilig Thuis, the WGBO for the jeugdarts);
- any controller, where a restriction is necessary to protect the data subject or
  the rights and freedoms of others (AVG art. 23 with UAVG art. 41 lid 1 sub i).

A refusal without one of these grounds is not recorded: the request must then be
met. The words the requester reads are the portal's (`gateway.web.wording`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["refused", "restricted"]
GroundCode = Literal["child_interest", "third_party_interest", "avg_23"]
# The grounds on which a correction or erasure request itself is refused.
RequestGroundCode = Literal[
    "child_interest", "third_party_interest", "avg_23", "accurate", "legal_obligation"
]

# Youth care in the sense of the Jeugdwet, and the two the finding names.
YOUTH_CARE_KINDS = frozenset({"jeugdhulp", "wijkteam", "jgz", "veilig_thuis"})


@dataclass(frozen=True, slots=True)
class Ground:
    code: RequestGroundCode
    statute: str
    # The organisation kinds that may invoke it; None: every controller of the right.
    kinds: frozenset[str] | None


GROUNDS: dict[str, Ground] = {
    "child_interest": Ground(
        "child_interest",
        "Jeugdwet art. 7.3.11 lid 3 (interest of the child)",
        YOUTH_CARE_KINDS,
    ),
    "third_party_interest": Ground(
        "third_party_interest",
        "Jeugdwet art. 7.3.11 lid 1 (privacy of another person)",
        YOUTH_CARE_KINDS,
    ),
    "avg_23": Ground(
        "avg_23",
        "AVG art. 23 and UAVG art. 41 lid 1 sub i (protection of the data subject or others)",
        None,
    ),
}

# A correction or erasure request may also be refused because there is nothing to do:
# the data are accurate (AVG art. 16 gives a right to correct inaccurate data only), or
# the controller must keep them by law (AVG art. 17 lid 3 sub b: the leerlingdossier's
# statutory term). Each fits one right only (`REQUEST_GROUND_RIGHTS`).
REQUEST_GROUNDS: dict[str, Ground] = {
    **GROUNDS,
    "accurate": Ground("accurate", "AVG art. 16 (the data are accurate)", None),
    "legal_obligation": Ground(
        "legal_obligation",
        "AVG art. 17 lid 3 sub b (keeping the data is a legal obligation)",
        None,
    ),
}
REQUEST_GROUND_RIGHTS: dict[str, str] = {
    "accurate": "rechten.correctie",
    "legal_obligation": "rechten.verwijdering",
}

ACTIONS: dict[str, str] = {"refused": "rights.refused", "restricted": "rights.restricted"}


def ground_of(rule: str) -> Ground | None:
    """The ground a logged refusal names: its rule is `<purpose>/<outcome>/<ground>`."""
    return GROUNDS.get(rule.rsplit("/", 1)[-1])
