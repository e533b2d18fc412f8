"""The `gateway` command line."""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from gateway import cli_db
from gateway.audit import checkpoints
from gateway.audit.publisher import CheckpointPublisher
from gateway.audit_cli import audit_export, audit_verify
from gateway.core import migrate
from gateway.core.clock import SystemClock
from gateway.core.context import trace
from gateway.core.db import Database
from gateway.core.errors import GatewayError
from gateway.core.settings import Settings, get_settings, served_issuer
from gateway.crypto.keyring import Keyring, ensure_local_keys
from gateway.crypto.notes import NoteKeys
from gateway.delivery.worker import DeliveryWorker
from gateway.demo import DEMO_FILE, ensure_demo_region
from gateway.edges import Edges
from gateway.enrolments.authority import EnrolledSchool
from gateway.import_cli import import_batch
from gateway.officer_cli import officer_app
from gateway.orgs import service as orgs
from gateway.policy_cli import policy_app
from gateway.retention import job as retention_job
from gateway.rights import reminders as rights_reminders
from gateway.signals import jobs as signal_jobs
from gateway.web import dev_idp
from gateway.web.demo import ensure_families, ensure_officer, ensure_waiting_dossier
from policies.catalog import load_catalog

app = typer.Typer(help="The passend-onderwijs exchange gateway.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
orgs_app = typer.Typer(help="The organisation registry.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
retention_app = typer.Typer(help="Retention terms from the catalog.", no_args_is_help=True)
signals_app = typer.Typer(help="The verwijsindex.", no_args_is_help=True)
rights_app = typer.Typer(help="Data-subject rights requests.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(orgs_app, name="orgs")
orgs_app.add_typer(officer_app, name="officer")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")
app.add_typer(signals_app, name="signals")
app.add_typer(rights_app, name="rights")
app.add_typer(policy_app, name="policy")
app.command("import")(import_batch)
audit_app.command("export")(audit_export)
audit_app.command("verify")(audit_verify)
console = Console(stderr=True)


def _bootstrap(settings: Settings) -> None:
    """The embedded default sets itself up: data directory, keys, schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_local_keys(settings.keys_dir)
    migrate.upgrade(settings.effective_database_url)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    demo: Annotated[bool, typer.Option(help="Create and print the demo region.")] = False,
) -> None:
    """Start the gateway; on first start create the data directory, keys and schema."""
    import uvicorn

    # One issuer per deployment: tokens, metadata and receipts all read it from the
    # settings, which the app factory (in every worker) reads from the environment.
    if "GATEWAY_ISSUER" not in os.environ:
        os.environ["GATEWAY_ISSUER"] = served_issuer(host, port)
        get_settings.cache_clear()
    settings = get_settings()
    if demo and settings.environment == "production":
        console.print("[red]The demo region is refused in production mode.[/red]")
        raise typer.Exit(2)
    _bootstrap(settings)
    idp = _start_dev_idp(settings) if demo else None
    if demo:
        _print_demo(get_settings())
    try:
        uvicorn.run(
            "gateway.main:app_factory",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_level="warning",
        )
    finally:
        if idp is not None:
            idp.stop()


def _start_dev_idp(settings: Settings) -> dev_idp.DevIdp | None:
    """The demo's identity provider, unless the deployment configured one."""
    if settings.oidc_issuer:
        return None
    callback = f"{settings.issuer.rstrip('/')}/portaal/login/callback"
    try:
        idp = dev_idp.start(settings.data_dir, callback)
    except dev_idp.DevIdpUnavailable as exc:
        console.print(f"[yellow]Portal login unavailable: {exc}.[/yellow]")
        return None
    # The app factory reads the settings again: point it (and any worker) at the IdP.
    os.environ.update(idp.environment())
    get_settings.cache_clear()
    console.print(
        f"[bold red]Ontwikkel-IdP — niet voor productie[/bold red] at {idp.issuer}; "
        "demo accounts ouder1, ouder2, leerling16, and fg1, the FG of Da Vinci College "
        f"(password: demo). Portal: {settings.issuer.rstrip('/')}/portaal/ "
        f"FG: {settings.issuer.rstrip('/')}/portaal/fg/"
    )
    return idp


def _print_demo(settings: Settings) -> None:
    db = Database.connect(settings.effective_database_url)
    catalog = load_catalog(region=settings.region)
    credentials = ensure_demo_region(db, settings.data_dir, catalog.org_kinds)
    schools = {c["kind"]: c["org_id"] for c in credentials if c["kind"].startswith("school_")}
    edges = Edges(catalog, Keyring.local(settings.keys_dir), SystemClock().now(), EnrolledSchool())
    ensure_families(db, edges=edges, schools=schools)
    ensure_waiting_dossier(db, edges=edges, po_id=schools["school_po"], vo_id=schools["school_vo"])
    ensure_officer(db, edges=edges, org_id=schools["school_vo"])
    db.dispose()
    # Ids and secrets are printed whole, each on one line to copy: a table where the
    # terminal is wide enough for one, else one block per organisation.
    title = "Demo region (development only: these are test credentials)"
    table = Table(title=title)
    for column in ("organisation", "kind", "org id", "client_id", "client_secret"):
        table.add_column(column, no_wrap=True)
    for c in credentials:
        table.add_row(c["name"], c["kind"], c["org_id"], c["client_id"], c["client_secret"])
    out = Console()
    if out.measure(table, options=out.options.update_width(10_000)).maximum <= out.width:
        out.print(table)
    else:
        out.print(f"[bold]{title}[/bold]")
        for c in credentials:
            out.print(f"{c['name']} ({c['kind']})", soft_wrap=True)
            for label, key in (("org id", "org_id"), ("client_id", "client_id")):
                out.print(f"  {label}: {c[key]}", soft_wrap=True)
            out.print(f"  client_secret: {c['client_secret']}", soft_wrap=True)
    out.print(f"The same credentials, as JSON: {settings.data_dir / DEMO_FILE}", soft_wrap=True)
    out.print(f"Token endpoint: {settings.token_endpoint}", soft_wrap=True)
    out.print(f"API description: {settings.issuer}/v1/docs", soft_wrap=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the schema to the newest migration."""
    migrate.upgrade(get_settings().effective_database_url)
    console.print("schema is up to date")


@orgs_app.command("add")
def orgs_add(
    name: Annotated[str, typer.Option(help="The organisation's name.")],
    kind: Annotated[str, typer.Option(help="Its kind, e.g. school_po, school_vo, mbo, wijkteam.")],
    brin: Annotated[str | None, typer.Option(help="BRIN code for schools.")] = None,
    region: Annotated[str, typer.Option(help="The region (SWV) it belongs to.")] = "demo",
    scope: Annotated[list[str] | None, typer.Option(help="A scope; repeat for more.")] = None,
    jwks_file: Annotated[Path | None, typer.Option(help="Public keys for private_key_jwt.")] = None,
    contact: Annotated[
        str | None, typer.Option(help="Contact details for its register (AVG art. 30).")
    ] = None,
    privacy_officer: Annotated[
        str | None, typer.Option(help="Its FG: name and contact details.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Register an organisation with one OAuth client; the secret is printed once."""
    settings = get_settings()
    db = cli_db.connect(settings)
    jwks: dict[str, Any] | None = json.loads(jwks_file.read_text()) if jwks_file else None
    try:
        with db.sessions() as session, session.begin():
            registered = orgs.register(
                session,
                name=name,
                kind=kind,
                brin=brin,
                region=region,
                scopes=scope,
                jwks=jwks,
                contact=contact,
                privacy_officer=privacy_officer,
                known_kinds=load_catalog().org_kinds,
                now=SystemClock().now(),
            )
            result = {
                "id": registered.org.id,
                "client_id": registered.client_id,
                "client_secret": registered.client_secret,
            }
    except GatewayError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    if as_json:
        typer.echo(json.dumps(result))
    else:
        console.print(result)


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign a checkpoint of the log now (if it grew) and hand it to the witness."""
    settings = get_settings()
    keys = NoteKeys.load(settings.keys_dir)
    db = cli_db.connect(settings)
    try:
        publisher = CheckpointPublisher(
            db=db,
            key=keys.active(settings.audit_origin),
            clock=SystemClock(),
            every_entries=settings.audit_checkpoint_entries,
            interval_seconds=settings.audit_checkpoint_interval_seconds,
            witness=settings.audit_witness,
        )
        made = publisher.publish()
        with db.readers() as session:
            latest = checkpoints.latest(session)
    finally:
        db.dispose()
    if latest is None:
        typer.echo(json.dumps({"published": False, "tree_size": 0}))
        return
    found = checkpoints.view(latest, keys.active(settings.audit_origin))
    found["time"] = latest.time.isoformat().replace("+00:00", "Z")  # as the API writes it
    typer.echo(json.dumps({"published": made is not None, **found}, default=str))


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be destroyed; change nothing.")
    ] = False,
) -> None:
    """Destroy every record past the term its catalog class gives: TLV records, entries
    of closed cases, transfers, idempotency records, consents that ended, enrolments,
    and the pupil's own record once nothing about the pupil is left. Encrypted data goes
    by destroying its data key; each destruction is on the holder's audit log. `gateway
    serve` runs it daily; safe to run again at any time."""
    settings = get_settings()
    catalog = load_catalog(region=settings.region)
    db = cli_db.connect(settings)
    try:
        with trace():  # a trace for the run
            report = retention_job.run(
                db, catalog=catalog, clock=SystemClock().now, dry_run=dry_run
            )
    finally:
        db.dispose()
    typer.echo(json.dumps(report.to_dict()))


@retention_app.command("purge")
def retention_purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be destroyed; change nothing.")
    ] = False,
) -> None:
    """The same as `gateway retention run` (its earlier name)."""
    retention_run(dry_run=dry_run)


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option(help="Deliver what is due now, then exit (for cron or tests).")
    ] = False,
) -> None:
    """Deliver notifications to the webhooks organisations registered: signed, retried
    with backoff, dead-lettered after the last attempt. Run as many as you like against
    one PostgreSQL; on SQLite run one."""
    settings = get_settings()
    db = cli_db.connect(settings)
    catalog = load_catalog(region=settings.region)
    delivery = DeliveryWorker(
        db=db,
        signing=Keyring.local(settings.keys_dir).signing,
        clock=SystemClock(),
        settings=settings,
        policy_version=catalog.version,
        break_glass=catalog.break_glass_purposes(),
    )
    try:
        if once:
            typer.echo(json.dumps({"attempted": delivery.drain()}))
            return
        console.print(f"Delivering webhooks as worker {delivery.worker_id}.")
        delivery.loop()
    except KeyboardInterrupt:
        pass
    finally:
        delivery.stop()
        db.dispose()


@signals_app.command("sweep")
def signals_sweep() -> None:
    """Destroy at 23 and after the archive term, archive at two years, remind to inform;
    every act in the audit log. `gateway serve` runs it daily; this runs it once."""
    settings = get_settings()
    db = cli_db.connect(settings)
    catalog = load_catalog(region=settings.region)
    keyring = Keyring.local(settings.keys_dir)

    def edges() -> Edges:
        return Edges(catalog, keyring, SystemClock().now(), EnrolledSchool())

    try:
        swept = signal_jobs.run(db, edges, settings)
    finally:
        db.dispose()
    typer.echo(
        json.dumps(
            {"destroyed": swept.destroyed, "archived": swept.archived, "reminded": swept.reminded}
        )
    )


@rights_app.command("remind")
def rights_remind() -> None:
    """Remind the controllers of correction and erasure requests due within 7 days or
    overdue, once per request per stage; each in the controller's audit log. `gateway
    serve` runs it daily; this runs it once."""
    settings = get_settings()
    db = cli_db.connect(settings)
    catalog = load_catalog(region=settings.region)
    keyring = Keyring.local(settings.keys_dir)
    try:
        made = rights_reminders.run(
            db, Edges(catalog, keyring, SystemClock().now(), EnrolledSchool())
        )
    finally:
        db.dispose()
    typer.echo(json.dumps({"reminded": made}))


def _one_line_summaries(group: typer.Typer) -> None:
    """Each command's line in its group's list: the first paragraph of its docstring as
    one line, which the help then wraps to the terminal (left alone, it keeps the
    docstring's own line breaks and breaks sentences mid-line)."""
    for command in group.registered_commands:
        text = command.help or inspect.getdoc(command.callback) or ""
        if command.short_help is None and text:
            command.short_help = " ".join(text.split("\n\n")[0].split())
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _one_line_summaries(sub.typer_instance)


_one_line_summaries(app)
