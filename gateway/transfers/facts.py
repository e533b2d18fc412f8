"""What a push states besides its dossier, checked before the engine decides on it.

The verzuimmelding's own fields are what leerplicht receives, so the engine decides on
them: its hours, its kind and its period come from `verzuim_melding`, never from a
second statement beside it. The older top-level `absence_hours` is still accepted, but
only when it says what the melding says; a sender cannot show the engine 20 hours and
leerplicht 3. A meldcode step skipped without its reason is refused as input, so the
privacy officer's review never shows a skip nobody explained.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from gateway.core.errors import Unprocessable
from gateway.transfers.schemas import ActFacts, MeldcodeIn
from policies.catalog import Catalog

MELDING = "verzuim_melding"


def check_meldcode(meldcode: MeldcodeIn | None) -> None:
    """422 for a skipped step without its reason, or a step both taken and skipped."""
    if meldcode is None:
        return
    for i, skipped in enumerate(meldcode.skipped):
        if not _given(skipped.reason):
            raise Unprocessable(
                "A skipped meldcode step needs the reason it was skipped.",
                code="meldcode_skip_reason_missing",
                extra={"field": f"meldcode.skipped[{i}].reason"},
            )
    if {s.step for s in meldcode.skipped} & set(meldcode.steps):
        raise Unprocessable(
            "A meldcode step is recorded both as taken and as skipped.",
            code="meldcode_step_conflict",
            extra={"field": "meldcode.skipped"},
        )


def skipped_steps(meldcode: MeldcodeIn | None) -> frozenset[str]:
    """The steps skipped with a reason: the only skips the engine may count."""
    if meldcode is None:
        return frozenset()
    return frozenset(s.step for s in meldcode.skipped if _given(s.reason))


def melding_misfits(dossier: Mapping[str, Any], catalog: Catalog) -> bool:
    """The dossier holds a verzuimmelding that does not fit its fields."""
    return MELDING in dossier and bool(catalog.misfits({MELDING: dossier[MELDING]}))


def absence_facts(facts: ActFacts, dossier: Mapping[str, Any], catalog: Catalog) -> ActFacts:
    """The facts with the absence as the dossier's verzuimmelding states it.

    A melding that does not fit its fields yields nothing here: the field check refuses
    it, naming the path, where the decision would otherwise deny on the missing hours.
    Without a melding there is no absence to state, and a top-level `absence_hours` is
    dropped rather than decided on.
    """
    melding = dossier.get(MELDING)
    if not isinstance(melding, Mapping):
        return facts.model_copy(update={"absence_hours": None})
    if melding_misfits(dossier, catalog):
        return facts
    hours = melding.get("uren")
    stated = facts.absence_hours
    if stated is not None and (hours is None or float(hours) != stated):
        raise Unprocessable(
            f"absence_hours does not agree with {MELDING}.uren; leave it out, the melding "
            "states the hours.",
            code="absence_hours_mismatch",
            extra={"field": f"{MELDING}.uren"},
        )
    return facts.model_copy(
        update={
            "absence_hours": None if hours is None else float(hours),
            "absence_type": melding["soort"],
            "absence_days": period_days(melding["periode"]["van"], melding["periode"]["tot"]),
        }
    )


def period_days(start: date | str, end: date | str) -> int:
    """The days of a period, both ends counted; 422 when it ends before it starts."""
    van = date.fromisoformat(start) if isinstance(start, str) else start
    tot = date.fromisoformat(end) if isinstance(end, str) else end
    if tot < van:
        raise Unprocessable(
            "The absence period ends before it starts.",
            code="absence_period_invalid",
            extra={"field": f"{MELDING}.periode"},
        )
    return (tot - van).days + 1


def _given(text: str | None) -> bool:
    return bool(text and text.strip())
