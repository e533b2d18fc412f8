"""The words of the case pages: a knooppunt, OT or MDO as parents and the pupil read it.

Parents read "u", the pupil reads "je" (B1). The agreements of the table
(`knooppunt_afspraken`) name parties by their place at the table, never by name; here
each becomes a plain Dutch phrase.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from gateway.cases.portal_view import Shared
from gateway.web import wording
from policies.nl import ORG_KINDS

KINDS = {
    "knooppunt": "Knooppunt",
    "ot": "Ondersteuningsteam (OT)",
    "mdo": "Multidisciplinair overleg (MDO)",
}
ROLES = {
    "intern_begeleider": "intern begeleider",
    "initiatiefnemer": "initiatiefnemer",
    "deelnemer": "deelnemer",
}
# The parties of the agreements (`regie`, `eigenaar`, `deelnemers`).
PARTIES = {
    "ouders": "de ouders",
    "kind": "het kind",
    "school": "de school",
    "swv": "het samenwerkingsverband",
    "wijkteam": "het wijkteam",
    "leerplicht": "leerplicht",
    "jgz": "de jeugdgezondheidszorg (JGZ)",
    "smw": "het schoolmaatschappelijk werk",
    "jeugdhulp": "de jeugdhulp",
}
DOMAINS = {"onderwijs": "onderwijs", "gemeente": "gemeente", "zorg": "zorg"}
PLACES = {"school": "op school", "thuis": "thuis"}
# (to a parent, to the pupil), as `voice.Voice.pick` chooses.
VIEW_DONE = ("Uw visie is toegevoegd aan het overleg.", "Je visie is toegevoegd aan het overleg.")


def kind(code: str) -> str:
    return KINDS.get(code, code)


def org_kind(code: str) -> str:
    return ORG_KINDS.get(code, code)


def role(code: str) -> str:
    return ROLES.get(code) or wording.role(code).replace("_", " ")


def party(code: str, *, is_self: bool) -> str:
    if is_self and code == "kind":
        return "jij"
    return PARTIES.get(code, code)


def _day(value: Any) -> str:
    try:
        return wording.day(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def agreement(content: Any, *, is_self: bool) -> dict[str, Any]:
    """The agreements of one `knooppunt_afspraken` entry as Dutch lines."""
    plan = content if isinstance(content, dict) else {}
    found: dict[str, Any] = {"afspraken": plan.get("afspraken") or ""}
    found["regie"] = party(plan["regie"], is_self=is_self) if plan.get("regie") else ""
    found["evaluatie"] = _day(plan["evaluatie"]) if plan.get("evaluatie") else ""
    interventions = []
    for item in plan.get("interventies") or []:
        line = (
            f"{wording.first_upper(DOMAINS.get(item['domein'], item['domein']))}, "
            f"{PLACES.get(item['plaats'], item['plaats'])}; "
            f"eigenaar: {party(item['eigenaar'], is_self=is_self)}"
        )
        if item.get("datum"):
            line += f"; datum: {_day(item['datum'])}"
        interventions.append(line)
    found["interventies"] = interventions
    found["besluiten"] = [
        f"Besluit van {_day(item['datum'])}, genomen door "
        + ", ".join(party(p, is_self=is_self) for p in item.get("deelnemers", []))
        for item in plan.get("besluiten") or []
    ]
    return found


def writer(entry: Shared, *, is_self: bool, name: str) -> str:
    """Who wrote an entry, as the viewer reads it: an organisation, or from the portal."""
    if entry.own:
        return "jou" if is_self else "u"
    if entry.writer:
        return entry.writer
    if entry.category == "visie_leerling":
        return f"{name} zelf, via dit portaal"
    return "je ouder, via dit portaal" if is_self else "een ouder, via dit portaal"
