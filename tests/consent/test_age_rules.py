"""Who must consent, by the pupil's age (DOMAIN §5), and only parents with gezag count.

The oracle is written here from the DOMAIN table, not taken from the catalog or the
engine: a wrong age band in either must not be able to hide itself.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent.checks import grantors_gap
from policies.catalog import load_catalog
from tests.support.consent import (
    FATHER_BSN,
    MOTHER_BSN,
    REFERRAL,
    child,
    consent_body,
    grant,
    guardian,
    parent,
    pupil_aged,
    register_gezag,
    with_gezag,
)
from tests.support.gateway import Gateway

CATALOG = load_catalog(region="demo")
# DOMAIN §5: (parents needed, pupil needed) by age band.
JEUGDWET = {range(0, 12): (True, False), range(12, 16): (True, True), range(16, 200): (False, True)}
UAVG = {range(0, 16): (True, False), range(16, 200): (False, True)}
# purpose -> (age bands, parents with gezag needed in the demo region)
PURPOSES = {
    "jeugdhulp.verwijzing": (JEUGDWET, 1),
    "jeugdhulp.terugkoppeling": (JEUGDWET, 1),
    "knooppunt.casus": (JEUGDWET, 2),
    "overdracht.voorschool_po": (UAVG, 1),
    "leerplicht.thuiszitter": (UAVG, 1),
}


def oracle(purpose: str, age: int, roles: list[str]) -> bool:
    bands, parents_needed = PURPOSES[purpose]
    need_parents, need_pupil = next(need for band, need in bands.items() if age in band)
    parents = sum(role in ("parent", "guardian") for role in roles)
    return (not need_parents or parents >= parents_needed) and (not need_pupil or "pupil" in roles)


@given(
    purpose=st.sampled_from(sorted(PURPOSES)),
    age=st.integers(0, 30),
    roles=st.lists(st.sampled_from(["parent", "guardian", "pupil"]), min_size=1, max_size=4),
)
def test_the_registry_applies_the_age_table_of_domain_5(
    purpose: str, age: int, roles: list[str]
) -> None:
    flow = CATALOG.flow_for_purpose(purpose)
    assert flow is not None and flow.consent is not None
    gap = grantors_gap(roles, age=age, purpose=purpose, rule=flow.consent, catalog=CATALOG)
    assert (gap is None) == oracle(purpose, age, roles)


ONE_PARENT = [parent()]
NO_PARENT = [child()]
BOTH_PARENTS = [parent(), guardian()]
PARENT_AND_CHILD = [parent(), child()]


@pytest.mark.parametrize(
    ("purpose", "subject", "granted_by", "accepted"),
    [
        pytest.param(REFERRAL, pupil_aged(10), ONE_PARENT, True, id="under 12: one parent"),
        pytest.param(REFERRAL, pupil_aged(10), NO_PARENT, False, id="under 12: no parent"),
        pytest.param(
            REFERRAL, pupil_aged(11, birthday_in_days=1), ONE_PARENT, True, id="12 tomorrow"
        ),
        pytest.param(
            REFERRAL, pupil_aged(12, birthday_in_days=0), ONE_PARENT, False, id="12 today"
        ),
        pytest.param(REFERRAL, pupil_aged(13), ONE_PARENT, False, id="12-15: parent only"),
        pytest.param(REFERRAL, pupil_aged(13), PARENT_AND_CHILD, True, id="12-15: both"),
        pytest.param(REFERRAL, pupil_aged(15), NO_PARENT, False, id="12-15: child only"),
        pytest.param(REFERRAL, pupil_aged(16), NO_PARENT, True, id="16: the pupil alone"),
        pytest.param(REFERRAL, pupil_aged(16), BOTH_PARENTS, False, id="16: parents alone"),
        pytest.param("knooppunt.casus", pupil_aged(9), ONE_PARENT, False, id="region: both"),
        pytest.param("knooppunt.casus", pupil_aged(9), BOTH_PARENTS, True, id="region: 2"),
    ],
)
def test_grantors_must_satisfy_the_age_rule_of_the_purpose(
    gateway: Gateway,
    purpose: str,
    subject: dict[str, str],
    granted_by: list[dict[str, str]],
    accepted: bool,
) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    body = consent_body([wijkteam.id], subject=subject, granted_by=granted_by, purpose=purpose)
    # Joint gezag: "both parents" is then both of them (sole gezag: test_routes).
    with_gezag(gateway, subject, *BOTH_PARENTS)
    response = grant(gateway, school, body)
    if accepted:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "consent_grantors_insufficient"


def test_only_a_parent_with_gezag_on_record_can_consent(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    pupil = pupil_aged(10)
    mother, father = parent(bsn=MOTHER_BSN), parent("Bram de Vries", bsn=FATHER_BSN)
    body = consent_body([wijkteam.id], subject=pupil, granted_by=[father])
    before = grant(gateway, school, body, gezag=False)
    assert before.status_code == 422, "without gezag on record no parent can consent"
    assert before.json()["code"] == "gezag_unknown"

    assert register_gezag(gateway, school, pupil, mother, has=True).status_code == 201
    assert register_gezag(gateway, school, pupil, father, has=False).status_code == 201

    unnamed = parent(bsn=None)
    for grantors, status in (([father], 422), ([unnamed], 422), ([mother], 201)):
        body = consent_body([wijkteam.id], subject=pupil, granted_by=grantors)
        response = grant(gateway, school, body, gezag=False)
        assert response.status_code == status, response.text
        if status == 422:
            assert response.json()["code"] == "gezag_unknown"
