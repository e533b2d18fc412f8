from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.rights.grounds import GroundCode, Outcome
from gateway.subjects.schemas import ClientSubject


class RefusalIn(BaseModel):
    """A rights request the controller refuses or restricts, on a ground the law names."""

    model_config = ConfigDict(extra="forbid")

    subject: ClientSubject
    requester: Literal["parent", "guardian", "pupil"] = Field(
        description="Who made the request; the catalog's age rule says who may."
    )
    outcome: Outcome = Field(
        description="`refused`: nothing is given; `restricted`: part of it is withheld."
    )
    ground: GroundCode = Field(
        description="`child_interest`, `third_party_interest` (Jeugdwet art. 7.3.11 lid 3; "
        "youth care, Veilig Thuis and JGZ only) or `avg_23` (AVG art. 23 with UAVG art. 41)."
    )


class RefusalRecorded(BaseModel):
    subject_ref: str
    right: str
    outcome: Outcome
    ground: GroundCode
    legal_basis: str
    decision: dict[str, Any]
