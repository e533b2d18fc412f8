from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from gateway.core.fields import Day, Name, today_for
from gateway.crypto.bsn import is_valid_bsn

# A pupil of the gateway's flows is a youth: the verwijsindex, the oldest, ends at 23.
# A birth date further back than this is a typing error or a probe, never a pupil.
OLDEST_PUPIL_YEARS = 30


class SubjectIn(BaseModel):
    """A pupil as a client sends it. Never echoed back: responses carry `subject_ref`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    bsn: str = Field(repr=False, description="Burgerservicenummer; must pass the 11-proef.")
    birth_date: Day = Field(repr=False)
    given_name: str | None = Field(default=None, max_length=200, repr=False)
    family_name: str | None = Field(default=None, max_length=200, repr=False)

    @field_validator("bsn")
    @classmethod
    def _eleven_proof(cls, value: str) -> str:
        if not is_valid_bsn(value):
            raise PydanticCustomError("invalid_bsn", "The BSN does not pass the 11-proef.")
        return value

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


class ClientSubject(SubjectIn):
    """A pupil as a request names it: plain names and a plausible birth date.

    Only requests are held to this. An identity read back from storage is a `SubjectIn`:
    a pupil stored at 4 stays readable when the 30-year bound has moved on. A `SubjectIn`
    read back may be handed on in a request (the portal does), hence `from_attributes`.
    """

    model_config = ConfigDict(from_attributes=True)

    given_name: Name | None = Field(default=None, max_length=200, repr=False)
    family_name: Name | None = Field(default=None, max_length=200, repr=False)

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: date, info: ValidationInfo) -> date:
        today = today_for(info)
        if today is None:
            return value
        if value > today:
            raise PydanticCustomError("date_in_future", "The birth date lies in the future.")
        if value < _years_before(today, OLDEST_PUPIL_YEARS):
            raise PydanticCustomError(
                "birth_date_implausible",
                "The birth date lies more than {years} years back.",
                {"years": OLDEST_PUPIL_YEARS},
            )
        return value


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


class SubjectCorrection(BaseModel):
    """The facts as the school's leerlingadministratie holds them (AVG art. 16)."""

    model_config = ConfigDict(extra="forbid")

    subject: ClientSubject


class SubjectCorrected(BaseModel):
    subject_ref: str
