"""`gateway policy …`: check a catalog, explain one decision, print the register."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import typer

from policies.catalog import load_catalog
from policies.check import check as check_catalog
from policies.explain import explain as explain_decision
from policies.model import ConsentState, Preconditions, Request
from policies.register import register as build_register
from policies.register import render

policy_app = typer.Typer(help="The policy catalog.", no_args_is_help=True)


class ExplainedAction(StrEnum):
    """What is explained: the exchange itself (as the push and the API's dry run), or the
    release to the recipient."""

    send = "send"
    release = "release"


@policy_app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="A catalog folder (taxonomy, flows, regions).")],
) -> None:
    """Validate a catalog, e.g. a region's overrides in its CI; exit 1 on any error."""
    errors = check_catalog(path)
    for error in errors:
        typer.echo(error, err=True)
    if errors:
        raise typer.Exit(1)
    typer.echo("catalog is valid")


@policy_app.command("explain")
def explain(
    purpose: Annotated[str, typer.Option(help="The purpose code, e.g. overdracht.po_vo.")],
    sender_kind: Annotated[str, typer.Option(help="The sending organisation's kind.")],
    recipient_kind: Annotated[str, typer.Option(help="The receiving organisation's kind.")],
    category: Annotated[list[str] | None, typer.Option(help="A category; repeat.")] = None,
    age: Annotated[int | None, typer.Option(help="The pupil's age in years.")] = None,
    grantor: Annotated[
        list[str] | None, typer.Option(help="A consent grantor role; repeat.")
    ] = None,
    action: Annotated[
        ExplainedAction,
        typer.Option(help="send (the exchange itself, as the push) or release (to the recipient)."),
    ] = ExplainedAction.send,
    aanmelding: Annotated[bool, typer.Option(help="An aanmelding exists.")] = False,
    inzage: Annotated[bool, typer.Option(help="The parents had inzage.")] = False,
    informed: Annotated[bool, typer.Option(help="The parents were informed.")] = False,
    region: Annotated[str, typer.Option(help="The region whose settings apply.")] = "demo",
) -> None:
    """One decision, step by step, in words a privacy officer understands."""
    request = Request(
        sender_kind=sender_kind,
        recipient_kind=recipient_kind,
        purpose=purpose,
        categories=frozenset(category or ()),
        subject_age=age,
        consent=ConsentState(tuple(grantor)) if grantor else None,
        preconditions=Preconditions(aanmelding=aanmelding, inzage=inzage, informed=informed),
        action=action.value,
    )
    for line in explain_decision(request, load_catalog(region=region)):
        typer.echo(line)


@policy_app.command("register")
def register(
    format_: Annotated[
        Literal["md", "csv", "json"], typer.Option("--format", help="md, csv or json.")
    ] = "md",
    region: Annotated[str, typer.Option(help="The region whose catalog is in force.")] = "demo",
) -> None:
    """The register of processing (AVG art. 30), generated from the catalog."""
    typer.echo(render(build_register(load_catalog(region=region)), format_))
