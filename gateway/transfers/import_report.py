"""What `gateway import` reports of each file: accepted (new, or the answer an earlier
run or import recorded) or refused, with the code, the detail and the validators'
meldingen as the API's problem detail gives them; and the whole batch's counts."""

from __future__ import annotations

from typing import Any

from gateway.core import idempotency
from gateway.core.errors import GatewayError
from gateway.transfers.formats import NoSubjectRef

# The API's hint names its query parameter (`formats.named_subject`); here the
# subject_ref is a field of the file's manifest.json entry.
NO_SUBJECT_REF = (
    'This dossier carries no BSN: name the pupil with "subject_ref" in the file\'s '
    "manifest.json entry."
)
# A refusal's meldingen as the API's problem detail has them (`formats.parse_oso`): type
# (only `Fout` refuses), text, location (element names and positions), category.
MELDING_FIELDS = ("type", "text", "location", "category")


def created(transfer_id: str, status: str, decision: dict[str, Any]) -> dict[str, Any]:
    return {"id": transfer_id, "status": status, "decision": decision}


def replayed(found: idempotency.Answer, request_print: str) -> dict[str, Any]:
    """The answer recorded for the file's key by an earlier run (or import)."""
    if found.fingerprint != request_print:
        return refused(
            "idempotency_key_reused",
            "This file was imported before by another --actor, or with another --purpose "
            "or --recipient; that import stands and this one sends nothing.",
        )
    body = found.body
    if found.status_code >= 400:
        return refused(str(body.get("code", "refused")), str(body.get("detail", "")))
    return {
        "outcome": "accepted",
        "new": False,
        "transfer": body.get("id"),
        "status": body.get("status"),
    }


def refusal(error: GatewayError) -> dict[str, Any]:
    if isinstance(error, NoSubjectRef):
        return refused(error.code, NO_SUBJECT_REF)
    meldingen = error.extra.get("meldingen") if error.extra else None
    return refused(error.code, error.detail, meldingen)


def refused(code: str, detail: str, meldingen: Any = None) -> dict[str, Any]:
    # Problem details name elements and rules, never their values (gateway.core.errors);
    # a melding's text and location are held to that by `connectors.oso.rules`.
    entry: dict[str, Any] = {"outcome": "refused", "code": code, "detail": detail}
    if meldingen:
        entry["meldingen"] = [{key: m.get(key) for key in MELDING_FIELDS} for m in meldingen]
    return entry


def summary(rows: list[dict[str, Any]], source: str) -> dict[str, Any]:
    """The report: counts, and every file's outcome (`earlier_run`: of an earlier run)."""
    return {
        "source": source,
        "files": len(rows),
        "accepted": sum(1 for r in rows if r["outcome"] == "accepted"),
        "refused": sum(1 for r in rows if r["outcome"] == "refused"),
        "earlier_run": sum(1 for r in rows if r.get("earlier_run")),
        "items": rows,
    }
