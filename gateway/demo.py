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
# Each demo organisation's contact details and FG for its register (AVG art. 30(1)(a)).
# The .example domain (RFC 2606) reaches nobody.
DEMO_CONTACTS = {
    "OBS De Hien": ("Administratie, privacy@dehien.example, 078 000 0001",
                    "FG Stichting Primair Onderwijs Demo, fg@spo.example"),
    "Da Vinci College": ("Administratie, privacy@davinci.example, 078 000 0002",
                         "FG Da Vinci College, fg@davinci.example"),
    "Sociaal Wijkteam Dordrecht": ("Gemeente Dordrecht, wijkteam@dordrecht.example",
                                   "FG gemeente Dordrecht, fg@dordrecht.example"),
    "SWV PO Onderwijs dat Past": ("Bureau, info@swv-po.example, 078 000 0003",
                                  "FG samenwerkingsverband, fg@swv-po.example"),
    "Leerrecht Zuid-Holland Zuid": ("Leerplicht, leerplicht@leerrecht.example",
                                    "FG Leerrecht, fg@leerrecht.example"),
}  # fmt: skip
# The demo deployment's register settings: every GATEWAY_ variable the art. 30 register
# reads, so that the demo region's register is complete.
DEMO_DEPLOYMENT = {
    "GATEWAY_OPERATOR_NAME": "Gateway passend onderwijs regio Demo (Drechtsteden)",
    "GATEWAY_OPERATOR_CONTACT": "Beheer, beheer@gateway-demo.example",
    "GATEWAY_OPERATOR_PRIVACY_OFFICER": "FG van de beheerorganisatie, fg@gateway-demo.example",
    "GATEWAY_DPIA_REFERENCE": "DPIA gateway passend onderwijs regio Demo, versie 1",
    "GATEWAY_HOSTING_NAME": "Eigen server van de beheerorganisatie",
    "GATEWAY_HOSTING_COUNTRY": "NL",
    "GATEWAY_IDP_NAME": "Ontwikkel-IdP van de demo (lokaal)",
    "GATEWAY_IDP_COUNTRY": "NL",
}


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
                contact=DEMO_CONTACTS[name][0],
                privacy_officer=DEMO_CONTACTS[name][1],
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
