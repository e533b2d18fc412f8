"""Why an act was refused, as the privacy officer reads it: a Dutch phrase for the
entry's code, not the API's English word. A code without a phrase of its own is shown as
it is, after a Dutch lead-in; the CSV export keeps the bare code (`export`)."""

from __future__ import annotations

from policies.nl import PRECONDITIONS
from policies.rules import PRECONDITION_CODES

# The policy catalog's deny codes and the refusals every part of the gateway shares.
REASONS: dict[str, str] = {
    # The generic answers (gateway.core.errors).
    "bad_request": "het verzoek was niet goed opgesteld",
    "unauthorized": "niet ingelogd of geen geldig toegangsbewijs",
    "forbidden": "niet toegestaan met deze inlog of rechten",
    "not_found": "niet gevonden, of van een andere organisatie",
    "conflict": "dit kon niet meer in deze stand van zaken",
    "unprocessable": "de gegevens klopten niet",
    "payload_too_large": "het verzoek was te groot",
    # The policy catalog (policies.rules, gateway.catalog.enforce).
    "flow_not_allowed": "de regels staan deze uitwisseling niet toe",
    "unknown_purpose": "dit doel bestaat niet in de regels",
    "purpose_mismatch": "het opgegeven doel past niet bij deze handeling",
    "consent_missing": "de nodige toestemming ontbreekt",
    "below_threshold": "het verzuim blijft onder de meldgrens",
    "category_forbidden": "een gevraagde soort gegevens mag niet naar deze ontvanger",
    "category_missing": "een verplichte soort gegevens ontbrak",
    "category_invalid": "een soort gegevens is niet goed ingevuld",
    "out_of_scope": "de leeftijd van de leerling valt buiten deze uitwisseling",
    "not_authoritative": "dit soort organisatie handelt niet onder dit doel",
    "recipient_not_in_flow": "de ontvanger hoort niet bij deze uitwisseling",
    "unknown_recipient": "de ontvanger is niet bekend",
    # Who may act.
    "insufficient_scope": "het toegangsbewijs geeft geen recht op deze handeling",
    "not_party": "de organisatie is hierbij geen partij",
    "mandate_missing": "het mandaat om deel te nemen ontbreekt",
    "requester_not_entitled": "de verzoeker mag dit niet vragen",
    "not_privacy_officer": "geen functionaris gegevensbescherming van deze organisatie",
    # The pupil and the transfer.
    "subject_unknown": "de gegevens van de leerling zijn er niet (meer)",
    "unknown_subject": "deze leerling is bij de organisatie niet bekend",
    "subject_conflict": "de gegevens van de leerling spreken elkaar tegen",
    "transfer_withdrawn": "het dossier is ingetrokken",
    "transfer_not_available": "het dossier is (nog) niet beschikbaar",
    "invalid_transition": "deze stap kan niet in de huidige stand",
    "invalid_dossier": "het dossier is niet goed opgesteld",
    "invalid_bsn": "geen geldig burgerservicenummer",
    "invalid_cursor": "een verlopen of onjuiste vervolgpagina",
    "idempotency_key_reused": "dezelfde sleutel was al gebruikt voor een ander verzoek",
}
# A precondition not met reads as the precondition itself (policies.nl).
REASONS.update(
    {code: f"niet vervuld: {PRECONDITIONS[name]}" for name, code in PRECONDITION_CODES.items()}
)


def reason(code: str) -> str:
    """The refusal in Dutch: its phrase, or the bare code after a Dutch lead-in."""
    return REASONS.get(code) or f"code zonder omschrijving: {code}"
