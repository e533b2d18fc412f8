"""A case's life: start, participants, entries, closing, the MDO."""

from __future__ import annotations

from datetime import timedelta

from tests.cases.helpers import PUPIL, headers, join, listed, start, table, write, wrote
from tests.support.gateway import Gateway, audit_log


def test_the_creator_is_the_first_participant_with_a_mandate_and_regie(gateway: Gateway) -> None:
    at = table(gateway)
    case = gateway.client.get(f"/v1/cases/{at.case_id}", headers=headers(at.wijkteam)).json()
    assert case["kind"] == "knooppunt"
    assert case["status"] == "open"
    assert case["regie"] == at.school.id
    assert case["title"] == "Zorgen om Sam de Vries"
    first = next(p for p in case["participants"] if p["org"] == at.school.id)
    assert (first["org"], first["person"], first["role"], first["mandate"]) == (
        at.school.id,
        "ib-1",
        "intern_begeleider",
        True,
    )
    assert {p["org"] for p in case["participants"]} == {
        at.school.id,
        at.wijkteam.id,
        at.leerplicht.id,
    }
    mine = gateway.client.get("/v1/cases", headers=headers(at.leerplicht)).json()["items"]
    assert [c["id"] for c in mine] == [at.case_id]
    # The title is stored sealed and never logged.
    with gateway.services.db.sessions() as session:
        from gateway.cases.models import Case

        stored = session.get(Case, at.case_id)
        assert stored is not None
        assert b"Sam" not in stored.title
    assert "Sam" not in str(audit_log(gateway, at.school))


def test_a_participant_twice_is_a_conflict_and_only_a_mandate_adds_one(gateway: Gateway) -> None:
    at = table(gateway)
    twice = join(gateway, at.case_id, at.school, at.wijkteam)
    assert twice.status_code == 409
    assert twice.json()["code"] == "participant_exists"
    guest = gateway.make_org("smw")
    assert join(gateway, at.case_id, at.school, guest, mandate=False).status_code == 201
    jgz = gateway.make_org("jgz")
    refused = join(gateway, at.case_id, guest, jgz)
    assert refused.status_code == 403
    assert refused.json()["code"] == "mandate_missing"
    mbo = gateway.make_org("mbo")
    not_in_flow = join(gateway, at.case_id, at.school, mbo)
    assert not_in_flow.status_code == 422
    assert not_in_flow.json()["code"] == "recipient_not_in_flow"
    case = gateway.client.get(f"/v1/cases/{at.case_id}", headers=headers(at.school)).json()
    assert {p["org"] for p in case["participants"]} == {
        at.school.id,
        at.wijkteam.id,
        at.leerplicht.id,
        guest.id,
    }
    refusals = [e for e in audit_log(gateway, at.school) if e["decision"] == "deny"]
    assert {e["code"] for e in refusals} >= {"participant_exists", "mandate_missing"}


def test_an_unknown_category_or_an_off_field_payload_is_refused_and_nothing_stored(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    unknown = write(gateway, at.case_id, at.school, "diagnose_adhd", {"x": 1})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "category_forbidden"
    assert "diagnose_adhd" not in unknown.text
    off_field = write(gateway, at.case_id, at.school, "leerling", {"diagnose": "ADHD-geheim"})
    assert off_field.status_code == 422
    assert off_field.json()["code"] == "category_invalid"
    assert off_field.json()["invalid"] == [
        {"path": "leerling", "problem": "holds a field the catalog does not list"}
    ]
    assert "ADHD-geheim" not in off_field.text
    not_shared = write(gateway, at.case_id, at.school, "tlv_besluit")
    assert not_shared.status_code == 422
    assert not_shared.json()["code"] == "category_forbidden"
    assert listed(gateway, at.case_id, at.school) == []
    codes = [e["code"] for e in audit_log(gateway, at.school) if e["action"] == "case.entry.write"]
    assert codes == ["category_forbidden", "category_invalid", "category_forbidden"]


def test_an_entry_is_sealed_kept_by_its_writer_and_written_once_per_key(gateway: Gateway) -> None:
    at = table(gateway)
    first = gateway.client.post(
        f"/v1/cases/{at.case_id}/entries",
        json={"category": "leerling", "content": {"roepnaam": "Sam"}},
        headers={**headers(at.school), "Idempotency-Key": "k-1"},
    )
    again = gateway.client.post(
        f"/v1/cases/{at.case_id}/entries",
        json={"category": "leerling", "content": {"roepnaam": "Sam"}},
        headers={**headers(at.school), "Idempotency-Key": "k-1"},
    )
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json()
    entry = first.json()
    assert (entry["org"], entry["retention"], entry["content"]) == (
        at.school.id,
        "leerlingdossier",
        {"roepnaam": "Sam"},
    )
    assert listed(gateway, at.case_id, at.school) == ["leerling"]
    with gateway.services.db.sessions() as session:
        from gateway.cases.models import CaseEntry

        stored = session.get(CaseEntry, entry["id"])
        assert stored is not None
        assert b"Sam" not in stored.content


def test_a_closed_case_takes_no_entries_and_keeps_what_it_has(gateway: Gateway) -> None:
    at = table(gateway)
    wrote(gateway, at.case_id, at.school, "leerling")
    closed = gateway.client.post(f"/v1/cases/{at.case_id}/close", headers=headers(at.school))
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    late = write(gateway, at.case_id, at.wijkteam, "gezinsplan")
    assert late.status_code == 409
    assert late.json()["code"] == "case_closed"
    assert listed(gateway, at.case_id, at.school) == ["leerling"]


def test_an_mdo_passes_regie_to_the_swv(gateway: Gateway) -> None:
    at = table(gateway)
    swv = gateway.make_org("swv_vo")
    not_yet = gateway.client.post(
        f"/v1/cases/{at.case_id}/mdo", json={"regie": swv.id}, headers=headers(at.school)
    )
    assert not_yet.status_code == 422
    assert not_yet.json()["code"] == "regie_not_participant"
    not_swv = gateway.client.post(
        f"/v1/cases/{at.case_id}/mdo", json={"regie": at.wijkteam.id}, headers=headers(at.school)
    )
    assert not_swv.json()["code"] == "regie_not_swv"
    assert join(gateway, at.case_id, at.school, swv).status_code == 201
    mdo = gateway.client.post(
        f"/v1/cases/{at.case_id}/mdo", json={"regie": swv.id}, headers=headers(at.school)
    )
    assert mdo.status_code == 200, mdo.text
    assert (mdo.json()["kind"], mdo.json()["regie"]) == ("mdo", swv.id)
    assert any(e["action"] == "case.mdo" for e in audit_log(gateway, at.school))


def test_the_pupil_in_the_listing_is_under_the_callers_own_pseudonym(gateway: Gateway) -> None:
    at = table(gateway)
    gateway.clock.advance(timedelta(minutes=1))
    other = start(gateway, at.wijkteam, kind="ot")
    mine = gateway.client.get("/v1/cases", headers=headers(at.wijkteam)).json()["items"]
    assert [c["id"] for c in mine] == [other, at.case_id]
    refs = {c["subject_ref"] for c in mine}
    assert len(refs) == 1
    theirs = gateway.client.get("/v1/cases", headers=headers(at.school)).json()["items"]
    assert theirs[0]["subject_ref"] not in refs
    assert PUPIL["bsn"] not in str(mine)
