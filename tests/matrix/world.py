"""One gateway per database with every scenario of the matrix set up in it.

Each scenario gets its own pupil, so whatever is about that pupil (a transfer, a consent,
an audit entry) belongs to that scenario alone. Senders and recipients come from two
organisations per kind (registering one costs a deliberate password hash); bystanders
are one more organisation per kind that is never party to anything. A scenario of the
case flow starts a case about its pupil (the sender's, with one entry; the recipient
joins it where the scenario has it at the table); one of the TLV request flow whose
push went through also runs a TLV procedure between its parties, about a pupil of its
own. The scenarios whose
consent is to be expired are set up 40 days back in time, the rest on the day of the
tests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from httpx2 import Response

from gateway.orgs.scopes import default_scopes
from policies.compiled import Catalog
from tests.support.consent import (
    FATHER_BSN,
    MOTHER_BSN,
    NAMES,
    post_gezag,
    refresh,
    stand_to_register,
)
from tests.support.gateway import REGISTRATION, Gateway, Org, enrol_pupil
from tests.support.matrix import (
    CASE_ENTRY,
    TLV_REQUEST,
    Matrix,
    Scenario,
    birth_date,
    bsn_numbers,
    dossier,
    marker,
    payload,
)
from tests.support.standing import to_start

BACK = timedelta(days=40)
GRANTOR = {
    "parent": {"role": "parent", "name": NAMES[0], "bsn": MOTHER_BSN},
    "guardian": {"role": "guardian", "name": NAMES[1], "bsn": FATHER_BSN},
    "pupil": {"role": "pupil", "name": NAMES[2]},
}


@dataclass
class Setup:
    scenario: Scenario
    subject: dict[str, str]
    sender: Org
    recipient: Org
    push: Response
    transfer_id: str | None
    consent_id: str | None
    case_id: str | None = None
    entry_id: str | None = None
    tlv_id: str | None = None


class World:
    def __init__(self, gateway: Gateway, matrix: Matrix) -> None:
        self.gateway = gateway
        self.catalog: Catalog = gateway.services.catalog
        self.matrix = matrix
        self.bsns = iter(bsn_numbers(10_000_000))
        self.orgs: list[Org] = []
        self.setups: dict[str, Setup] = {}
        clock = gateway.clock
        clock.advance(-BACK)
        kinds = sorted(self.catalog.org_kinds)
        self.school = self.org("school_po")
        self.senders = {kind: self.org(kind) for kind in kinds}
        self.recipients = {kind: self.org(kind) for kind in kinds}
        past = [s for s in matrix.scenarios if s.consent == "expired"]
        for scenario in past:
            self.set_up(scenario)
        clock.advance(BACK)
        refresh(gateway, *self.orgs)
        # Named in the consents that cover another recipient; never sender nor recipient.
        self.others = {kind: self.org(kind) for kind in kinds}
        self.bystanders = {kind: self.org(kind) for kind in kinds}
        # An organisation whose token carries none of the transfer scopes.
        self.unscoped = self.gateway.make_org(kinds[0], scopes=["audit:read"])
        for scenario in matrix.scenarios:
            if scenario.consent != "expired":
                self.set_up(scenario)
        self.unknown_subject = {"bsn": next(self.bsns), "birth_date": birth_date(10, self.today)}

    @property
    def today(self) -> Any:
        return self.gateway.clock.now().date()

    def org(self, kind: str) -> Org:
        scopes = [*default_scopes(kind), "audit:read", "enrolments:write"]
        made = self.gateway.make_org(kind, scopes=sorted(set(scopes)))
        self.orgs.append(made)
        return made

    def post(self, url: str, org: Org, purpose: str, body: Any) -> Response:
        return self.gateway.client.post(url, json=body, headers=org.headers(purpose))

    def set_up(self, scenario: Scenario) -> None:
        gateway, flow = self.gateway, self.catalog.flows[scenario.flow]
        subject = {"bsn": next(self.bsns), "birth_date": birth_date(scenario.age, self.today)}
        sender = self.senders[scenario.sender_kind]
        recipient = self.recipients[scenario.recipient_kind]
        enrol_pupil(gateway, self.school, subject)
        if "aanmelding" in scenario.preconditions:
            enrolled = self.post(
                "/v1/enrolments", recipient, flow.id, {"subject": subject, "status": "aangemeld"}
            )
            assert enrolled.status_code == 201, enrolled.text
        case_id, entry_id = self.start_case(scenario, subject, sender, recipient)
        consent_id = None
        if scenario.consent_categories is not None:
            consent_id = self.grant(scenario, subject, sender, recipient)
        body: dict[str, Any] = {
            "recipient": recipient.id,
            "subject": subject,
            "dossier": dossier(scenario, self.catalog.taxonomy),
        }
        if "inzage" in scenario.preconditions:
            body["inzage"] = {"date": (self.today - timedelta(days=1)).isoformat(), "akkoord": True}
        if "informed" in scenario.preconditions:
            body["informed"] = True
        if flow.break_glass:
            body["meldcode"] = {
                "steps": sorted(self.catalog.meldcode_steps),
                "reasons": ["zorgen na gesprek"],
                "parents_told": True,
            }
        # A verzuimmelding states its own hours (the catalog example's reach the threshold).
        pushed = self.post("/v1/transfers", sender, flow.id, body)
        transfer_id = pushed.json().get("id") if pushed.status_code == 201 else None
        if scenario.consent == "withdrawn" and consent_id is not None:
            withdrawn = self.post(f"/v1/consents/{consent_id}/withdraw", sender, flow.id, None)
            assert withdrawn.status_code == 200, withdrawn.text
        tlv_id = self.run_tlv(sender, recipient) if scenario.tlv_flow and transfer_id else None
        self.setups[scenario.key] = Setup(
            scenario,
            subject,
            sender,
            recipient,
            pushed,
            transfer_id,
            consent_id,
            case_id,
            entry_id,
            tlv_id,
        )

    def start_case(
        self, scenario: Scenario, subject: dict[str, str], sender: Org, recipient: Org
    ) -> tuple[str | None, str | None]:
        """The sender starts a case about the pupil and writes one entry; the recipient
        joins it with a mandate where the scenario has it at the table."""
        if not scenario.case_flow:
            return None, None
        flow = scenario.flow
        # The sender is involved with the pupil apart from the case (its pupil, or one it
        # received through the gateway), as the catalog asks of whoever starts one.
        to_start(self.gateway, sender, subject)
        body = {"subject": subject, "kind": "knooppunt", "title": "Matrix"}
        started = self.post("/v1/cases", sender, flow, body)
        assert started.status_code == 201, started.text
        case_id = str(started.json()["id"])
        if scenario.at_the_table:
            seat = {"org": recipient.id, "role": "deelnemer", "person": "p-1", "mandate": True}
            joined = self.post(f"/v1/cases/{case_id}/participants", sender, flow, seat)
            assert joined.status_code == 201, joined.text
        content = payload(self.catalog.taxonomy, CASE_ENTRY, marker(scenario, CASE_ENTRY))
        entry = {"category": CASE_ENTRY, "content": content}
        written = self.post(f"/v1/cases/{case_id}/entries", sender, flow, entry)
        assert written.status_code == 201, written.text
        return case_id, str(written.json()["id"])

    def run_tlv(self, school: Org, swv: Org) -> str:
        """A TLV procedure between the scenario's parties, on a request (about a pupil
        of its own) that carries the OPP with the parents' instemming."""
        taxonomy = self.catalog.taxonomy
        subject = {"bsn": next(self.bsns), "birth_date": birth_date(10, self.today)}
        enrol_pupil(self.gateway, self.school, subject)
        routes = self.catalog.flows[TLV_REQUEST].routes
        names = next(r.mandatory for r in routes if school.kind in r.senders)
        request = {name: payload(taxonomy, name, "tlv") for name in sorted(names)}
        request["opp"] = {**payload(taxonomy, "opp", "tlv"), "instemming": True}
        body = {"recipient": swv.id, "subject": subject, "dossier": request}
        pushed = self.post("/v1/transfers", school, TLV_REQUEST, body)
        assert pushed.status_code == 201, pushed.text
        opened = self.post("/v1/tlvs", swv, TLV_REQUEST, {"request": pushed.json()["id"]})
        assert opened.status_code == 201, opened.text
        return str(opened.json()["id"])

    def grant(
        self, scenario: Scenario, subject: dict[str, str], sender: Org, recipient: Org
    ) -> str:
        grantors = [GRANTOR[role] for role in scenario.grantors]
        for person in grantors:
            if "bsn" in person:
                found = post_gezag(
                    gateway=self.gateway,
                    school=self.school,
                    subject=subject,
                    person=person,
                    has=True,
                    purpose=REGISTRATION,
                )
                assert found.status_code == 201, found.text
        named = recipient.id
        if scenario.consent == "other_recipient":
            named = self.others[scenario.recipient_kind].id
        valid_until = self.today + timedelta(days=30 if scenario.consent == "expired" else 180)
        body = {
            "subject": subject,
            "purpose": scenario.flow,
            "recipients": [named],
            "categories": sorted(scenario.consent_categories or ()),
            "granted_by": grantors,
            "valid_until": valid_until.isoformat(),
            "evidence": "digital",
        }
        # The sender registers the consent with the standing its push will have too.
        stand_to_register(self.gateway, sender, subject, scenario.flow)
        granted = self.post("/v1/consents", sender, scenario.flow, body)
        assert granted.status_code == 201, granted.text
        return str(granted.json()["id"])

    def pseudonym(self, org: Org, subject: dict[str, str]) -> str:
        """The ref under which `org` knows the pupil `subject`."""
        pseudonyms = self.gateway.keyring.pseudonyms
        return pseudonyms.for_org(pseudonyms.subject_ref(subject["bsn"]), org.id)

    def unknown_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(10)}"
