"""Consent receipts: a compact JWS by the gateway that parents and schools can keep.

Anyone can verify a receipt against the gateway's published JWKS
(`/.well-known/jwks.json`, alg `Ed25519`). It carries roles, never names or a BSN: a
receipt is handed around, and the subject is named only by a pseudonym of its own for
this one consent, so no two holders of receipts can join them on the pupil.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from consent import period
from consent.models import Consent
from gateway.crypto.pseudonym import Pseudonymizer
from gateway.crypto.signing import SigningKeys

RECEIPT_TYPE = "consent-receipt+jwt"


def subject(pseudonyms: Pseudonymizer, consent: Consent) -> str:
    """The pupil as the receipt of this consent names them."""
    return pseudonyms.for_org(consent.subject_ref, f"receipt:{consent.id}")


def claims(consent: Consent, *, sub: str, issuer: str, now: datetime) -> dict[str, Any]:
    found = {
        "iss": issuer,
        "iat": int(now.timestamp()),
        "consent_id": consent.id,
        "sub": sub,
        "purpose": consent.purpose,
        "recipients": consent.recipient_ids,
        "categories": list(consent.categories),
        "granted_by": list(consent.grantor_roles),
        "evidence": consent.evidence,
        "valid_from": consent.valid_from.isoformat(),
        "valid_until": period.last_day(consent.valid_until).isoformat(),
        "status": "active",
    }
    if consent.case_id is not None:
        found["case_id"] = consent.case_id
    return found


def grant_receipt(
    signing: SigningKeys, pseudonyms: Pseudonymizer, consent: Consent, *, issuer: str, now: datetime
) -> str:
    sub = subject(pseudonyms, consent)
    return signing.sign_jwt(claims(consent, sub=sub, issuer=issuer, now=now), typ=RECEIPT_TYPE)


def withdrawal_receipt(
    signing: SigningKeys, pseudonyms: Pseudonymizer, consent: Consent, *, issuer: str, now: datetime
) -> str:
    """Proof for the parents that, and when, the consent stopped (AVG art. 7(3))."""
    withdrawn_at = consent.withdrawn_at or now
    sub = subject(pseudonyms, consent)
    found = claims(consent, sub=sub, issuer=issuer, now=now) | {
        "status": "withdrawn",
        "withdrawn_at": withdrawn_at.isoformat(),
    }
    return signing.sign_jwt(found, typ=RECEIPT_TYPE)
