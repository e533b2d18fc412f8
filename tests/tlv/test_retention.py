"""A TLV record keeps the catalog's retention class of its stage (swv_3y: at most three
years) and is purged, on the SWV's audit log, once that term has run out."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import func, select

from gateway.tlv import retention
from gateway.tlv.models import Tlv, TlvAdvice
from tests.support.consent import refresh
from tests.support.gateway import Gateway, audit_log
from tests.test_cli import gateway_cli
from tests.tlv.procedure import advised, decide, opened, read
from tests.tlv.test_tlv import setup

REFUSED = {"outcome": "afgewezen"}


def row(gateway: Gateway, tlv_id: str) -> Tlv | None:
    with gateway.services.db.sessions() as session:
        return session.get(Tlv, tlv_id)


def purge(gateway: Gateway) -> list[str]:
    with gateway.services.db.unit_of_work() as session:
        return retention.purge_expired(
            session, catalog=gateway.services.catalog, now=gateway.clock.now()
        )


def test_each_stage_carries_the_catalogs_class_and_its_expiry(gateway: Gateway) -> None:
    p = setup(gateway)
    granted = opened(gateway, p)
    found = row(gateway, granted)
    assert found is not None
    # Open: three years from the day the request was taken up (2016-04-15).
    assert (found.retention, found.expires_on) == ("swv_3y", date(2019, 4, 15))
    advised(gateway, p, granted)
    assert decide(gateway, p.swv, granted).status_code == 200
    found = row(gateway, granted)
    assert found is not None
    # Granted: three years after its last valid day, so the herbeoordeling finds it.
    assert (found.retention, found.expires_on) == ("swv_3y", date(2021, 7, 31))

    refused_id = opened(gateway, p)  # a second request, refused
    advised(gateway, p, refused_id)
    assert decide(gateway, p.swv, refused_id, REFUSED).status_code == 200
    found = row(gateway, refused_id)
    assert found is not None
    # Refused: three years from the decision.
    assert (found.retention, found.expires_on) == ("swv_3y", date(2019, 4, 15))


def test_the_purge_removes_what_is_past_its_term_and_logs_it(gateway: Gateway) -> None:
    p = setup(gateway)
    granted = opened(gateway, p)
    advised(gateway, p, granted)
    assert decide(gateway, p.swv, granted).status_code == 200
    pending = opened(gateway, p)  # expires 2019-04-15

    gateway.clock.advance(timedelta(days=365 * 3 - 1))  # 2019-04-14
    assert purge(gateway) == []
    gateway.clock.advance(timedelta(days=1))  # 2019-04-15: the open request's last day passed
    assert purge(gateway) == [pending]
    assert row(gateway, pending) is None
    assert row(gateway, granted) is not None
    gateway.clock.advance(date(2021, 7, 31) - date(2019, 4, 15))
    assert purge(gateway) == [granted]
    with gateway.services.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(TlvAdvice)) == 0
    # The SWV answers as for an id that never existed; its log says what went and why.
    refresh(gateway, p.swv, p.school)
    assert read(gateway, p.swv, granted).status_code == 404
    purged = [e for e in audit_log(gateway, p.swv) if e["action"] == "tlv.purge"]
    assert sorted(e["object_id"] for e in purged) == sorted([pending, granted])
    assert {e["rule"] for e in purged} == {
        "tlv.aanvraag/retention/purge",
        "tlv.besluit/retention/purge",
    }
    assert {e["actor"] for e in purged} == {retention.PURGE_ACTOR}


def test_the_operator_runs_the_purge_from_the_command_line(
    gateway: Gateway, database_url: str
) -> None:
    p = setup(gateway)
    tlv_id = opened(gateway, p)
    # The procedure was opened in 2016 (the tests' clock): long past its term today.
    env = {"GATEWAY_DATABASE_URL": database_url}
    result = gateway_cli("retention", "purge", env=env)
    assert result.returncode == 0, result.stderr
    counts = {row["kind"]: row["count"] for row in json.loads(result.stdout)["destroyed"]}
    assert counts["tlv"] == 1
    assert row(gateway, tlv_id) is None
    verified = gateway_cli("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
