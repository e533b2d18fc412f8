"""Bad input is a 422 naming the field, never its value; nothing is stored or logged of it.

Booleans are booleans, days are YYYY-MM-DD, dates are plausible on the app's clock
(15 April 2016 here), names hold no control or bidi characters, the acting person is
an opaque id. An unexpected error is a 500 whose log line has a traceback, with any
message that may quote the input withheld.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree
from pydantic import ValidationError
from sqlalchemy import func, select

from gateway.enrolments.models import Enrolment
from gateway.subjects import service as subjects
from gateway.subjects.models import Subject
from gateway.subjects.schemas import SubjectIn
from gateway.transfers.models import Transfer
from tests.support.gateway import Gateway, Org, make_dossier, make_subject
from tests.support.portal import enrol
from tests.support.standing import enrolled

MARKER_NAME = "Zyxwqmarker"
MARKER_BSN = "987654320"  # fails the 11-proef
INZAGE = {"date": "2016-04-14", "akkoord": True}


def stored(gateway: Gateway) -> dict[str, int]:
    with gateway.services.db.sessions() as session:
        count = lambda model: session.scalar(select(func.count()).select_from(model)) or 0  # noqa: E731
        return {
            "transfers": count(Transfer),
            "subjects": count(Subject),
            "enrolments": count(Enrolment),
        }


# The PO school's own pupil is on record before anything is sent (`schools`).
NOTHING = {"transfers": 0, "subjects": 0, "enrolments": 1}


def push_json(gateway: Gateway, po: Org, vo: Org, **fields: Any) -> Any:
    body = {"recipient": vo.id, "subject": make_subject(), "dossier": make_dossier(), **fields}
    return gateway.client.post("/v1/transfers", json=body, headers=po.headers())


def refused_at(response: Any, loc: list[str], error: str | None = None) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(e["loc"] == loc and (error is None or e["type"] == error) for e in errors), errors


@pytest.fixture
def schools(gateway: Gateway) -> tuple[Org, Org]:
    # The PO school has its pupil from the start, so that "nothing stored" counts
    # every enrolment a refused request might leave.
    gateway.auto_standing = False
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    enrolled(gateway, po, make_subject())
    return po, vo


# --- a body that is not JSON at all ---------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b'{"recipient": "\xff"}', b"[" * 100_000],
    ids=["not_utf8", "nested_past_recursion_limit"],
)
def test_a_body_that_cannot_be_decoded_is_422_json_invalid(
    gateway: Gateway, schools: tuple[Org, Org], body: bytes
) -> None:
    # Found by tests/fuzz: FastAPI answered these with a bare 400 `http_error`.
    po, _ = schools
    headers = {**po.headers(), "Content-Type": "application/json"}
    for path in ("/v1/transfers", "/v1/policies/evaluate"):
        response = gateway.client.post(path, content=body, headers=headers)
        refused_at(response, ["body"], "json_invalid")
        assert response.json()["code"] == "json_invalid"
    assert stored(gateway) == NOTHING


# --- booleans are booleans --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"inzage": {**INZAGE, "akkoord": "yes"}}, ["body", "inzage", "akkoord"]),
        ({"inzage": {**INZAGE, "akkoord": 1}}, ["body", "inzage", "akkoord"]),
        ({"informed": "true"}, ["body", "informed"]),
        ({"absence_hours": "20"}, ["body", "absence_hours"]),
        (
            {"meldcode": {"steps": [], "reasons": ["zorg"], "parents_told": "no"}},
            ["body", "meldcode", "parents_told"],
        ),
    ],
    ids=["akkoord_yes", "akkoord_1", "informed_string", "hours_string", "parents_told_string"],
)
def test_a_boolean_or_number_sent_as_a_string_is_422(
    gateway: Gateway, schools: tuple[Org, Org], fields: dict[str, Any], loc: list[str]
) -> None:
    refused_at(push_json(gateway, *schools, **fields), loc)
    assert stored(gateway) == NOTHING


def test_gezag_is_a_boolean(gateway: Gateway, schools: tuple[Org, Org]) -> None:
    person = {"bsn": "111222333", "name": "Jolanda de Vries", "role": "parent"}
    response = gateway.client.post(
        "/v1/subjects/gezag",
        json={"subject": make_subject(bsn="123456782"), "person": person, "gezag": "yes"},
        headers=schools[0].headers(),
    )
    refused_at(response, ["body", "gezag"])
    assert stored(gateway) == NOTHING


# --- days are YYYY-MM-DD, and plausible -------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "error"),
    [
        ("2004-02-29T00:00:00", "date_format"),
        (1078012800, "date_format"),
        ("2004-2-29", "date_format"),
        ("2016-04-16", "date_in_future"),
        ("1986-04-14", "birth_date_implausible"),
    ],
    ids=["datetime", "timestamp", "unpadded", "tomorrow", "over_30_years"],
)
def test_a_birth_date_is_a_plain_day_in_the_last_30_years(
    gateway: Gateway, schools: tuple[Org, Org], birth_date: Any, error: str
) -> None:
    response = gateway.client.post(
        "/v1/enrolments",
        json={"subject": {"bsn": "111222333", "birth_date": birth_date}},
        headers=schools[1].headers(),
    )
    refused_at(response, ["body", "subject", "birth_date"], error)
    assert stored(gateway) == NOTHING


def test_a_birth_date_exactly_30_years_back_is_accepted(
    gateway: Gateway, schools: tuple[Org, Org]
) -> None:
    response = gateway.client.post(
        "/v1/enrolments",
        json={"subject": {"bsn": "111222333", "birth_date": "1986-04-15"}},
        headers=schools[1].headers(),
    )
    assert response.status_code == 201, response.text


def test_an_inzage_date_in_the_future_is_422(gateway: Gateway, schools: tuple[Org, Org]) -> None:
    po, vo = schools
    enrol(gateway, vo, make_subject())
    tomorrow = {**INZAGE, "date": "2016-04-16"}
    refused_at(push_json(gateway, po, vo, inzage=tomorrow), ["body", "inzage", "date"])
    assert stored(gateway)["transfers"] == 0

    pushed = push_json(gateway, po, vo)
    assert pushed.status_code == 201, pushed.text
    url = f"/v1/transfers/{pushed.json()['id']}/inzage"
    refused_at(
        gateway.client.post(url, json=tomorrow, headers=po.headers()),
        ["body", "date"],
        "date_in_future",
    )
    today = gateway.client.post(url, json={**INZAGE, "date": "2016-04-15"}, headers=po.headers())
    assert today.status_code == 200, today.text


# --- names and text reach pages: no control or bidi characters --------------------------


@pytest.mark.parametrize(
    "name",
    [
        f"{MARKER_NAME}\x00",
        f"\u202e{MARKER_NAME}",
        f"{MARKER_NAME}\u2067x",
        f"{MARKER_NAME}\x1b[2J",
    ],
    ids=["nul", "rlo", "rli", "escape"],
)
def test_names_refuse_control_and_bidi_characters(
    gateway: Gateway, schools: tuple[Org, Org], name: str
) -> None:
    po, vo = schools
    for field in ("given_name", "family_name"):
        subject = {**make_subject(), field: name}
        response = gateway.client.post(
            "/v1/enrolments", json={"subject": subject}, headers=vo.headers()
        )
        refused_at(response, ["body", "subject", field], "control_character")
        assert MARKER_NAME not in response.text
    person = {"bsn": "111222333", "name": name, "role": "parent"}
    gezag = gateway.client.post(
        "/v1/subjects/gezag",
        json={"subject": make_subject(bsn="123456782"), "person": person, "gezag": True},
        headers=po.headers(),
    )
    refused_at(gezag, ["body", "person", "name"], "control_character")
    grantor = {"role": "parent", "name": name, "bsn": "111222333"}
    consent = gateway.client.post(
        "/v1/consents",
        json={
            "subject": make_subject(),
            "purpose": "jeugdhulp.verwijzing",
            "recipients": [vo.id],
            "categories": ["leerling"],
            "granted_by": [grantor],
            "valid_until": "2016-12-31",
            "evidence": "digital",
        },
        headers=po.headers(purpose="jeugdhulp.verwijzing"),
    )
    refused_at(consent, ["body", "granted_by", "0", "name"], "control_character")
    assert stored(gateway) == NOTHING


@pytest.mark.parametrize("text", ["\u202egreB", "nul\x00", "bel\x07"], ids=["rlo", "nul", "bel"])
def test_a_zienswijze_refuses_bidi_overrides_and_nul(
    gateway: Gateway, schools: tuple[Org, Org], text: str
) -> None:
    po, vo = schools
    enrol(gateway, vo, make_subject())
    inzage = {**INZAGE, "zienswijze": text}
    refused_at(push_json(gateway, po, vo, inzage=inzage), ["body", "inzage", "zienswijze"])
    assert stored(gateway)["transfers"] == 0


def test_a_zienswijze_keeps_its_line_breaks(gateway: Gateway, schools: tuple[Org, Org]) -> None:
    po, vo = schools
    enrol(gateway, vo, make_subject())
    inzage = {**INZAGE, "zienswijze": "Wij zijn het niet eens.\r\n\tHet advies is te laag."}
    assert push_json(gateway, po, vo, inzage=inzage).status_code == 201


# --- the acting person is an opaque id ----------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "role"),
    [
        ("123456782", None),
        ("123.456.782", None),
        ("12-34-56-782", None),
        ("mentor:123456782", None),
        ("Jan Jansen", None),
        ("ib-1", "123456782"),
        ("ib-1", "Intern Begeleider"),
        ("ib-1", "x" * 65),
    ],
    ids=["bsn", "bsn_dots", "bsn_dashes", "bsn_inside", "a_name", "role_bsn", "role_name", "long"],
)
def test_context_headers_are_opaque_ids_never_a_bsn(
    gateway: Gateway, schools: tuple[Org, Org], actor: str, role: str | None
) -> None:
    po, vo = schools
    body = {"recipient": vo.id, "subject": make_subject(), "dossier": make_dossier()}
    response = gateway.client.post(
        "/v1/transfers", json=body, headers=po.headers(actor=actor, role=role)
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "context_invalid"
    assert stored(gateway) == NOTHING


def test_an_opaque_actor_with_some_digits_is_accepted(
    gateway: Gateway, schools: tuple[Org, Org]
) -> None:
    po, vo = schools
    enrol(gateway, vo, make_subject())
    body = {"recipient": vo.id, "subject": make_subject(), "dossier": make_dossier()}
    headers = po.headers(actor="emp:4711@obs-de-hien.nl", role="intern_begeleider")
    assert gateway.client.post("/v1/transfers", json=body, headers=headers).status_code == 201


# --- no value in a response or a log line --------------------------------------------------


def test_a_refusal_names_the_path_but_neither_answer_nor_log_holds_the_value(
    gateway: Gateway, schools: tuple[Org, Org], capsys: pytest.CaptureFixture[str]
) -> None:
    po, vo = schools
    capsys.readouterr()
    subject = {"bsn": MARKER_BSN, "birth_date": "2004-02-29", "family_name": MARKER_NAME * 19}
    body = gateway.client.post(
        "/v1/transfers",
        json={"recipient": vo.id, "subject": subject, "dossier": make_dossier()},
        headers=po.headers(),
    )
    refused_at(body, ["body", "subject", "bsn"], "invalid_bsn")
    refused_at(body, ["body", "subject", "family_name"], "too_long")
    assert body.json()["code"] == "invalid_bsn"
    query = gateway.client.post(
        f"/v1/transfers?recipient={MARKER_NAME * 4}",
        content=b"<dossier/>",
        headers={**po.headers(), "Content-Type": "application/xml"},
    )
    refused_at(query, ["query", "recipient"], "string_too_long")
    logged = capsys.readouterr().err
    for text in (body.text, query.text, logged):
        assert MARKER_BSN not in text and MARKER_NAME not in text
    refusals = [json.loads(line) for line in logged.splitlines() if '"request.refused"' in line]
    assert [r["status"] for r in refusals] == [422, 422]
    assert stored(gateway) == NOTHING


def _validation_error_inside(*args: Any, **kwargs: Any) -> str:
    identity = {"bsn": MARKER_BSN, "birth_date": "2004-02-29"}
    try:
        SubjectIn.model_validate(identity)
    except ValidationError as exc:
        raise RuntimeError("resolving the subject failed") from exc
    raise AssertionError("the marker BSN passed the 11-proef")


def _xml_error_inside(*args: Any, **kwargs: Any) -> str:
    document = b"<a>&" + MARKER_NAME.encode() + b";</a>"
    etree.fromstring(document)  # libxml2 quotes the undefined entity's name
    raise AssertionError("the document parsed")


@pytest.mark.parametrize(
    ("failure", "error_type", "kept"),
    [
        # Where pydantic failed stays in the log, what it failed on does not.
        (_validation_error_inside, "RuntimeError", "at bsn (invalid_bsn) [input withheld]"),
        (_xml_error_inside, "XMLSyntaxError", "[message withheld: it may quote the input]"),
    ],
    ids=["wrapped_validation_error", "lxml_error"],
)
def test_an_unexpected_error_is_500_logged_with_its_traceback_but_not_its_input(
    gateway: Gateway,
    schools: tuple[Org, Org],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    failure: Any,
    error_type: str,
    kept: str,
) -> None:
    po, vo = schools
    monkeypatch.setattr(subjects, "agreed", failure)
    monkeypatch.setattr(subjects, "resolve", failure)
    capsys.readouterr()
    response = push_json(gateway, po, vo)
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    logged = capsys.readouterr().err
    failed = [json.loads(line) for line in logged.splitlines() if '"request.failed"' in line]
    assert len(failed) == 1, logged
    assert failed[0]["error_type"] == error_type
    traceback = failed[0]["exception"]
    assert traceback.startswith("Traceback (most recent call last):")
    assert f"in {failure.__name__}" in traceback
    assert kept in traceback
    assert MARKER_BSN not in logged and MARKER_NAME not in logged
    assert stored(gateway) == NOTHING
