from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from gateway.crypto.bsn import is_valid_bsn


class SubjectIn(BaseModel):
    """A pupil as a client sends it. Never echoed back: responses carry `subject_ref`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    bsn: str = Field(repr=False, description="Burgerservicenummer; must pass the 11-proef.")
    birth_date: date = Field(repr=False)
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


class SubjectCorrection(BaseModel):
    """The facts as the school's leerlingadministratie holds them (AVG art. 16)."""

    model_config = ConfigDict(extra="forbid")

    subject: SubjectIn


class SubjectCorrected(BaseModel):
    subject_ref: str
