"""Alembic environment: the engine comes from the caller's config, never a global."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from gateway.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            context.configure(
                connection=conn, target_metadata=target_metadata, render_as_batch=True
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:  # a migration that stops (a log that no longer matches) leaves no connection
        engine.dispose()


run_migrations_online()
