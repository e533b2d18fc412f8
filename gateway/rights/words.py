"""The Dutch words of the inzage report and of the rights requests.

The report speaks to a parent ("U"), the pupil, or an organisation's privacy officer;
the sentences here are neutral enough for all three. Labels of the audit actions this
package writes are in `ACTIONS` (merged into the portal's table, `gateway.web.wording`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

# What the actor did, and what a refused act would have been (after "wilde").
ACTIONS: dict[str, tuple[str, str]] = {
    "rights.inzage.report": (
        "maakte een overzicht van alle gegevens (inzage)",
        "een overzicht van alle gegevens maken",
    ),
    "rights.request.file": (
        "diende een verzoek in om gegevens te verbeteren of te verwijderen",
        "een verzoek indienen om gegevens te verbeteren of te verwijderen",
    ),
    "rights.request.list": (
        "bekeek de verzoeken om gegevens te verbeteren of te verwijderen",
        "de verzoeken om gegevens te verbeteren of te verwijderen bekijken",
    ),
    "rights.request.decide": (
        "besliste over een verzoek om gegevens te verbeteren of te verwijderen",
        "beslissen over een verzoek om gegevens te verbeteren of te verwijderen",
    ),
    "rights.request.remind": (
        "kreeg een herinnering: een verzoek moet binnenkort beantwoord zijn",
        "een herinnering over een verzoek krijgen",
    ),
}

TRANSFER_STATUS = {
    "awaiting_inzage": "wacht op inzage door de ouders",
    "available": "klaar om op te halen door de ontvanger",
    "received": "ontvangen",
    "acknowledged": "ontvangen en besproken",
    "withdrawn": "ingetrokken",
}

CASE_KINDS = {
    "knooppunt": "Knooppunt",
    "ot": "Ondersteuningsteam (OT)",
    "mdo": "Multidisciplinair overleg (MDO)",
}

# Why something is not in the report, as the reader reads it.
GROUNDS: dict[str, str] = {
    "ask_controller": (
        "Deze dienst laat de inhoud van dit dossier niet in het portaal zien. De inhoud is "
        "op te vragen bij de organisatie die het dossier stuurde of ontving."
    ),
    "officer_reads_own": (
        "De inhoud staat niet in dit overzicht. Uw organisatie leest het dossier via de "
        "eigen route van deze dienst; elke keer staat in het logboek."
    ),
    "requester_not_entitled": (
        "Volgens de regels voor de leeftijd van de leerling is deze inhoud niet in te zien."
    ),
    "inzage_rule": "Volgens de regels voor inzage is deze inhoud niet in te zien.",
    "flow_not_allowed": "Volgens de regels voor inzage is deze inhoud niet in te zien.",
    "not_found": "Dit dossier is niet (meer) beschikbaar.",
}

SIGNALS_NOTE = (
    "Of de leerling in de verwijsindex staat, staat niet in dit overzicht. De organisatie "
    "die een signaal afgeeft, vertelt dat zelf aan de jongere of de ouders, behalve als "
    "dat niet veilig is. Navragen kan bij de organisaties die met de leerling werken."
)

RETENTION = {
    "leerlingdossier": "tot 2 jaar nadat de leerling de school verlaat",
    "verzuim_5y": "tot 5 jaar na de uitschrijving",
    "voorschool_2y": "2 jaar",
    "swv_3y": "ten hoogste 3 jaar",
    "jeugdhulp_20y": "tot 20 jaar na het einde van de hulp",
    "jgz_20y": "tot 20 jaar na de laatste aantekening",
    "case_view": "zolang de verslagen van het overleg bewaard worden, minstens 2 jaar",
    "case_entry": "zolang de bewaartermijn van de schrijver loopt",
    "own_term": "elke organisatie volgens haar eigen bewaartermijn",
    "verwijsindex": "ten hoogste 2 jaar actief, daarna 5 jaar archief; weg op 23 jaar",
    "veilig_thuis": "volgens het beleid van Veilig Thuis",
    "consent_history": "de geschiedenis van de toestemming blijft bewaard bij het logboek",
}

RIGHTS = {
    "rechten.correctie": "verbeteren (correctie)",
    "rechten.verwijdering": "verwijderen",
}

REQUEST_STATUS = {
    "open": "in behandeling",
    "extended": "in behandeling, termijn verlengd",
    "granted": "toegekend",
    "refused": "afgewezen",
}

REFUSAL_GROUNDS = {
    "child_interest": "in het belang van het kind (Jeugdwet artikel 7.3.11, lid 3)",
    "third_party_interest": "om de privacy van iemand anders te beschermen (Jeugdwet "
    "artikel 7.3.11, lid 1)",
    "avg_23": "om de leerling of anderen te beschermen (AVG artikel 23)",
    "accurate": "de gegevens kloppen volgens de organisatie (AVG artikel 16)",
    "legal_obligation": "de organisatie moet de gegevens volgens de wet bewaren (AVG "
    "artikel 17, lid 3)",
}


def someone(role: str) -> str:
    return "Een voogd" if role == "guardian" else "Een ouder"


def transfer_status(code: str) -> str:
    return TRANSFER_STATUS.get(code, "onbekend")


def case_kind(code: str) -> str:
    return CASE_KINDS.get(code, "Overleg")


def consent_status(withdrawn_at: datetime | None, valid_until: datetime, now: datetime) -> str:
    if withdrawn_at is not None:
        return "ingetrokken"
    return "verlopen" if valid_until <= now else "geldig"


def withheld(what: str, code: str | None, item: str | None) -> dict[str, Any]:
    ground = code or "inzage_rule"
    return {
        "what": what,
        "item": item,
        "ground": ground,
        "ground_nl": GROUNDS.get(ground, GROUNDS["inzage_rule"]),
    }


def kept(what: str, until: date | None, retention_class: str | None) -> dict[str, Any]:
    term = RETENTION.get(retention_class or "", "volgens de bewaartermijn van de organisatie")
    return {"what": what, "until": until, "retention_class": retention_class, "term_nl": term}
