"""The FG's alerts fire on constructed data and stay quiet on a flat log."""

from __future__ import annotations

from datetime import timedelta

from gateway.audit import alerts, reviews
from tests.support.fg import event, put
from tests.support.gateway import Gateway

LIMITS = alerts.Thresholds(days=14, spike_factor=3, spike_min=5, volume_factor=5, volume_min=20)


def _alerts(gateway: Gateway, org: str) -> list[alerts.Alert]:
    with gateway.services.db.sessions() as session:
        return alerts.alerts(session, org=org, now=gateway.clock.now(), limits=LIMITS)


def _flat_fortnight(gateway: Gateway, org: str) -> None:
    """Every day two denials and, per person, a few reads: nothing unusual."""
    now = gateway.clock.now()
    for back in range(14):
        day = now - timedelta(days=back)
        denials = [event(org, effect="deny", code="no_consent") for _ in range(2)]
        reads = [event(org, actor=f"mw-{n}") for n in range(4)]
        put(gateway, *denials, *reads, at=day)


def test_a_flat_log_raises_no_alert(gateway: Gateway) -> None:
    school = gateway.make_org("school_vo")
    _flat_fortnight(gateway, school.id)
    assert _alerts(gateway, school.id) == []


def test_a_day_of_many_denials_is_a_spike(gateway: Gateway) -> None:
    school = gateway.make_org("school_vo")
    _flat_fortnight(gateway, school.id)
    today = gateway.clock.now()
    put(gateway, *[event(school.id, effect="deny", code="not_found") for _ in range(10)], at=today)
    (spike,) = _alerts(gateway, school.id)
    assert (spike.kind, spike.count, spike.baseline, spike.day) == (
        "denial_spike",
        12,
        2.0,
        today.date(),
    )
    assert spike.search == {
        "beslissing": "deny",
        "van": today.date().isoformat(),
        "tot": today.date().isoformat(),
    }


def test_one_person_reading_far_more_than_the_median_is_flagged(gateway: Gateway) -> None:
    school = gateway.make_org("school_vo")
    _flat_fortnight(gateway, school.id)
    put(gateway, *[event(school.id, actor="snuffelaar") for _ in range(300)])
    (volume,) = _alerts(gateway, school.id)
    assert (volume.kind, volume.actor, volume.count) == ("volume", "snuffelaar", 300)
    assert volume.baseline == 14.0 and volume.search["persoon"] == "snuffelaar"


def test_another_organisations_log_raises_nothing_here(gateway: Gateway) -> None:
    school = gateway.make_org("school_vo")
    other = gateway.make_org("school_po")
    _flat_fortnight(gateway, school.id)
    put(gateway, *[event(other.id, effect="deny", code="x") for _ in range(50)])
    put(gateway, *[event(other.id, actor="elders") for _ in range(300)])
    put(gateway, event(other.id, action="signal.volume_alert", effect="deny", code="unusual"))
    assert _alerts(gateway, school.id) == []


def test_break_glass_awaiting_review_and_verwijsindex_probing(gateway: Gateway) -> None:
    school = gateway.make_org("school_vo")
    with gateway.services.db.sessions() as session, session.begin():
        reviews.open_review(
            session,
            org_id=school.id,
            actor="melder",
            purpose="meldcode.melding",
            object_id="tr_1",
            subject_ref="sr_1",
            parents_told=False,
            now=gateway.clock.now(),
        )
    put(
        gateway,
        event(
            school.id,
            action="signal.volume_alert",
            purpose="verwijsindex.signaal",
            effect="deny",
            code="unusual_volume",
        ),
    )
    found = {a.kind: a for a in _alerts(gateway, school.id)}
    assert set(found) == {"break_glass", "probing"}
    assert found["break_glass"].count == 1
    assert found["break_glass"].search == {"doel": "meldcode.melding"}
    assert found["probing"].count == 1
    assert found["probing"].search["doel"] == "verwijsindex.signaal"
