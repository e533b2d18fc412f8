"""`--fact name=value`: every fact a decision depends on, by its field's name."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from policies import facts
from policies.facts import FactError, apply_facts, known_facts
from policies.model import ConsentState, Preconditions, Request

BASE = Request("school_po", "wijkteam", "knooppunt.casus", frozenset({"leerling"}))


def test_every_field_of_the_request_is_a_fact() -> None:
    assert set(known_facts()) >= {
        "subject_age", "requester", "granted_by", "consent_categories", "meldcode_steps",
        "reasons", "parents_told", "not_told_reason", "absence_hours", "aanmelding", "inzage",
        "informed", "participant",
    }  # fmt: skip
    assert not {"purpose", "sender_kind", "categories", "action"} & set(known_facts())


def test_facts_are_typed_by_their_field() -> None:
    request = apply_facts(
        BASE,
        [
            "age=13", "hours=17.5", "participant=ja", "parents_told=false", "requester=parent",
            "meldcode_step=signalen", "meldcode_step=gesprek", "reason=a", "reason=b",
            "grantor=parent", "grantor=pupil", "consent_category=opp",
        ],
    )  # fmt: skip
    assert request.subject_age == 13 and request.absence_hours == 17.5
    assert request.preconditions == Preconditions(participant=True)
    assert request.parents_told is False and request.requester == "parent"
    assert request.meldcode_steps == {"signalen", "gesprek"}
    assert request.reasons == ("a", "b")
    assert request.consent == ConsentState(("parent", "pupil"), frozenset({"opp"}))


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ("mood=good", "unknown fact 'mood'"),
        ("age=twelve", "is a number"),
        ("participant=maybe", "is true or false"),
        ("participant", "name=value"),
        ("purpose=x", "unknown fact 'purpose'"),
    ],
)
def test_a_bad_fact_is_named(fact: str, message: str) -> None:
    with pytest.raises(FactError, match=message):
        apply_facts(BASE, [fact])


def test_a_field_added_later_is_a_fact_without_a_new_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A mapping fact (e.g. a meldcode step skipped with its reason) takes key=value."""

    @dataclass(frozen=True)
    class Wider(Request):
        meldcode_skipped: dict[str, str] = field(default_factory=dict)
        absence_type: str | None = None

    monkeypatch.setattr(facts, "Request", Wider)
    base = Wider("school_po", "veilig_thuis", "meldcode.melding", frozenset())
    got = apply_facts(base, ["meldcode_skipped=gesprek=onveilig", "absence_type=luxe"])
    assert isinstance(got, Wider)
    assert (got.meldcode_skipped, got.absence_type) == ({"gesprek": "onveilig"}, "luxe")
    with pytest.raises(FactError, match="key=value"):
        apply_facts(base, ["meldcode_skipped=gesprek"])
