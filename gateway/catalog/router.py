"""The policy catalog in force, and a dry run of one decision (nothing stored)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from gateway.catalog.enforce import catalog_names, decision_json
from gateway.core.context import Principal
from gateway.core.fields import Day
from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep, require_scope
from gateway.transfers.facts import check_meldcode, period_days, skipped_steps
from gateway.transfers.schemas import MeldcodeIn
from policies.engine import evaluate
from policies.model import ConsentState, Preconditions, Request

router = APIRouter(prefix="/v1/policies", tags=["policies"], route_class=OneTripRoute)
Reader = Annotated[Principal, Depends(require_scope("policies:read"))]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    granted_by: list[str] = Field(max_length=10)
    gezag_holders: int | None = Field(
        default=None,
        ge=0,
        le=10,
        description="How many people hold gezag over the pupil (the school's register). "
        "A flow that asks both parents asks both who hold gezag: with sole gezag one "
        "parent (or a voogd alone) suffices. Omitted: both parents are asked.",
    )


class PreconditionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sender_related: bool = Field(
        default=False,
        description="The sender has the standing with the pupil its route names "
        "(`sender_relation` in GET /v1/policies): its own pupil (aanmelding or "
        "inschrijving), or the request, referral or melding it received. The push looks "
        "it up; without it the push is denied `sender_not_related`.",
    )
    aanmelding: bool = False
    inzage: bool = False
    informed: bool = False
    participant: bool = Field(
        default=False,
        description="knooppunt.casus: the recipient takes part in the case with a mandate.",
    )


class PeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    van: Day
    tot: Day


class EvaluateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sender_kind: str = Field(max_length=64)
    recipient_kind: str = Field(max_length=64)
    purpose: str = Field(max_length=64)
    subject_age: int | None = Field(default=None, ge=0, le=130)
    categories: list[str] = Field(default_factory=list, max_length=64)
    consent: ConsentIn | None = None
    preconditions: PreconditionsIn = Field(default_factory=PreconditionsIn)
    # The same facts a push declares, so that the dry run can ask what the act asks.
    # A verzuimmelding's own fields, as the push reads them from `verzuim_melding`.
    absence_hours: float | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="Verzuimmelding: hours of absence (`verzuim_melding.uren`).",
    )
    absence_type: str | None = Field(
        default=None,
        max_length=32,
        description="Verzuimmelding: the kind of absence (`verzuim_melding.soort`). The hours "
        "threshold holds for the kinds the flow names (`verzuim_threshold` in "
        "`GET /v1/policies`); a kind not given is held to it.",
    )
    absence_period: PeriodIn | None = Field(
        default=None,
        description="Verzuimmelding: the period (`verzuim_melding.periode`). Longer than the "
        "region's `thuiszitter_weeks`: the obligation `thuiszitter_follow_up`.",
    )
    meldcode: MeldcodeIn | None = Field(
        default=None, description="Meldcode report: the steps taken and the reasons."
    )
    # A dry run must never permit what the act would refuse: by default it asks about
    # the exchange itself (the push), which checks every category the sender offers.
    action: Literal["send", "release"] = Field(
        default="send",
        description=(
            "send (default): the exchange itself, as POST /v1/transfers decides it; "
            "release: what the recipient may read of what is held."
        ),
    )


@router.get("", summary="The catalog in force: version and flows")
def catalog(services: ServicesDep, _: Reader) -> dict[str, Any]:
    return services.catalog.to_dict()


@router.post("/evaluate", summary="Dry-run one decision; nothing is stored")
def evaluate_dry_run(body: EvaluateIn, services: ServicesDep, _: Reader) -> dict[str, Any]:
    """The decision the act would get; a deny names the `code` the act would refuse with."""
    meldcode = body.meldcode
    check_meldcode(meldcode)
    period = body.absence_period
    request = Request(
        sender_kind=body.sender_kind,
        recipient_kind=body.recipient_kind,
        purpose=body.purpose,
        categories=catalog_names(services.catalog, body.categories),
        subject_age=body.subject_age,
        consent=ConsentState(
            tuple(body.consent.granted_by), gezag_holders=body.consent.gezag_holders
        )
        if body.consent
        else None,
        preconditions=Preconditions(**body.preconditions.model_dump()),
        action=body.action,
        absence_hours=body.absence_hours,
        absence_type=body.absence_type,
        absence_days=period_days(period.van, period.tot) if period else None,
        meldcode_steps=frozenset(meldcode.steps) if meldcode else frozenset(),
        meldcode_skipped=skipped_steps(meldcode),
        reasons=tuple(meldcode.reasons) if meldcode else (),
        parents_told=meldcode.parents_told if meldcode else False,
        not_told_reason=meldcode.not_told_reason if meldcode else None,
    )
    decision = evaluate(request, services.catalog)
    return {"decision": {**decision_json(decision), "code": decision.code}}
