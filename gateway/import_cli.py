"""`gateway import PATH`: a batch of OSO dossiers, pushed in-process (gateway.transfers.bulk)."""

from __future__ import annotations

import hashlib
import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from gateway import cli_db
from gateway.core.clock import SystemClock
from gateway.core.settings import get_settings
from gateway.crypto.keyring import Keyring, ensure_local_keys
from gateway.edges import Edges
from gateway.enrolments.authority import EnrolledSchool
from gateway.orgs import service as orgs
from gateway.transfers import bulk
from policies.catalog import load_catalog

console = Console(stderr=True)


def import_batch(
    path: Annotated[Path, typer.Argument(help="A directory or a zip of OSO XML dossiers.")],
    sender: Annotated[str, typer.Option("--from", help="The sending organisation's id.")],
    actor: Annotated[str, typer.Option(help="Opaque id of the person running the import.")],
    recipient: Annotated[
        str | None, typer.Option(help="The recipient of every file (else manifest.json).")
    ] = None,
    purpose: Annotated[str, typer.Option(help="The flow's purpose.")] = "overdracht.po_vo",
    role: Annotated[str | None, typer.Option(help="The actor's role, e.g. ib.")] = None,
    workers: Annotated[
        int,
        typer.Option(
            help="Processes that read the files (parse, XSD, business rules) while this "
            "one writes; 0: read in this process. Default: 1 with two or more CPUs, else 0.",
            show_default=False,
        ),
    ] = bulk.WORKERS,
    batch: Annotated[
        int, typer.Option(help="Files per database transaction, each in its own savepoint.")
    ] = bulk.BATCH,
    journal: Annotated[
        Path | None, typer.Option(help="Journal file (default: in the data directory).")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Where to write the JSON report (default: by the journal).")
    ] = None,
    retry_refused: Annotated[
        bool,
        typer.Option(
            "--retry-refused", help="Try the files an earlier run refused again (once mended)."
        ),
    ] = False,
) -> None:
    """Push a batch of OSO dossiers (a school's yearly PO-VO batch) through the same
    checks as POST /v1/transfers; resumable and idempotent. Exit 1 if any was refused."""
    settings = get_settings()
    journal = journal or default_journal(settings.data_dir, path)
    db = cli_db.connect(settings)
    catalog = load_catalog(region=settings.region)
    ensure_local_keys(settings.keys_dir)
    keyring = Keyring.local(settings.keys_dir)
    importer: bulk.Importer | None = None
    try:
        with db.readers() as session:
            sender_kind = orgs.kind_of(session, sender)
        if sender_kind is None:
            console.print("[red]The sending organisation is not registered.[/red]")
            raise typer.Exit(2)
        skipped: list[dict[str, str]] = []
        try:
            sources, manifest = bulk.read_batch(path, skipped)
        except (OSError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        options = bulk.Options(
            sender=sender,
            actor=actor,
            purpose=purpose,
            role=role,
            recipient=recipient,
            workers=workers,
            batch=batch,
            retry_refused=retry_refused,
        )
        with _progress() as progress:
            task = progress.add_task("import", total=len(sources))
            todo = _todo(sources, journal, retry_refused=retry_refused)
            progress.update(task, completed=len(sources) - todo)
            importer = bulk.Importer(
                db,
                lambda: Edges(catalog, keyring, SystemClock().now(), EnrolledSchool()),
                options,
                bulk.Journal(journal),
                sender_kind=sender_kind,
                on_file=lambda entry: progress.advance(task),
            )
            with _stopped_by_signal():
                rows = importer.run(sources, manifest)
    except KeyboardInterrupt:
        console.print(
            f"[yellow]Interrupted: {importer.done if importer else 0} files finished in this "
            "run are in the "
            f"journal ({journal}). Run the same command again to go on where it "
            "stopped; nothing is sent twice.[/yellow]"
        )
        raise typer.Exit(130) from None
    finally:
        db.dispose()
    found = bulk.summary(rows, str(path)) | {"skipped": skipped}
    report = report or journal.with_suffix(".report.json")
    report.write_text(json.dumps(found, indent=2, ensure_ascii=False), "utf-8")
    Console().print(view(found))
    console.print(f"report: {report}")
    if found["refused"]:
        raise typer.Exit(1)


@contextmanager
def _stopped_by_signal() -> Iterator[None]:
    """SIGTERM (a kill, a stopped service) ends the import as Ctrl-C does: the batch in
    its transaction is rolled back, and the message says how to go on."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    earlier = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, earlier)


def default_journal(data_dir: Path, path: Path) -> Path:
    where = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    return data_dir / "imports" / f"{path.stem}-{where}.jsonl"


def _todo(sources: list[bulk.Source], journal: Path, *, retry_refused: bool) -> int:
    done = bulk.Journal(journal).entries()
    if retry_refused:
        done = {key: entry for key, entry in done.items() if entry.get("outcome") != "refused"}
    return len({s.sha256 for s in sources} - set(done))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


# Refusals of the file's own content: a mended file is another file (another hash), so
# the next run imports it; --retry-refused is for causes outside the file.
MEND_THE_FILE = frozenset({"invalid_dossier", "invalid_bsn", "profile_mismatch"})


def view(found: dict[str, Any]) -> Group:
    """The report for a terminal: the table, then each refused file's meldingen (its
    validator's findings, with where in the dossier), readable at 80 columns."""
    return Group(table(found), *meldingen(found), *left_out(found))


def left_out(found: dict[str, Any]) -> list[RenderableType]:
    """The batch's files that were not read, and why."""
    skipped = found.get("skipped") or []
    if not skipped:
        return []
    return [
        Text(f"\nLeft out ({len(skipped)}):", style="bold"),
        *(Text(f"  {item['file']}: {item['why']}") for item in skipped),
    ]


def table(found: dict[str, Any]) -> Table:
    """The report as a table: one row per file, what happened and why."""
    title = f"{found['accepted']} accepted, {found['refused']} refused of {found['files']}"
    if found.get("earlier_run"):
        title += f" ({found['earlier_run']} in an earlier run)"
    shown = Table(title=title)
    # File names are never cut: a long one folds onto the next line.
    shown.add_column("file", overflow="fold", min_width=12)
    shown.add_column("outcome", no_wrap=True)
    shown.add_column("transfer / code", no_wrap=True)
    shown.add_column("why", overflow="fold", min_width=20)
    for row in found["items"]:
        code = str(row.get("transfer")) if row["outcome"] == "accepted" else row["code"]
        # Text, not markup: a file name or a validator's text may hold "[...]".
        shown.add_row(Text(row["file"]), Text(row["outcome"]), Text(code), Text(why(row)))
    return shown


def why(row: dict[str, Any]) -> str:
    """What a row's outcome rests on: the refusal, or where an earlier import was made."""
    earlier = bool(row.get("earlier_run"))
    if row["outcome"] == "accepted":
        if earlier:
            return "imported in an earlier run"
        return "" if row.get("new", True) else "already imported"
    found = len(row.get("meldingen") or ())
    said = row["detail"]
    if found:  # the validators' findings are listed below the table, whole
        said = f"the OSO business rules: {found} melding{'en' if found > 1 else ''}, below"
    if earlier and row["code"] in MEND_THE_FILE:
        said += "\n(in an earlier run: a mended file is imported as new)"
    elif earlier:
        said += "\n(in an earlier run: --retry-refused tries it again once mended)"
    return str(said)


def meldingen(found: dict[str, Any]) -> list[RenderableType]:
    """Each refused file's meldingen: type and text, then the element it is about."""
    shown: list[RenderableType] = []
    for row in found["items"]:
        if row["outcome"] != "refused" or not row.get("meldingen"):
            continue
        shown.append(Text(f"\n{row['file']} ({row['code']}):", style="bold"))
        for melding in row["meldingen"]:
            # A journal of an earlier version holds only text and category.
            said = f"{melding.get('type') or 'Fout'}: {melding['text']}"
            if melding.get("category"):
                said += f" (category {melding['category']})"
            shown.append(Padding(Text(said), (0, 0, 0, 2)))
            if melding.get("location"):
                shown.append(Padding(Text(f"at {melding['location']}"), (0, 0, 0, 4)))
    return shown
