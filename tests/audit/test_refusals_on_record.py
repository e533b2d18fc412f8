"""Every refusal on record: a stranger probing another party's objects gets the answer an
unknown id gets, and the owner's privacy officer sees the attempt in its own log."""

from __future__ import annotations

from typing import Any

from tests.support.consent import REFERRAL, consent_body, granted, parent, pupil_aged
from tests.support.gateway import (
    OFFICER,
    REGISTRATION,
    Gateway,
    Org,
    audit_log,
    audited,
    make_dossier,
    make_subject,
)


def denials(gateway: Gateway, officer: Org, by: Org) -> list[tuple[str, str | None]]:
    return sorted(
        (e["action"], e["code"])
        for e in audit_log(gateway, officer)
        if e["decision"] == "deny" and e["org"] == by.id
    )


def without_ids(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    return {key: value for key, value in body.items() if key != "instance"}


def test_a_strangers_tries_on_a_transfer_are_on_the_senders_record(gateway: Gateway) -> None:
    po, vo = audited(gateway, "school_po"), audited(gateway, "school_vo")
    stranger = audited(gateway, "school_vo")
    subject = make_subject(birth_date="2004-09-01")
    enrolled = gateway.client.post(
        "/v1/enrolments", json={"subject": subject}, headers=vo.headers(actor="admin-vo")
    )
    assert enrolled.status_code == 201, enrolled.text
    pushed = gateway.client.post(
        "/v1/transfers",
        json={"recipient": vo.id, "subject": subject, "dossier": make_dossier()},
        headers=po.headers(actor="ib-1"),
    )
    assert pushed.status_code == 201, pushed.text
    url = f"/v1/transfers/{pushed.json()['id']}"
    unknown = "/v1/transfers/tr_00000000000000000000"
    inzage = {"date": "2016-04-14", "akkoord": True}
    ack = {"conversation_date": "2016-04-15"}

    tries = [
        (
            gateway.client.get(url, headers=stranger.headers()),
            gateway.client.get(unknown, headers=stranger.headers()),
        ),
        (
            gateway.client.post(f"{url}/inzage", json=inzage, headers=stranger.headers()),
            gateway.client.post(f"{unknown}/inzage", json=inzage, headers=stranger.headers()),
        ),
        (
            gateway.client.post(f"{url}/acknowledge", json=ack, headers=stranger.headers()),
            gateway.client.post(f"{unknown}/acknowledge", json=ack, headers=stranger.headers()),
        ),
    ]

    for real, never in tries:
        assert real.status_code == never.status_code == 404
        assert without_ids(real) == without_ids(never)
    assert denials(gateway, po, stranger) == [
        ("transfer.acknowledge", "not_found"),
        ("transfer.inzage", "not_found"),
        ("transfer.read", "not_found"),
    ]
    # The stranger's own privacy officer sees all six tries, the unknown ids included.
    assert len(denials(gateway, stranger, stranger)) == 6
    # ... and alike: its log does not name the pupil, the object or the owner of the
    # real one, which the stranger was answered as for an id that never existed.
    seen = [e for e in audit_log(gateway, stranger) if e["decision"] == "deny"]
    assert {(e["subject_ref"], e["object_id"], e["owner"]) for e in seen} == {(None, None, None)}
    assert not [e for e in audit_log(gateway, vo) if e["org"] == stranger.id]


def test_a_strangers_tries_on_a_consent_are_on_the_registering_schools_record(
    gateway: Gateway,
) -> None:
    school, wijkteam = audited(gateway, "school_po"), gateway.make_org("wijkteam")
    stranger = audited(gateway, "wijkteam")
    created = granted(gateway, school, consent_body([wijkteam.id], granted_by=[parent()]))
    url = f"/v1/consents/{created['id']}"
    headers = stranger.headers(REFERRAL, actor="jp-9")

    read = gateway.client.get(url, headers=headers)
    withdrawn = gateway.client.post(f"{url}/withdraw", headers=headers)
    never = gateway.client.get("/v1/consents/cns_00000000000000000000", headers=headers)

    assert read.status_code == withdrawn.status_code == never.status_code == 404
    assert without_ids(read) == without_ids(never)
    assert denials(gateway, school, stranger) == [
        ("consent.read", "not_found"),
        ("consent.withdraw", "not_found"),
    ]
    status = gateway.client.get(url, headers=school.headers(REFERRAL)).json()["status"]
    assert status == "active"


def test_a_strangers_decision_on_an_aanmelding_is_on_the_schools_record(
    gateway: Gateway,
) -> None:
    vo, stranger = audited(gateway, "school_vo"), gateway.make_org("school_vo")
    enrolled = gateway.client.post(
        "/v1/enrolments", json={"subject": pupil_aged(11)}, headers=vo.headers(actor="admin")
    )
    assert enrolled.status_code == 201, enrolled.text

    refused = gateway.client.patch(
        f"/v1/enrolments/{enrolled.json()['id']}",
        json={"status": "afgewezen"},
        headers=stranger.headers(actor="admin-2"),
    )

    assert refused.status_code == 404
    assert denials(gateway, vo, stranger) == [("enrolment.afgewezen", "not_found")]


def test_only_a_school_enrols_its_own_pupil(gateway: Gateway) -> None:
    """Enrolment makes a school the authority on the pupil's facts: no one else enrols."""
    wijkteam = gateway.make_org("wijkteam", scopes=["enrolments:write", "audit:read"])
    refused = gateway.client.post(
        "/v1/enrolments",
        json={"subject": pupil_aged(11), "status": "ingeschreven"},
        headers=wijkteam.headers(purpose=REGISTRATION, actor="jp-1"),
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "not_authoritative")
    assert denials(gateway, wijkteam, wijkteam) == [("enrolment.register", "not_authoritative")]


def test_a_strangers_verdict_on_a_break_glass_review_is_on_the_reporters_record(
    gateway: Gateway,
) -> None:
    school, veilig_thuis = audited(gateway, "school_po"), gateway.make_org("veilig_thuis")
    stranger = audited(gateway, "school_po")
    report = gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": veilig_thuis.id,
            "subject": pupil_aged(9),
            "dossier": {"leerling": {}},
            "meldcode": {
                "steps": ["signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"],
                "reasons": ["Signalen van mishandeling"],
                "parents_told": True,
            },
        },
        headers=school.headers(purpose="meldcode.melding", actor="ib-1"),
    )
    assert report.status_code == 201, report.text
    pending = gateway.client.get("/v1/audit/reviews", headers=school.headers(**OFFICER))
    review_id = pending.json()["items"][0]["id"]

    tried = gateway.client.post(
        f"/v1/audit/reviews/{review_id}",
        json={"verdict": "justified"},
        headers=stranger.headers(**OFFICER),
    )
    never = gateway.client.post(
        "/v1/audit/reviews/bg_00000000000000000000",
        json={"verdict": "justified"},
        headers=stranger.headers(**OFFICER),
    )

    assert tried.status_code == never.status_code == 404
    assert without_ids(tried) == without_ids(never)
    assert denials(gateway, school, stranger) == [("audit.review", "not_found")]
    still = gateway.client.get("/v1/audit/reviews", headers=school.headers(**OFFICER))
    assert [r["id"] for r in still.json()["items"]] == [review_id]
