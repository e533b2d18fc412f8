"""The demo region of `make run`: a few organisations and their printed credentials.

Development only: the credentials are kept in the data directory so that every start
can print them again. `gateway serve --demo` refuses to run in production mode.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.core.clock import SystemClock
from gateway.core.db import Database
from gateway.crypto.keys import write_secret
from gateway.orgs import service as orgs
from gateway.orgs.scopes import default_scopes

DEMO_FILE = "demo-credentials.json"
DEMO_ORGS = (
    ("OBS De Hien", "school_po", "12AB"),
    ("Da Vinci College", "school_vo", "34CD"),
    ("Sociaal Wijkteam Dordrecht", "wijkteam", None),
    ("SWV PO Onderwijs dat Past", "swv_po", None),
    ("Leerrecht Zuid-Holland Zuid", "leerplicht", None),
)


def ensure_demo_region(db: Database, data_dir: Path, known_kinds: frozenset[str]) -> list[Any]:
    """Creates the demo organisations once; returns their credentials."""
    path = data_dir / DEMO_FILE
    if path.exists():
        loaded: list[Any] = json.loads(path.read_text())
        return loaded
    now = SystemClock().now()
    credentials = []
    with db.sessions() as session, session.begin():
        for name, kind, brin in DEMO_ORGS:
            registered = orgs.register(
                session,
                name=name,
                kind=kind,
                brin=brin,
                region="demo",
                now=now,
                known_kinds=known_kinds,
                scopes=[*default_scopes(kind), "audit:read"],
            )
            credentials.append(
                {
                    "name": name,
                    "kind": kind,
                    "org_id": registered.org.id,
                    "client_id": registered.client_id,
                    "client_secret": registered.client_secret,
                }
            )
    write_secret(path, json.dumps(credentials, indent=2).encode())
    return credentials
