"""The sender's standing with the pupil (`sender_related`, DOMAIN §7) in the catalog.

Every flow but the meldcode asks it on send, every route of such a flow says which
relation counts, and the engine judges it before any other precondition: a sender
without standing learns nothing of an aanmelding, an inzage or a consent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policies.catalog import Catalog
from policies.check import check
from tests.policies.policy_cases import OVERSTAP, VERZUIM, decide

Edit = Callable[[Path, Callable[[dict[str, Any]], None]], None]


def test_every_flow_but_the_meldcode_asks_the_senders_standing(catalog: Catalog) -> None:
    open_to_anyone = {
        flow.id
        for flow in catalog.flows.values()
        if "sender_related" not in flow.preconditions["send"]
    }
    assert open_to_anyone == {"meldcode.melding"}
    for flow in catalog.flows.values():
        relations = [route.sender_relation for route in flow.routes]
        if flow.id in open_to_anyone:
            assert relations == [None] * len(relations)
        else:
            assert None not in relations, flow.id


def test_each_flow_names_the_relation_its_senders_need(catalog: Catalog) -> None:
    def relation(purpose: str, sender: str) -> Any:
        flow = catalog.flows[purpose]
        return next(r.sender_relation for r in flow.routes if sender in r.senders)

    for purpose in ("overdracht.po_vo", "overdracht.vo_mbo", "leerplicht.verzuim", "tlv.aanvraag"):
        assert relation(purpose, "school_vo" if "vo_" in purpose else "school_po").enrolled
    assert relation("leerplicht.verzuim", "school_vo").received == frozenset()
    assert relation("tlv.besluit", "swv_po").received == {"tlv.aanvraag"}
    assert relation("tlv.advies", "swv_vo").received == {"tlv.aanvraag"}
    assert relation("tlv.advies", "jgz").received == {"tlv.advies"}
    assert relation("jeugdhulp.terugkoppeling", "wijkteam").received == {"jeugdhulp.verwijzing"}
    assert relation("verwijsindex.match", "verwijsindex").received == {"verwijsindex.signaal"}
    assert relation("knooppunt.casus", "leerplicht").case


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("swv_po", "school_po", "tlv.besluit", {"leerling", "tlv_besluit"}), {}),
        (("school_vo", "leerplicht", "leerplicht.verzuim", VERZUIM), {"absence_hours": 20}),
        (("school_po", "school_vo", "overdracht.po_vo", OVERSTAP), {"age": 11}),
    ],
    ids=["tlv_besluit", "verzuim", "po_vo"],
)
def test_a_sender_without_standing_is_denied_first(
    catalog: Catalog, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    # No aanmelding either: the stranger hears of its own standing, not of the aanmelding.
    denied = decide(catalog, *args, action="send", related=False, **kwargs)
    assert (denied.effect, denied.code) == ("deny", "sender_not_related")
    assert denied.rule == f"{args[2]}/deny/sender_related"
    pre = ["aanmelding"] if args[2].startswith("overdracht") else []
    assert decide(catalog, *args, action="send", pre=pre, **kwargs).permitted


def test_the_release_does_not_ask_it_again(catalog: Catalog) -> None:
    released = decide(
        catalog,
        "school_po",
        "school_vo",
        "overdracht.po_vo",
        OVERSTAP,
        age=11,
        pre=["aanmelding", "inzage"],
        related=False,
    )
    assert released.permitted


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            lambda flow: flow["routes"][0].pop("sender_relation"),
            "routes[0]: sender_related needs the route's sender_relation",
        ),
        (
            lambda flow: flow["routes"][0].update(sender_relation={"received": ["tlv.nope"]}),
            "unknown purpose 'tlv.nope'",
        ),
        (
            lambda flow: flow["routes"][0].update(sender_relation={}),
            "routes[0]: sender_relation names no relation",
        ),
        (
            lambda flow: flow["preconditions"].update(send=["aanmelding"]),
            "routes[0]: sender_relation without the precondition sender_related",
        ),
    ],
    ids=["missing", "unknown_purpose", "empty", "without_precondition"],
)
def test_a_broken_relation_is_a_load_error(
    catalog_dir: Path, edit_yaml: Edit, change: Callable[[dict[str, Any]], None], error: str
) -> None:
    edit_yaml(catalog_dir / "flows.yaml", lambda data: change(data["flows"][0]))
    assert check(catalog_dir) == [f"flows.yaml: flow 'overdracht.po_vo': {error}"]


def test_who_starts_a_case_needs_standing_apart_from_any_case(catalog: Catalog) -> None:
    """A case makes its participants' standing (`case`): starting one must rest on
    something else, or a party could make its own standing with any pupil."""
    relation = catalog.flows["knooppunt.casus"].create_relation
    assert relation is not None and relation.enrolled
    assert "jeugdhulp.verwijzing" in relation.received
    assert not (relation.case or relation.registered_consent or relation.holds_data)
    others = [f.id for f in catalog.flows.values() if f.create_relation is not None]
    assert others == ["knooppunt.casus"]


@pytest.mark.parametrize(
    ("relation", "error"),
    [
        ({"case": True}, "create_relation may not rest on a case or a consent registered at one"),
        (
            {"registered_consent": True},
            "create_relation may not rest on a case or a consent registered at one",
        ),
        ({}, "create_relation names no relation"),
        ({"received": ["tlv.nope"]}, "unknown purpose 'tlv.nope'"),
    ],
    ids=["case", "registered_consent", "empty", "unknown_purpose"],
)
def test_a_create_relation_resting_on_a_case_is_a_load_error(
    catalog_dir: Path, edit_yaml: Edit, relation: dict[str, Any], error: str
) -> None:
    def change(data: dict[str, Any]) -> None:
        flow = next(f for f in data["flows"] if f["purpose"] == "knooppunt.casus")
        flow["create_relation"] = relation

    edit_yaml(catalog_dir / "flows.yaml", change)
    assert check(catalog_dir) == [f"flows.yaml: flow 'knooppunt.casus': {error}"]
