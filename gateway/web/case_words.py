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
# The case pages' sentences to the reader, by key (`voice.TEXTS` takes them in).
CASE_TEXTS: dict[str, tuple[str, str]] = {
    "case_about": ("{name}", "jou"),
    "case_together": (
        "In een overleg maken de school, andere organisaties en u samen een plan.",
        "In een overleg maken de school, andere organisaties en jij en je ouders samen een plan.",
    ),
    "case_closed": (
        "Dit overleg is gesloten op {day}. U kunt het nog bekijken, maar er kan niets meer bij.",
        "Dit overleg is gesloten op {day}. Je kunt het nog bekijken, maar er kan niets meer bij.",
    ),
    "case_members": ("U doet zelf ook mee.", "Jij en je ouders doen mee."),
    "case_mandate": (
        "Wie mandaat heeft, mag in het overleg beslissen namens de eigen organisatie. Alleen "
        "deelnemers met mandaat kunnen lezen wat u of uw kind schrijft.",
        "Wie mandaat heeft, mag in het overleg beslissen namens de eigen organisatie. Alleen "
        "deelnemers met mandaat kunnen lezen wat jij of je ouders schrijven.",
    ),
    "case_shared": (
        "Elke organisatie houdt zelf wat zij schrijft. Hier ziet u per stuk wie het schreef, wat "
        "voor gegevens het zijn, wanneer, en welke andere deelnemers het nu mogen lezen. Wat er "
        "in de stukken van de organisaties staat, ziet u hier niet. Dat kunt u opvragen bij de "
        "organisatie die het schreef (uw recht op inzage).",
        "Elke organisatie houdt zelf wat zij schrijft. Hier zie je per stuk wie het schreef, wat "
        "voor gegevens het zijn, wanneer, en welke andere deelnemers het nu mogen lezen. Wat er "
        "in de stukken van de organisaties staat, zie je hier niet. Dat kun je vragen aan de "
        "organisatie die het schreef.",
    ),
    "case_own_wishes": ("Wat u graag wilt", "Wat je graag wilt"),
    "case_view_heading": ("Uw eigen visie", "Je eigen visie"),
    "case_view_intro": (
        "Schrijf hier hoe u het ziet en wat u graag wilt. Alle deelnemers met mandaat kunnen "
        "lezen wat u schrijft. In dit portaal zien anderen wel dat u iets schreef, maar niet wat.",
        "Schrijf hier hoe jij het ziet en wat je graag wilt. Alle deelnemers met mandaat kunnen "
        "lezen wat je schrijft. In dit portaal zien je ouders wel dat je iets schreef, maar niet "
        "wat.",
    ),
    "case_view_label": ("Hoe ziet u het?", "Hoe zie jij het?"),
    "case_wishes_label": ("Wat zou u graag willen?", "Wat zou je graag willen?"),
    "case_back": ("Terug naar {name}", "Terug naar mijn gegevens"),
}


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
