"""A search of the log as CSV, safe to open in a spreadsheet.

A cell that a spreadsheet would read as a formula (starting with = + - @, or a tab or
carriage return that hides one) gets a leading apostrophe, so that an actor id or code
an organisation chose cannot run anything on the officer's machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from gateway.web.fg.rows import Row

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    "volgnummer",
    "tijd (UTC)",
    "organisatie",
    "persoon",
    "rol",
    "handeling",
    "doel",
    "doelcode",
    "besluit",
    "reden (code)",
    "leerling (pseudoniem)",
    "object",
)


def safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        cells = (
            str(row.seq),
            row.time.isoformat(),
            row.organisation,
            row.actor,
            row.role,
            row.action,
            row.purpose,
            row.purpose_code,
            row.decision,
            row.code,
            row.subject,
            row.object_id,
        )
        writer.writerow([safe(cell) for cell in cells])
    return out.getvalue()
