"""The policy catalog in force, and a dry run of one decision (nothing stored)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from gateway.catalog.enforce import decision_json
from gateway.core.context import Principal
from gateway.deps import ServicesDep, require_scope
from policies.engine import evaluate
from policies.model import ConsentState, Preconditions, Request

router = APIRouter(prefix="/v1/policies", tags=["policies"])
Reader = Annotated[Principal, Depends(require_scope("policies:read"))]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    granted_by: list[str] = Field(max_length=10)


class PreconditionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aanmelding: bool = False
    inzage: bool = False
    informed: bool = False


class EvaluateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sender_kind: str = Field(max_length=64)
    recipient_kind: str = Field(max_length=64)
    purpose: str = Field(max_length=64)
    subject_age: int | None = Field(default=None, ge=0, le=130)
    categories: list[str] = Field(default_factory=list, max_length=64)
    consent: ConsentIn | None = None
    preconditions: PreconditionsIn = Field(default_factory=PreconditionsIn)
    action: str = Field(default="release", pattern="^(send|release)$")


@router.get("", summary="The catalog in force: version and flows")
def catalog(services: ServicesDep, _: Reader) -> dict[str, Any]:
    return services.catalog.to_dict()


@router.post("/evaluate", summary="Dry-run one decision; nothing is stored")
def evaluate_dry_run(body: EvaluateIn, services: ServicesDep, _: Reader) -> dict[str, Any]:
    request = Request(
        sender_kind=body.sender_kind,
        recipient_kind=body.recipient_kind,
        purpose=body.purpose,
        categories=frozenset(body.categories),
        subject_age=body.subject_age,
        consent=ConsentState(tuple(body.consent.granted_by)) if body.consent else None,
        preconditions=Preconditions(**body.preconditions.model_dump()),
        action="send" if body.action == "send" else "release",
    )
    return {"decision": decision_json(evaluate(request, services.catalog))}
