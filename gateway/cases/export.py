"""The case file as a signed bundle for a dispute body (bezwaar, Geschillencommissie
passend onderwijs), holding only what the requesting party may see.

The bundle holds the case's metadata, every participant that ever sat at the table
(with when it joined and, if it did, left), the agreements, and exactly the
entries `GET /v1/cases/{id}/entries` returns to the requesting party at that moment:
what it may not read is absent, not counted and not hashed. The gateway signs a
manifest (a compact JWS, alg Ed25519, by its signing key, published in
`/.well-known/jwks.json`): the case, the requesting organisation, when, under which
policy catalog, a hash of the metadata, and per entry its id, writer, category, time
and the SHA-256 of its canonical content. A verifier checks the signature against the
JWKS, then recomputes the hashes from the bundle (`verify` does both; README,
"Case export", describes it step by step).

An export is an act: it is done under knooppunt.casus by a participant only, and it is
on the audit log with the categories it released, like a read of the entries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from gateway.cases import acts
from gateway.cases.entries import Released, readable
from gateway.cases.service import Viewed, view
from gateway.core.context import ActContext
from gateway.crypto.signing import ALGORITHM, SigningKeys
from gateway.edges import Edges

TYPE = "case-export"
JWS_TYPE = "case-manifest+jws"
# The bundle's sections that `case_sha256` covers.
METADATA = ("case", "participants", "agreements")


def canonical(value: Any) -> bytes:
    """JSON with keys sorted, no whitespace, UTF-8: for the values a case holds
    (objects, lists, strings, integers, booleans, null) this is RFC 8785 (JCS)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


@dataclass(frozen=True, slots=True)
class Exported:
    viewed: Viewed
    released: list[Released]


def export(session: Session, *, case_id: str, ctx: ActContext, edges: Edges) -> Exported:
    """What the caller may see of the case now, with the act on the audit log."""
    with acts.attempt(ctx, edges, "case.export") as act:
        acts.flow(ctx, edges)
        case, me = acts.member(session, act, case_id, ctx)
    released = readable(session, case, me, ctx, edges)
    categories = frozenset(r.entry.category for r in released)
    acts.log(session, ctx, edges, "case.export", "export", case, categories=categories)
    # Who ever sat at the table: a party that left is named where its entries are.
    return Exported(view(session, case, edges, everyone=True), released)


def manifest(
    bundle: dict[str, Any], *, issuer: str, ctx: ActContext, edges: Edges
) -> dict[str, Any]:
    """What the gateway signs, from the bundle as it is sent."""
    return {
        "type": TYPE,
        "iss": issuer,
        "case_id": bundle["case"]["id"],
        "requested_by": ctx.org_id,
        "purpose": acts.PURPOSE,
        "generated_at": edges.now.isoformat(),
        "policy_version": edges.catalog.version,
        "case_sha256": digest({key: bundle[key] for key in METADATA}),
        "entries": [
            {
                "id": entry["id"],
                "org": entry["org"],
                "category": entry["category"],
                "created_at": entry["created_at"],
                "sha256": digest(entry["content"]),
            }
            for entry in bundle["entries"]
        ],
    }


def sign(signing: SigningKeys, signed: dict[str, Any]) -> str:
    return signing.sign_bytes(canonical(signed), typ=JWS_TYPE)


class Unverified(Exception):
    """The bundle does not match its signed manifest, or the signature does not hold."""


def verify(document: dict[str, Any], jwks: dict[str, Any]) -> dict[str, Any]:
    """The signed manifest of an export, once the signature holds against `jwks` and
    the bundle matches it entry by entry; else `Unverified`."""
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        token = jws.deserialize_compact(document["signature"], keys, algorithms=[ALGORITHM])
        signed: dict[str, Any] = json.loads(token.payload)
    except (JoseError, KeyError, TypeError, ValueError) as exc:
        raise Unverified(f"the signature does not hold: {type(exc).__name__}") from exc
    if token.headers().get("typ") != JWS_TYPE or signed.get("type") != TYPE:
        raise Unverified("the signature is not over a case export's manifest")
    bundle = document["bundle"]
    if signed["case_id"] != bundle["case"]["id"]:
        raise Unverified("the bundle is of another case")
    if signed["case_sha256"] != digest({key: bundle[key] for key in METADATA}):
        raise Unverified("the case, its participants or agreements were changed")
    entries = bundle["entries"]
    if [e["id"] for e in signed["entries"]] != [e["id"] for e in entries]:
        raise Unverified("entries were added, removed or reordered")
    for listed, entry in zip(signed["entries"], entries, strict=True):
        fields = ("org", "category", "created_at")
        if any(listed[f] != entry[f] for f in fields) or listed["sha256"] != digest(
            entry["content"]
        ):
            raise Unverified(f"the entry {listed['id']} was changed")
    return signed
