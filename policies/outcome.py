"""What a check yields: the facts it reads and the failure it may report."""

from __future__ import annotations

from typing import NamedTuple


class Failure(NamedTuple):
    code: str
    rule: str  # the suffix of the rule id: "<flow>/deny/<rule>"
    reason: str


class Facts(NamedTuple):
    """What the engine works out once per request and several checks read."""

    # The requested categories this route allows at all.
    allowed: frozenset[str]
    released: frozenset[str]
    # Categories that need a consent the request does not have (or that does not name them).
    uncovered: frozenset[str]
    # Why the consent falls short of the age rule; None when it suffices or is not needed.
    consent_gap: str | None
