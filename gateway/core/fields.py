"""Field types for what clients send: plain names and text, days as YYYY-MM-DD, real dates.

Names and free text reach portal pages, OSO files and the screens of other schools, so
control characters (NUL, escape sequences) and bidi overrides that reorder what a
reader sees are refused at the edge. A date is judged against the app's clock, which a
request binds once (`bind_today`, from the acting context), never the system clock.
"""

from __future__ import annotations

import re
import unicodedata
from contextvars import ContextVar
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

_TODAY: ContextVar[date | None] = ContextVar("gateway_today", default=None)
# Nine digits, also written with dots or dashes between them: a BSN in all but name. A
# value from a client that is echoed or logged (X-Actor, X-Request-Id) must not be one.
BSN_SHAPED = re.compile(r"(?<!\d)\d(?:[.-]?\d){8}(?!\d)")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# In long text line breaks and tabs are the writer's own; everything else of Cc is not,
# nor the bidi embeddings, overrides and isolates (the "Trojan Source" characters).
_HIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf"})


def bind_today(today: date) -> None:
    """The app clock's day for the request being validated (set by the acting context)."""
    _TODAY.set(today)


def today_for(info: ValidationInfo) -> date | None:
    """The day to judge dates by: the validation context's, else the request's, else none."""
    given = info.context.get("today") if isinstance(info.context, dict) else None
    return given if isinstance(given, date) else _TODAY.get()


def has_hidden_characters(value: str) -> bool:
    """Control or formatting characters (ESC, bidi overrides): never in a name."""
    return any(unicodedata.category(char) in _HIDDEN_CATEGORIES for char in value)


def _plain_name(value: str) -> str:
    if has_hidden_characters(value):
        raise PydanticCustomError(
            "control_character", "A name may not hold control or formatting characters."
        )
    return value


def _plain_text(value: str) -> str:
    if _HIDDEN_IN_TEXT.search(value):
        raise PydanticCustomError(
            "control_character", "The text may not hold control or bidi override characters."
        )
    return value


def _iso_day(value: Any) -> Any:
    # Lax pydantic also takes "2016-04-14T00:00:00" and Unix timestamps as a day.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.match(value)):
        return value
    raise PydanticCustomError("date_format", "A date is written as YYYY-MM-DD.")


def _not_future(value: date, info: ValidationInfo) -> date:
    today = today_for(info)
    if today is not None and value > today:
        raise PydanticCustomError("date_in_future", "The date lies in the future.")
    return value


Name = Annotated[str, AfterValidator(_plain_name)]
Text = Annotated[str, AfterValidator(_plain_text)]
Day = Annotated[date, BeforeValidator(_iso_day)]
PastDay = Annotated[Day, AfterValidator(_not_future)]
