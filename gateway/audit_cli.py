"""`gateway audit export`: the log as Logboek Dataverwerkingen records, for a Logboek or
a supervisor; the export itself on the log (`gateway.audit.export`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gateway import cli_db
from gateway.audit import export as audit_export_log
from gateway.audit import logboek
from gateway.core.clock import SystemClock
from gateway.core.context import trace
from gateway.core.db import Database
from gateway.core.errors import GatewayError
from gateway.core.settings import get_settings
from gateway.crypto.keyring import Keyring
from policies.catalog import load_catalog

console = Console(stderr=True)


def audit_export(
    format_: Annotated[
        str, typer.Option("--format", help="`logboek`: Logboek Dataverwerkingen records.")
    ] = "logboek",
    org: Annotated[
        str | None,
        typer.Option(help="Only what this organisation's privacy officer sees, its pseudonyms."),
    ] = None,
    start: Annotated[
        datetime | None, typer.Option("--from", help="From this instant (UTC), inclusive.")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option("--to", help="Up to this instant (UTC), exclusive.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """Export the log as JSON Lines, oldest first: one Logboek Dataverwerkingen record
    per entry, each with the seq and hash that tie it to the log. The export is itself
    on the log (`audit.export`, before the first line is written)."""
    if format_ != "logboek":
        console.print("[red]The one export format is `logboek`.[/red]")
        raise typer.Exit(2)
    settings = get_settings()
    catalog = load_catalog(region=settings.region)
    refs = Keyring.local(settings.keys_dir).pseudonyms.refs_for(org) if org else None
    db = cli_db.connect(settings)
    try:
        with trace(), db.sessions() as session, session.begin():  # a trace for the run
            run = audit_export_log.record(
                session,
                org=org,
                format_=format_,
                start=_utc(start),
                end=_utc(end),
                catalog=catalog,
                now=SystemClock().now(),
            )
        if run is not None:
            _write_records(db, out, org=org, start=_utc(start), end=_utc(end), run=run, refs=refs)
        elif out:
            out.write_text("", encoding="utf-8")
    except GatewayError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    finally:
        db.dispose()


def _write_records(
    db: Database,
    out: Path | None,
    *,
    org: str | None,
    start: datetime | None,
    end: datetime | None,
    run: audit_export_log.Run,
    refs: Callable[[str], str] | None,
) -> None:
    """The run the export's entry names, and nothing appended since."""
    stream = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        with db.readers() as session:
            found = logboek.entries(
                session, org=org, start=start, end=end, first=run.first, last=run.last
            )
            for entry in found:
                line = logboek.record(entry, viewer=org, refs=refs)
                stream.write(json.dumps(line, ensure_ascii=False) + "\n")
    finally:
        if out:
            stream.close()


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
