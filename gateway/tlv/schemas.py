from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

TRANSFER_ID = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")

# The deskundigen the catalog's `deskundigenadvies` names (WPO art. 18a, WVO art. 17a).
Discipline = Literal[
    "orthopedagoog",
    "gz_psycholoog",
    "psycholoog",
    "jeugdarts",
    "kinder_en_jeugdpsychiater",
    "maatschappelijk_werker",
]
Outcome = Literal["toegekend", "afgewezen"]
# The bekostigingscategorie of a TLV for the (V)SO, as the catalog's `tlv_besluit`
# names it; an SWV's own labels are mapped onto it before they reach the gateway.
Category = Literal["laag", "midden", "hoog"]
Status = Literal["requested", "decided"]


class TlvCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request: str = TRANSFER_ID


class AdviceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transfer: str = TRANSFER_ID
    discipline: Discipline


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    category: Category | None = Field(
        default=None,
        description="The bekostigingscategorie of a TLV for the (V)SO; none for the SBO or "
        "the praktijkonderwijs, and none when the TLV is refused.",
    )
    valid_from: date | None = Field(default=None, description="Required when toegekend.")
    valid_until: date | None = Field(default=None, description="Required when toegekend.")

    @model_validator(mode="after")
    def _validity(self) -> Self:
        granted = self.outcome == "toegekend"
        if granted and (self.valid_from is None or self.valid_until is None):
            raise ValueError("a granted TLV has valid_from and valid_until")
        if not granted and (self.category or self.valid_from or self.valid_until):
            raise ValueError("a refused TLV has no category and no validity")
        if granted and self.valid_until <= self.valid_from:  # type: ignore[operator]
            raise ValueError("valid_until lies after valid_from")
        return self


class AdviceRead(BaseModel):
    transfer: str
    discipline: Discipline


class TlvCreated(BaseModel):
    id: str
    status: Status


class TlvRead(BaseModel):
    """What the SWV sees; the requesting school sees the same without `advices`."""

    id: str
    status: Status
    subject_ref: str
    swv: str
    school: str
    request: str
    outcome: Outcome | None
    category: Category | None
    valid_from: date | None
    valid_until: date | None
    decided_on: date | None
    objection_until: date | None
    decision_transfer: str | None
    retention: str | None = Field(
        default=None, description="The catalog's retention class of the procedure's stage."
    )
    expires_on: date | None = Field(
        default=None,
        description="The first day the record is past its term: `gateway retention purge` "
        "deletes it then.",
    )
    advices: list[AdviceRead] | None = Field(
        default=None, description="Only for the SWV: which experts advised, never the advice."
    )


class TlvList(BaseModel):
    items: list[TlvRead]
    next: str | None = Field(
        description="The cursor of the next page: pass it back as `cursor` with the same "
        "query. Null when this is the last page."
    )
