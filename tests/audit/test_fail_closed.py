"""If the log cannot be written, the act is refused: the entry is written in the act's
own transaction, so an act whose entry fails is rolled back with it."""

from __future__ import annotations

from sqlalchemy import func, select, text

from gateway.audit.verify import verify_log
from gateway.enrolments.models import Enrolment
from tests.support.gateway import REGISTRATION, Gateway, make_subject

SQLITE_BLOCK = (
    "CREATE TRIGGER log_unwritable BEFORE INSERT ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'the log is unavailable'); END"
)
POSTGRES_BLOCK = (
    "CREATE FUNCTION log_unwritable() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the log is unavailable'; END $$",
    "CREATE TRIGGER log_unwritable BEFORE INSERT ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION log_unwritable()",
)


def block_the_log(gateway: Gateway, blocked: bool) -> None:
    with gateway.services.db.sessions() as session, session.begin():
        sqlite = session.get_bind().dialect.name == "sqlite"
        if blocked:
            for statement in (SQLITE_BLOCK,) if sqlite else POSTGRES_BLOCK:
                session.execute(text(statement))
        else:
            session.execute(
                text("DROP TRIGGER log_unwritable" + ("" if sqlite else " ON audit_entries"))
            )


def enrolments(gateway: Gateway) -> int:
    with gateway.services.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Enrolment)) or 0)


def test_an_act_whose_entry_cannot_be_written_is_refused_and_leaves_nothing(
    gateway: Gateway,
) -> None:
    school = gateway.make_org("school_po")
    headers = school.headers(purpose=REGISTRATION, actor="admin-1")
    body = {"subject": make_subject(), "status": "ingeschreven"}
    block_the_log(gateway, True)
    refused = gateway.client.post("/v1/enrolments", json=body, headers=headers)
    assert refused.status_code >= 500
    assert "unavailable" not in refused.text  # no internals in the answer
    assert enrolments(gateway) == 0

    block_the_log(gateway, False)
    done = gateway.client.post("/v1/enrolments", json=body, headers=headers)
    assert done.status_code == 201, done.text
    assert enrolments(gateway) == 1
    with gateway.services.db.sessions() as session:
        assert verify_log(session).ok
