"""The plan agreed at the table, and the yearly evaluation."""

from __future__ import annotations

from datetime import timedelta

from tests.cases.helpers import headers, start, table, write
from tests.support.consent import refresh
from tests.support.gateway import Gateway, lawful_dossier


def test_agreements_carry_regie_interventions_and_decisions_by_role(gateway: Gateway) -> None:
    at = table(gateway)
    plan = lawful_dossier(["knooppunt_afspraken"])["knooppunt_afspraken"]
    assert write(gateway, at.case_id, at.wijkteam, "knooppunt_afspraken", plan).status_code == 201
    named = {**plan, "besluiten": [{"datum": "2016-04-15", "deelnemers": ["Anna de Vries"]}]}
    refused = write(gateway, at.case_id, at.wijkteam, "knooppunt_afspraken", named)
    assert refused.status_code == 422
    assert refused.json()["invalid"] == [
        {
            "path": "knooppunt_afspraken.besluiten[0].deelnemers[0]",
            "problem": "is not one of the values the catalog lists",
        }
    ]
    assert "Anna" not in refused.text


def due(gateway: Gateway, org_headers: dict[str, str]) -> list[str]:
    response = gateway.client.get("/v1/cases?due=evaluation", headers=org_headers)
    assert response.status_code == 200, response.text
    return [case["id"] for case in response.json()["items"]]


def test_a_case_is_listed_as_due_from_a_month_before_its_yearly_evaluation(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    later = start(gateway, at.school)
    assert due(gateway, headers(at.school)) == []
    gateway.clock.advance(timedelta(days=334))
    refresh(gateway, at.school, at.wijkteam)
    assert due(gateway, headers(at.school)) == []
    gateway.clock.advance(timedelta(days=2))
    refresh(gateway, at.school, at.wijkteam)
    assert set(due(gateway, headers(at.school))) == {at.case_id, later}
    assert due(gateway, headers(at.wijkteam)) == [at.case_id]
    evaluated = gateway.client.post(
        f"/v1/cases/{at.case_id}/evaluation", headers=headers(at.school)
    )
    assert evaluated.status_code == 200, evaluated.text
    assert evaluated.json()["evaluated_at"] is not None
    assert due(gateway, headers(at.school)) == [later]
    gateway.client.post(f"/v1/cases/{later}/close", headers=headers(at.school))
    assert due(gateway, headers(at.school)) == []


def test_evaluation_needs_a_mandate(gateway: Gateway) -> None:
    at = table(gateway)
    guest = gateway.make_org("smw")
    added = gateway.client.post(
        f"/v1/cases/{at.case_id}/participants",
        json={"org": guest.id, "role": "smw", "person": "p-9", "mandate": False},
        headers=headers(at.school),
    )
    assert added.status_code == 201
    refused = gateway.client.post(f"/v1/cases/{at.case_id}/evaluation", headers=headers(guest))
    assert refused.status_code == 403
    assert refused.json()["code"] == "mandate_missing"
    case = gateway.client.get(f"/v1/cases/{at.case_id}", headers=headers(at.school)).json()
    assert case["evaluated_at"] is None
