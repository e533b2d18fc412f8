"""`gateway audit export`: the log as Logboek Dataverwerkingen records, for a Logboek or
a supervisor; the export itself on the log (`gateway.audit.export`). `gateway audit
verify`: the log checked against its signed checkpoints."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gateway import cli_db
from gateway.audit import checkpoints, logboek
from gateway.audit import export as audit_export_log
from gateway.audit.verify import verify_log, witness_notes
from gateway.core.clock import SystemClock
from gateway.core.context import trace
from gateway.core.db import Database
from gateway.core.errors import GatewayError
from gateway.core.settings import Settings, get_settings
from gateway.crypto.keyring import Keyring
from gateway.crypto.notes import NoteError, NoteKeys, NoteVerifier
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


def audit_verify(
    from_checkpoint: Annotated[
        int | None,
        typer.Option(help="Start at this signed checkpoint's size instead of the first entry."),
    ] = None,
    verifier_key: Annotated[
        list[str] | None,
        typer.Option(
            help="A checkpoint key as `<origin>+<hash>+<base64 key>`; repeat for more. "
            "Default: the keys in the data directory."
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            min=1, help="Worker processes hashing the log side by side. Default: one per CPU."
        ),
    ] = os.cpu_count() or 1,
    witnessed: Annotated[
        Path | None,
        typer.Option(
            help="A file of signed checkpoints a witness keeps: the log must match each. "
            "Default: the witness file of GATEWAY_AUDIT_WITNESS, when it is a file."
        ),
    ] = None,
    deep: Annotated[
        bool,
        typer.Option(
            "--deep", help="Also check every stored value and index against the entries' bytes."
        ),
    ] = False,
) -> None:
    """Check the hash chain, the Merkle tree and every signed checkpoint; exit non-zero
    at the first bad entry or checkpoint."""
    settings = get_settings()
    db = cli_db.connect(settings)
    with db.sessions() as session:
        origin = checkpoints.log_origin(session, settings.audit_origin)
        keys = _verifier_keys(settings, verifier_key or [], origin)
        notes = _witness_file(settings, witnessed)
        result = verify_log(
            session,
            keys=keys,
            from_checkpoint=from_checkpoint,
            jobs=jobs,
            witnessed=notes,
            deep=deep,
        )
    db.dispose()
    if result.ok and keys is None and result.checkpoints:
        result = replace(result, ok=False, problem="no checkpoint key to check the signatures")
    if result.ok:
        typer.echo(
            json.dumps({"ok": True, "entries": result.checked, "checkpoints": result.checkpoints})
        )
        return
    typer.echo(
        json.dumps(
            {
                "ok": False,
                "entries": result.checked,
                "first_bad_seq": result.first_bad_seq,
                "problem": result.problem,
            }
        )
    )
    raise typer.Exit(1)


def _verifier_keys(settings: Settings, given: list[str], origin: str) -> list[NoteVerifier] | None:
    """The keys given, else those of the data directory under the log's origin; None
    when there are none."""
    try:
        if given:
            return [NoteVerifier.parse(key) for key in given]
        return NoteKeys.load(settings.keys_dir).verifiers(origin)
    except FileNotFoundError:
        return None
    except NoteError as exc:
        console.print(f"[red]Not a checkpoint key: {exc}.[/red]")
        raise typer.Exit(2) from exc


def _witness_file(settings: Settings, given: Path | None) -> list[str]:
    """The signed notes of the witness file given, else of the configured file witness."""
    target = settings.audit_witness
    if given is None and target and not target.startswith(("http://", "https://")):
        given = Path(target)
        if not given.exists():
            return []
    if given is None:
        return []
    try:
        return witness_notes(given.read_text(encoding="utf-8"))
    except OSError as exc:
        console.print(f"[red]Cannot read the witness file: {exc.strerror}.[/red]")
        raise typer.Exit(2) from exc
