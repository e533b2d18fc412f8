"""`consent_state`: the hook every consent-based act asks, and what it counts."""

from __future__ import annotations

from datetime import timedelta

from consent.state import consent_state
from policies.model import ConsentState
from tests.cases.helpers import join, start
from tests.support.consent import (
    REFERRAL,
    child,
    consent_body,
    granted,
    guardian,
    parent,
    pupil_aged,
    refresh,
)
from tests.support.gateway import Gateway

GUARDIAN = guardian()


def state(
    gateway: Gateway,
    subject_ref: str,
    recipient: str,
    categories: set[str],
    *,
    purpose: str = REFERRAL,
    case_id: str | None = None,
) -> ConsentState | None:
    with gateway.services.db.sessions() as session:
        return consent_state(
            session,
            subject_ref=subject_ref,
            purpose=purpose,
            recipient_org_id=recipient,
            categories=frozenset(categories),
            now=gateway.clock.now(),
            case_id=case_id,
        )


def test_it_counts_only_the_named_recipient_purpose_and_categories(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    jeugdhulp = gateway.make_org("jeugdhulp")
    created = granted(gateway, school, consent_body([wijkteam.id]))
    ref = gateway.internal_ref(school, created["subject_ref"])
    expected = ConsentState(("parent",), frozenset({"leerling", "oudersverzorgers"}))

    assert state(gateway, ref, wijkteam.id, {"leerling"}) == expected
    assert state(gateway, ref, wijkteam.id, {"leerling", "oudersverzorgers"}) == expected
    assert state(gateway, ref, wijkteam.id, set()) == expected
    assert state(gateway, ref, wijkteam.id, {"leerling", "gezondheid"}) is None
    assert state(gateway, ref, jeugdhulp.id, {"leerling"}) is None
    assert state(gateway, ref, wijkteam.id, {"leerling"}, purpose="knooppunt.casus") is None
    assert state(gateway, "sr_someone_else", wijkteam.id, {"leerling"}) is None


def test_a_case_consent_covers_that_case_only(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    team = gateway.make_org("wijkteam")
    purpose = "knooppunt.casus"
    # Two cases about the pupil; the wijkteam takes part in the first.
    first, second = start(gateway, school), start(gateway, school)
    assert join(gateway, first, school, team).status_code == 201
    body = consent_body([team.id], purpose=purpose, granted_by=[parent(), GUARDIAN], case_id=first)
    ref = gateway.internal_ref(school, granted(gateway, school, body)["subject_ref"])

    def covers(case_id: str | None) -> bool:
        return (
            state(gateway, ref, team.id, {"leerling"}, purpose=purpose, case_id=case_id) is not None
        )

    assert covers(first)
    assert not covers(second)
    assert not covers(None)
    general = consent_body([team.id], purpose=purpose, granted_by=[parent(), GUARDIAN])
    granted(gateway, school, general)
    assert covers(second)
    assert covers(None)


def test_a_consent_with_every_grantor_another_has_and_more_wins(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    granted(gateway, school, consent_body([wijkteam.id], granted_by=[parent(), GUARDIAN]))
    gateway.clock.advance(timedelta(days=1))
    refresh(gateway, school)
    later = granted(gateway, school, consent_body([wijkteam.id], granted_by=[parent()]))

    found = state(
        gateway, gateway.internal_ref(school, later["subject_ref"]), wijkteam.id, {"leerling"}
    )

    assert found is not None and found.granted_by == ("parent", "guardian")


def test_between_consents_that_differ_the_other_way_the_newest_counts(gateway: Gateway) -> None:
    """Both parents consented at 15 (UAVG art. 5); at 16 the pupil consents alone."""
    school = gateway.make_org("school_vo")
    leerplicht = gateway.make_org("leerplicht")
    purpose = "leerplicht.thuiszitter"
    body = consent_body(
        [leerplicht.id],
        subject=pupil_aged(15, birthday_in_days=2),
        purpose=purpose,
        categories=("opp",),
        granted_by=[parent(), GUARDIAN],
    )
    granted(gateway, school, body)
    gateway.clock.advance(timedelta(days=3))
    refresh(gateway, school)
    newest = granted(gateway, school, {**body, "granted_by": [child()]})

    ref = gateway.internal_ref(school, newest["subject_ref"])
    found = state(gateway, ref, leerplicht.id, {"opp"}, purpose=purpose)

    assert found == ConsentState(("pupil",), frozenset({"opp"}))
