"""`gateway orgs officer`: who is the privacy officer (FG) of an organisation.

The FG logs in to the portal's FG pages with the same OpenID Connect login as parents;
the deployment either trusts its identity provider to assert the FG role and the
organisation, or registers each FG here by the `sub` of their login. Only a keyed
pseudonym of the `sub` is stored; every registration and removal is on the
organisation's audit log.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from gateway import cli_db
from gateway.core.clock import SystemClock
from gateway.core.errors import GatewayError
from gateway.core.settings import get_settings
from gateway.crypto.keyring import Keyring
from gateway.orgs import officers
from policies.catalog import load_catalog

officer_app = typer.Typer(help="The organisation's privacy officers (FG).", no_args_is_help=True)
console = Console(stderr=True)
Org = Annotated[str, typer.Option("--org", help="The organisation's id.")]
Sub = Annotated[str, typer.Option("--sub", help="The `sub` the FG's login carries.")]


def _change(org: str, sub: str, *, adding: bool) -> None:
    settings = get_settings()
    db = cli_db.connect(settings)
    keyring = Keyring.local(settings.keys_dir)
    catalog = load_catalog(region=settings.region)
    change = officers.add if adding else officers.remove
    try:
        with db.sessions() as session, session.begin():
            officer = change(
                session,
                org_id=org,
                sub=sub,
                pseudonyms=keyring.pseudonyms,
                catalog=catalog,
                now=SystemClock().now(),
            )
            result = {"id": officer.id, "org": officer.org_id, "registered": adding}
    except GatewayError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    typer.echo(json.dumps(result))


@officer_app.command("add")
def officer_add(org: Org, sub: Sub) -> None:
    """Register a privacy officer of the organisation (logged on its audit log)."""
    _change(org, sub, adding=True)


@officer_app.command("remove")
def officer_remove(org: Org, sub: Sub) -> None:
    """Remove a privacy officer of the organisation (logged on its audit log)."""
    _change(org, sub, adding=False)


@officer_app.command("list")
def officer_list(org: Org) -> None:
    """The organisation's registered privacy officers: ids and dates, no logins."""
    settings = get_settings()
    db = cli_db.connect(settings)
    try:
        with db.sessions() as session:
            found = [
                {"id": o.id, "org": o.org_id, "since": o.created_at.isoformat()}
                for o in officers.listed(session, org)
            ]
    finally:
        db.dispose()
    typer.echo(json.dumps(found))
