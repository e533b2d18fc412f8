"""Helpers the policy tests share: building requests in the words of a test case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import pytest

from policies.catalog import Catalog
from policies.engine import evaluate
from policies.model import ConsentState, Decision, Preconditions, Request

OVERSTAP = frozenset({"school", "leerling", "oudersverzorgers", "schoolloopbaan", "overstapadvies"})
MELDCODE_STEPS = frozenset({"signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"})
PAO = {"school", "leerling", "oudersverzorgers", "schoolloopbaan", "onderwijsondersteuning"}
VERZUIM = {"leerling", "school", "verzuim_melding"}
BOTH = ("aanmelding", "inzage")


def make_request(
    sender: str,
    recipient: str,
    purpose: str,
    categories: Iterable[str] = (),
    *,
    age: int | None = None,
    grantors: tuple[str, ...] | None = None,
    scope: Iterable[str] | None = None,
    pre: Iterable[str] = (),
    action: str = "release",
    related: bool = True,
    **extra: Any,
) -> Request:
    """A request in the words of a test case: grantors, precondition names, categories.

    The sender has standing with the pupil (`sender_related`) unless `related=False`:
    most cases are about something else.
    """
    consent = None
    if grantors is not None:
        consent = ConsentState(grantors, None if scope is None else frozenset(scope))
    return Request(
        sender_kind=sender,
        recipient_kind=recipient,
        purpose=purpose,
        categories=frozenset(categories),
        subject_age=age,
        consent=consent,
        preconditions=Preconditions(sender_related=related, **dict.fromkeys(pre, True)),
        action=action,  # type: ignore[arg-type]
        **extra,
    )


def decide(catalog: Catalog, *args: Any, **kwargs: Any) -> Decision:
    return evaluate(make_request(*args, **kwargs), catalog)


class Case(NamedTuple):
    name: str
    request: dict[str, Any]
    expected: str
    released: set[str] | None = None
    obligations: set[str] | None = None


def req(
    sender: str,
    recipient: str,
    purpose: str,
    categories: set[str] | frozenset[str] = frozenset(),
    **kw: Any,
) -> dict[str, Any]:
    return {
        "sender": sender,
        "recipient": recipient,
        "purpose": purpose,
        "categories": categories,
        **kw,
    }


def check(catalog: Catalog, case: Case) -> None:
    args = case.request
    kwargs = {
        k: v for k, v in args.items() if k not in ("sender", "recipient", "purpose", "categories")
    }
    decision = decide(
        catalog, args["sender"], args["recipient"], args["purpose"], args["categories"], **kwargs
    )
    if case.expected == "permit":
        assert decision.permitted, decision.reasons
        assert decision.code is None
        assert decision.rule.endswith("/permit")
    else:
        assert not decision.permitted
        assert decision.code == case.expected, decision.reasons
        assert decision.released == frozenset()
        assert "/deny/" in decision.rule
    if case.released is not None:
        assert decision.released == frozenset(case.released)
    if case.obligations is not None:
        assert case.obligations <= set(decision.obligations)


def cases(*items: Case) -> Any:
    return pytest.mark.parametrize("case", items, ids=[c.name for c in items])
