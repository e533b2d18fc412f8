"""Each party keeps what it wrote at the table under its own term, counted from the day
the case closes; the purge ends each entry on its own day, on its writer's audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select, update

from gateway.audit.verify import verify_log
from gateway.cases import portal_view, retention
from gateway.cases.models import Case, CaseEntry
from gateway.core.context import person_context
from gateway.deps import edges_of
from tests.cases.helpers import PURPOSE, headers, join, start, wrote
from tests.support.consent import refresh
from tests.support.gateway import Gateway, Org, audit_log, audited
from tests.test_cli import gateway_cli

AGREEMENTS = "knooppunt_afspraken"
PARTNERS = ("swv_po", "wijkteam", "jeugdhulp", "smw", "jgz", "leerplicht")
CLASSES = {
    "school_po": "leerlingdossier",
    "swv_po": "swv_3y",
    "wijkteam": "jeugdhulp_20y",
    "jeugdhulp": "jeugdhulp_20y",
    "smw": "jeugdhulp_20y",
    "jgz": "jgz_20y",
    "leerplicht": "verzuim_5y",
    "data_subject": "case_view",
}
# The case closes a hundred days after its entries were written: every term counts
# from here, not from the day of writing.
CLOSED = date(2016, 7, 24)


@dataclass
class Full:
    school: Org
    orgs: dict[str, Org]
    case_id: str
    # The entry id per writer kind.
    written: dict[str, str]


def full_table(gateway: Gateway) -> Full:
    """A school's case with every kind of partner at the table, each with its own
    agreements entry, and the parents' own view."""
    school = audited(gateway, "school_po")
    case_id = start(gateway, school)
    orgs = {"school_po": school}
    for kind in PARTNERS:
        orgs[kind] = audited(gateway, kind)
        assert join(gateway, case_id, school, orgs[kind]).status_code == 201
    written = {kind: wrote(gateway, case_id, org, AGREEMENTS) for kind, org in orgs.items()}
    written["data_subject"] = view(gateway, case_id)
    return Full(school, orgs, case_id, written)


def view(gateway: Gateway, case_id: str) -> str:
    """The parents' own view, written in the portal."""
    ctx = person_context(person_ref="ouder-1", role="parent", purpose=PURPOSE, request_id="t")
    with gateway.services.db.unit_of_work() as session:
        case = session.get(Case, case_id)
        assert case is not None
        person = portal_view.Person(case.subject_ref, "parent", 10)
        entry = portal_view.write_view(
            session,
            case_id=case_id,
            person=person,
            visie="Wij willen dat het overleg doorgaat.",
            wensen="",
            ctx=ctx,
            edges=edges_of(gateway.services),
        )
        return entry.id


def to_day(gateway: Gateway, day: date) -> None:
    gateway.clock.advance(datetime.combine(day, time(9), tzinfo=UTC) - gateway.clock.now())


def close(gateway: Gateway, at: Full) -> None:
    to_day(gateway, CLOSED)
    refresh(gateway, *at.orgs.values())
    closed = gateway.client.post(f"/v1/cases/{at.case_id}/close", headers=headers(at.school))
    assert closed.status_code == 200, closed.text


def rows(gateway: Gateway, case_id: str) -> dict[str, CaseEntry]:
    with gateway.services.db.sessions() as session:
        found = list(session.scalars(select(CaseEntry).where(CaseEntry.case_id == case_id)))
        session.expunge_all()
        return {entry.id: entry for entry in found}


def purge(gateway: Gateway) -> list[str]:
    with gateway.services.db.unit_of_work() as session:
        return retention.purge_expired(
            session, catalog=gateway.services.catalog, now=gateway.clock.now()
        )


def kinds(at: Full, ids: list[str]) -> list[str]:
    by_id = {entry_id: kind for kind, entry_id in at.written.items()}
    return sorted(by_id[entry_id] for entry_id in ids)


def test_each_writer_keeps_its_own_class_and_an_open_case_has_no_expiry(
    gateway: Gateway,
) -> None:
    at = full_table(gateway)
    stored = rows(gateway, at.case_id)
    assert {kind: stored[entry_id].retention for kind, entry_id in at.written.items()} == CLASSES
    assert {entry.expires_on for entry in stored.values()} == {None}
    read = gateway.client.get(
        f"/v1/cases/{at.case_id}/entries/{at.written['jgz']}", headers=headers(at.orgs["jgz"])
    )
    assert read.status_code == 200, read.text
    assert (read.json()["retention"], read.json()["expires_on"]) == ("jgz_20y", None)


def test_an_open_case_is_never_purged(gateway: Gateway) -> None:
    at = full_table(gateway)
    # Even an entry that somehow carries a past expiry stays while its case is open.
    with gateway.services.db.unit_of_work() as session:
        session.execute(
            update(CaseEntry)
            .where(CaseEntry.id == at.written["school_po"])
            .values(expires_on=date(2017, 1, 1))
        )
    to_day(gateway, date(2050, 1, 1))
    assert purge(gateway) == []
    assert set(rows(gateway, at.case_id)) == set(at.written.values())


def test_each_entry_of_a_closed_case_goes_after_its_own_term(gateway: Gateway) -> None:
    at = full_table(gateway)
    close(gateway, at)
    stored = rows(gateway, at.case_id)
    expiry = {kind: stored[entry_id].expires_on for kind, entry_id in at.written.items()}
    twenty = date(2036, 7, 24)
    assert expiry == {
        "school_po": date(2018, 7, 24),
        "swv_po": date(2019, 7, 24),
        "leerplicht": date(2021, 7, 24),
        "wijkteam": twenty,
        "jeugdhulp": twenty,
        "smw": twenty,
        "jgz": twenty,
        # The parents' view stays with the longest party term.
        "data_subject": twenty,
    }
    read = gateway.client.get(
        f"/v1/cases/{at.case_id}/entries/{at.written['school_po']}", headers=headers(at.school)
    )
    assert read.json()["expires_on"] == "2018-07-24"

    steps = [
        (date(2018, 7, 23), []),
        (date(2018, 7, 24), ["school_po"]),
        (date(2019, 7, 23), []),
        (date(2019, 7, 24), ["swv_po"]),
        (date(2021, 7, 23), []),
        (date(2021, 7, 24), ["leerplicht"]),
        (date(2036, 7, 23), []),
        (date(2036, 7, 24), ["data_subject", "jeugdhulp", "jgz", "smw", "wijkteam"]),
    ]
    gone: set[str] = set()
    for day, expected in steps:
        to_day(gateway, day)
        assert kinds(at, purge(gateway)) == expected, day
        gone |= {at.written[kind] for kind in expected}
        # The other parties' entries stay.
        assert set(rows(gateway, at.case_id)) == set(at.written.values()) - gone


def test_each_purge_is_on_the_writers_log_and_the_log_still_verifies(gateway: Gateway) -> None:
    at = full_table(gateway)
    close(gateway, at)
    to_day(gateway, date(2018, 7, 24))
    assert purge(gateway) == [at.written["school_po"]]
    refresh(gateway, *at.orgs.values())
    [purged] = [e for e in audit_log(gateway, at.school) if e["action"] == "case.entry.purge"]
    assert (purged["object_id"], purged["actor"], purged["decision"]) == (
        at.written["school_po"],
        retention.PURGE_ACTOR,
        "permit",
    )
    assert purged["rule"] == retention.PURGE_RULE
    assert not [e for e in audit_log(gateway, at.orgs["swv_po"]) if e["action"].endswith("purge")]
    # The school answers for its purged entry as for an id that never existed.
    gone = gateway.client.get(
        f"/v1/cases/{at.case_id}/entries/{at.written['school_po']}", headers=headers(at.school)
    )
    assert gone.status_code == 404
    with gateway.services.db.sessions() as session:
        assert verify_log(session).ok


def test_a_view_alone_keeps_the_floor_of_its_class(gateway: Gateway) -> None:
    school = audited(gateway, "school_po")
    case_id = start(gateway, school)
    own = view(gateway, case_id)
    closed = gateway.client.post(f"/v1/cases/{case_id}/close", headers=headers(school))
    assert closed.status_code == 200, closed.text
    assert rows(gateway, case_id)[own].expires_on == date(2018, 4, 15)


def test_the_operator_purges_case_entries_from_the_command_line(
    gateway: Gateway, database_url: str
) -> None:
    school = audited(gateway, "school_po")
    case_id = start(gateway, school)
    entry_id = wrote(gateway, case_id, school, AGREEMENTS)
    closed = gateway.client.post(f"/v1/cases/{case_id}/close", headers=headers(school))
    assert closed.status_code == 200, closed.text
    # Closed in 2016 (the tests' clock): long past the school's two years today.
    env = {"GATEWAY_DATABASE_URL": database_url}
    result = gateway_cli("retention", "purge", env=env)
    assert result.returncode == 0, result.stderr
    counts = {row["kind"]: row["count"] for row in json.loads(result.stdout)["destroyed"]}
    assert counts["case_entry"] == 1
    assert entry_id not in rows(gateway, case_id)
    verified = gateway_cli("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_case_closed_on_29_february_ends_its_terms_on_1_march() -> None:
    assert retention._years_after(date(2016, 2, 29), 2) == date(2018, 3, 1)
    assert retention._years_after(date(2016, 7, 24), 20) == date(2036, 7, 24)
