"""The database a command works on, or a clear word when there is none yet."""

from __future__ import annotations

import typer

from gateway.core.db import Database
from gateway.core.settings import Settings


def connect(settings: Settings) -> Database:
    """The configured database; with the embedded default, only where `gateway serve`
    (or `gateway db upgrade`) made it: a command run outside the clone, or with another
    `GATEWAY_DATA_DIR`, is told so instead of failing on a missing file."""
    if not settings.database_url and not (settings.data_dir / "gateway.db").is_file():
        typer.echo(
            f"No gateway database in {settings.data_dir.resolve()}: run the command from "
            "the directory `gateway serve` runs in (it uses ./var), set GATEWAY_DATA_DIR "
            "to that data directory, or set GATEWAY_DATABASE_URL.",
            err=True,
        )
        raise typer.Exit(2)
    return Database.connect(settings.effective_database_url)
