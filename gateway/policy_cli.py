"""`gateway policy …`: check a catalog, explain one decision, print the register."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import create_engine, select
from sqlalchemy.exc import SQLAlchemyError

from gateway.audit.register import deployment
from gateway.core.settings import Settings, get_settings
from gateway.orgs.models import Organisation
from policies.catalog import load_catalog
from policies.check import check as check_catalog
from policies.explain import explain as explain_decision
from policies.facts import FactError, apply_facts, check_closed, known_text
from policies.model import ConsentState, Preconditions, Request
from policies.register import Controller, registers
from policies.register_render import render

policy_app = typer.Typer(help="The policy catalog.", no_args_is_help=True)


class RegisterFormat(StrEnum):
    md = "md"
    csv = "csv"
    json = "json"
    html = "html"


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
    sender_related: Annotated[
        bool,
        typer.Option(help="The sender has the standing with the pupil its route names."),
    ] = False,
    aanmelding: Annotated[bool, typer.Option(help="An aanmelding exists.")] = False,
    inzage: Annotated[bool, typer.Option(help="The parents had inzage.")] = False,
    informed: Annotated[bool, typer.Option(help="The parents were informed.")] = False,
    region: Annotated[str, typer.Option(help="The region whose settings apply.")] = "demo",
    fact: Annotated[
        list[str] | None,
        typer.Option(
            help="Any fact the decision depends on, as name=value; repeat it for a list "
            "(--fact meldcode_steps=signalen --fact meldcode_steps=gesprek). Known: "
            + known_text()
            + "."
        ),
    ] = None,
) -> None:
    """One decision, step by step, in Dutch words a privacy officer understands."""
    request = Request(
        sender_kind=sender_kind,
        recipient_kind=recipient_kind,
        purpose=purpose,
        categories=frozenset(category or ()),
        subject_age=age,
        consent=ConsentState(tuple(grantor)) if grantor else None,
        preconditions=Preconditions(
            sender_related=sender_related,
            aanmelding=aanmelding,
            inzage=inzage,
            informed=informed,
        ),
        action=action.value,
    )
    catalog = load_catalog(region=region)
    try:
        request = apply_facts(request, fact or ())
        check_closed(request, catalog)
    except FactError as exc:
        raise typer.BadParameter(str(exc), param_hint="--fact") from exc
    for line in explain_decision(request, catalog):
        typer.echo(line)


@policy_app.command("register")
def register(
    format_: Annotated[
        RegisterFormat, typer.Option("--format", help="md, csv, json or html (printable).")
    ] = RegisterFormat.md,
    controller: Annotated[
        str | None,
        typer.Option(help="One controller: an organisation id, or 'gateway' for the operator."),
    ] = None,
    region: Annotated[str | None, typer.Option(help="The region; default GATEWAY_REGION.")] = None,
) -> None:
    """The register of processing (AVG art. 30), one per controller, from the catalog,
    the organisation registry and the deployment's settings."""
    settings = get_settings()
    catalog = load_catalog(region=region or settings.region)
    found = registers(catalog, _organisations(settings, catalog.region), deployment(settings))
    if controller is not None:
        found = [reg for reg in found if reg.controller == controller]
        if not found:
            typer.echo(f"No controller {controller!r} in region {catalog.region}.", err=True)
            raise typer.Exit(2)
    typer.echo(render(found, format_.value), nl=False)


def _organisations(settings: Settings, region: str) -> list[Controller]:
    """The region's organisations from the registry; none before the database exists."""
    url = settings.effective_database_url
    if not settings.database_url and not (settings.data_dir / "gateway.db").exists():
        return []
    engine = create_engine(url)
    query = select(Organisation).where(Organisation.region == region)
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
    except SQLAlchemyError as exc:
        typer.echo("The organisation registry cannot be read; run `gateway db upgrade`.", err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    return [
        Controller(
            row["id"], row["name"], row["kind"], row["contact"] or "", row["privacy_officer"] or ""
        )
        for row in rows
    ]
