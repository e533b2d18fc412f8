from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from gateway.subjects.schemas import ClientSubject


class EnrolmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: ClientSubject
    # "aangemeld" for an aanmelding; "ingeschreven" for the school's own pupil
    # (X-Purpose: leerling.inschrijving).
    status: Literal["aangemeld", "ingeschreven"] = "aangemeld"


class EnrolmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["ingeschreven", "afgewezen", "uitgeschreven"]


class EnrolmentRead(BaseModel):
    id: str
    subject_ref: str
    status: str
    purpose: str
