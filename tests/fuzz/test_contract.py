"""Fuzzing from the contract: every operation of the served OpenAPI, as several
organisations, and the push -> inzage -> read -> acknowledge chain with generated data.

Deterministic here (a fixed seed and example budget); `make fuzz` runs the same net
with a larger budget and a seed left to chance (FUZZ_EXAMPLES, FUZZ_SEED).
Every request sent is counted; the count is printed at the end of the run and must
not fall under FLOOR, so the net cannot shrink unseen when operations change.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi

from gateway.crypto.bsn import is_valid_bsn
from tests.fuzz.harness import Budget, Identity, Net
from tests.fuzz.summary import REPORTS
from tests.support.gateway import Gateway, Org, audited, enrol_pupil, make_dossier

FLOOR = 1000
PO_VO = "overdracht.po_vo"
PUPIL = {"bsn": "111222333", "birth_date": "2004-02-29"}
# The purpose each kind acts under when it is fuzzed: a flow it takes part in.
KINDS = {
    "school_po": PO_VO,
    "school_vo": PO_VO,
    "wijkteam": "jeugdhulp.verwijzing",
    "leerplicht": "leerplicht.verzuim",
}


def context(purpose: str, actor: str = "actor-1") -> dict[str, str]:
    return {"X-Purpose": purpose, "X-Actor": actor}


def bearer(org: Org) -> dict[str, str]:
    return {"Authorization": f"Bearer {org.token}"}


class World:
    """The organisations of the run and one pupil the two schools both know."""

    def __init__(self, gateway: Gateway) -> None:
        self.orgs = {kind: gateway.make_org(kind) for kind in KINDS}
        po = self.orgs["school_po"]
        self.officer = audited(gateway, "school_po")
        enrol_pupil(gateway, po, PUPIL)
        vo = self.orgs["school_vo"]
        aanmelding = gateway.client.post(
            "/v1/enrolments",
            json={"subject": PUPIL, "status": "aangemeld"},
            headers=vo.headers(PO_VO, role="ib"),
        )
        assert aanmelding.status_code == 201, aanmelding.text
        self.po, self.vo, self.bystander = po, vo, self.orgs["leerplicht"]

    def identities(self) -> list[tuple[Identity, dict[str, str] | None]]:
        """(who sends, the context headers fixed for the case; None: generated ones)."""
        found: list[tuple[Identity, dict[str, str] | None]] = [
            (Identity(kind, bearer(org)), context(KINDS[kind])) for kind, org in self.orgs.items()
        ]
        found.append((Identity("officer", bearer(self.officer)), context("audit.toezicht", "fg-1")))
        # The context headers as the schema describes them, so mostly wrong ones.
        found.append((Identity("school_po, any context", bearer(self.po)), None))
        return found


def fuzz_every_operation(net: Net, world: World) -> None:
    salt = 0
    for identity, headers in world.identities():
        for operation in net.operations("/v1/"):
            salt += 1
            net.fuzz(operation, identity, headers=headers, salt=salt)
    # Invalid input by construction: it must be refused (4xx), as problem+json.
    sender = Identity("school_po", bearer(world.po))
    for operation in net.operations("/v1/"):
        salt += 1
        net.fuzz(operation, sender, mode=GenerationMode.NEGATIVE, headers=context(PO_VO), salt=salt)
    # No token at all, and what is not under /v1 (token endpoint, metadata, health).
    anonymous = Identity("no token", {})
    for operation in net.operations("/"):
        salt += 1
        net.fuzz(operation, anonymous, headers=context(PO_VO), salt=salt)


# Whether a step is made realistic: true first (Hypothesis tries the first choice as the
# simplest), so that a small budget still reaches the end of each chain.
REALISTIC = st.sampled_from([True, False])
INZAGE = st.sampled_from(
    [
        None,
        {"date": "2016-04-14", "akkoord": True},
        {"date": "2016-04-14", "akkoord": False, "zienswijze": "Niet eens met het advies."},
    ]
)
# The POVO dossier's mandatory categories, and what may come with them: optional ones,
# a forbidden one (vve), one never allowed without a special ground, an unknown one.
OVERSTAP = {name: part for name, part in make_dossier().items() if name != "toetsresultaten"}
EXTRAS = {
    "toetsresultaten": [{"toets": "rekenen", "niveau": "1F"}],
    "verzuim": [{"uren": 4}],
    "vve": [{"programma": "Piramide"}],
    "gezondheid": [{"notitie": "astma"}],
    "onbekend": {"iets": "anders"},
}


def realistic_push(data: st.DataObject, world: World) -> dict[str, Any]:
    extras = data.draw(st.sets(st.sampled_from(sorted(EXTRAS)), max_size=2))
    return {
        "recipient": world.vo.id,
        "subject": PUPIL,
        "dossier": {**OVERSTAP, **{name: EXTRAS[name] for name in extras}},
        "inzage": data.draw(INZAGE),
    }


def chain(net: Net, world: World) -> None:
    """Push (as the primary school) -> inzage -> read (as a bystander, then as the
    secondary school) -> acknowledge -> inbox, each step a generated case of its
    operation for the transfer just made; half the pushes are made realistic (the known
    recipient and pupil, the mandatory categories and a drawn few more)."""
    push = net.operation("POST", "/v1/transfers")
    inzage = net.operation("POST", "/v1/transfers/{transfer_id}/inzage")
    read = net.operation("GET", "/v1/transfers/{transfer_id}")
    acknowledge = net.operation("POST", "/v1/transfers/{transfer_id}/acknowledge")
    inbox = net.operation("GET", "/v1/transfers")
    po = Identity("school_po", bearer(world.po))
    vo = Identity("school_vo", bearer(world.vo))
    bystander = Identity("leerplicht", bearer(world.bystander))
    as_po, as_vo = {**context(PO_VO), **po.headers}, {**context(PO_VO), **vo.headers}

    @net.given(st.data(), examples=4 * net.budget.examples)
    def scenario(data: st.DataObject) -> None:
        case = data.draw(push.as_strategy(headers=as_po))
        if data.draw(REALISTIC):
            case.media_type, case.body = "application/json", realistic_push(data, world)
        pushed = net.send(case, po)
        if pushed.status_code != 201:
            return
        net.pushed += 1
        ids = {"transfer_id": pushed.json()["id"]}
        if pushed.json()["status"] == "awaiting_inzage":
            net.send(data.draw(inzage.as_strategy(path_parameters=ids, headers=as_po)), po)
        peek = {**context(KINDS["leerplicht"]), **bystander.headers}
        peeked = net.send(data.draw(read.as_strategy(path_parameters=ids, headers=peek)), bystander)
        # Not found, unless refused as malformed (a generated X-Actor-Role) before any look-up.
        assert peeked.status_code in (400, 404, 422), "a bystander learnt of a transfer"
        net.send(data.draw(read.as_strategy(path_parameters=ids, headers=as_vo)), vo)
        net.send(data.draw(acknowledge.as_strategy(path_parameters=ids, headers=as_vo)), vo)
        net.send(data.draw(inbox.as_strategy(headers=as_vo)), vo)

    scenario()


# A pupil the fuzzing registers: nine digits that pass the 11-proef.
BSN = st.from_regex(r"\A[1-9][0-9]{8}\Z").filter(is_valid_bsn)


def enrolment_chain(net: Net, world: World) -> None:
    """Aanmelding (as the secondary school) -> a decision on it, tried first by another
    school (404) and then by the school itself; half the aanmeldingen name a new pupil
    with a valid BSN, so that the decision is reached."""
    create = net.operation("POST", "/v1/enrolments")
    decide = net.operation("PATCH", "/v1/enrolments/{enrolment_id}")
    vo = Identity("school_vo", bearer(world.vo))
    po = Identity("school_po", bearer(world.po))
    as_vo, as_po = {**context(PO_VO), **vo.headers}, {**context(PO_VO), **po.headers}

    @net.given(st.data(), examples=2 * net.budget.examples, salt=1)
    def scenario(data: st.DataObject) -> None:
        case = data.draw(create.as_strategy(headers=as_vo))
        if data.draw(REALISTIC):
            pupil = {"bsn": data.draw(BSN), "birth_date": "2004-02-29"}
            case.media_type, case.body = "application/json", {"subject": pupil}
        made = net.send(case, vo)
        if made.status_code != 201:
            return
        net.enrolled += 1
        ids = {"enrolment_id": made.json()["id"]}
        other = net.send(data.draw(decide.as_strategy(path_parameters=ids, headers=as_po)), po)
        assert other.status_code in (400, 404, 422), "another school reached an aanmelding"
        net.send(data.draw(decide.as_strategy(path_parameters=ids, headers=as_vo)), vo)

    scenario()


def test_the_contract_holds_under_generated_requests(gateway: Gateway) -> None:
    net = Net.load(gateway, Budget.from_env(examples=8))
    REPORTS.append((gateway.settings.database_url.split(":", 1)[0], net))
    try:
        world = World(gateway)
        fuzz_every_operation(net, world)
        chain(net, world)
        enrolment_chain(net, world)
    finally:
        # schemathesis keeps every app it started for the rest of the process.
        asgi.shutdown_lifespans()
    assert not net.failures, f"seed {net.budget.seed}:\n" + "\n\n".join(net.failures)
    assert net.sent >= FLOOR, f"only {net.sent} requests were generated"
    assert net.pushed > 0, "no generated push was accepted: the chain never ran"
    assert net.enrolled > 0, "no generated aanmelding was accepted: the chain never ran"
