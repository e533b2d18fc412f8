"""The register of processing as the privacy officer hands it on: JSON, CSV, Markdown, HTML.

What an organisation registered (its name, contact) is escaped in HTML and Markdown and
defused in CSV, so a rendered register shows a name as text and runs nothing.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable
from dataclasses import asdict
from functools import partial
from typing import Any

from policies.register import Activity, ControllerRegister, Format


def render(found: list[ControllerRegister], fmt: Format) -> str:
    if fmt == "json":
        return json.dumps([asdict(r) for r in found], indent=2, ensure_ascii=False)
    if fmt == "csv":
        return _csv(found)
    if fmt == "md":
        return _markdown(found)
    if fmt == "html":
        return _html(found)
    raise ValueError(f"unknown register format {fmt!r}")


def _rows(found: list[ControllerRegister]) -> Iterable[dict[str, str]]:
    for reg in found:
        head = {k: v for k, v in asdict(reg).items() if k != "activities"}
        for activity in reg.activities:
            row = {**head, **asdict(activity)}
            yield {k: "; ".join(v) if isinstance(v, list | tuple) else v for k, v in row.items()}


_CSV_FIELDS = [
    *(f for f in ControllerRegister.__dataclass_fields__ if f != "activities"),
    *Activity.__dataclass_fields__,
]


# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): names and
# contacts come from whoever registered the organisation.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv(found: list[ControllerRegister]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in _rows(found))
    return out.getvalue()


def _header_lines(reg: ControllerRegister) -> list[tuple[str, str]]:
    return [
        ("(a) Verwerkingsverantwoordelijke", reg.controller_name),
        ("(a) Contactgegevens", reg.contact),
        ("(a) Functionaris gegevensbescherming", reg.privacy_officer),
        ("DPIA", reg.dpia_reference),
    ]


def _activity_lines(activity: Activity) -> list[tuple[str, str | tuple[str, ...]]]:
    lines: list[tuple[str, str | tuple[str, ...]]] = [
        ("Rol", activity.role),
        ("(b) Doeleinden", activity.purposes),
        ("Grondslag", f"{activity.legal_basis}. {activity.legal_basis_note}"),
        ("Toestemming", activity.consent),
        ("(c) Betrokkenen", activity.data_subjects),
        ("(c) Persoonsgegevens", activity.personal_data),
    ]
    if activity.special_categories:
        lines.append(("Bijzondere persoonsgegevens en hun grond", activity.special_categories))
    lines += [
        ("(d) Ontvangers", activity.recipients),
        ("(e) Doorgifte buiten de EER", activity.transfers),
        ("(f) Bewaartermijn", activity.retention),
        ("(g) Beveiligingsmaatregelen", activity.security),
    ]
    return lines


def _markdown(found: list[ControllerRegister]) -> str:
    # Markdown passes HTML through: what an organisation registered is escaped, so a
    # rendered register shows a name as text and runs nothing.
    e = partial(html.escape, quote=False)
    lines = ["# Register van verwerkingsactiviteiten (AVG art. 30)", ""]
    for reg in found:
        lines += [f"## {e(reg.controller_name)} (`{e(reg.controller)}`)", ""]
        lines += [f"- **{title}:** {e(value)}" for title, value in _header_lines(reg)]
        lines.append("")
        for activity in reg.activities:
            lines += [f"### {e(activity.name)} (`{activity.purpose}`, {activity.role})", ""]
            for title, value in _activity_lines(activity):
                if isinstance(value, tuple):
                    lines += [f"- **{title}:**", *(f"  - {e(item)}" for item in value)]
                else:
                    lines.append(f"- **{title}:** {e(value)}")
            lines.append("")
    return "\n".join(lines)


def _html(found: list[ControllerRegister]) -> str:
    e = html.escape
    out = [
        "<!doctype html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        "<title>Register van verwerkingsactiviteiten (AVG art. 30)</title>",
        "<style>body{font:11pt/1.4 sans-serif;max-width:60em;margin:auto}"
        "section{break-before:page}table{border-collapse:collapse;width:100%;margin:0 0 1em}"
        "th,td{border:1px solid #999;padding:.3em;text-align:left;vertical-align:top}"
        "th{width:14em;background:#eee}ul{margin:0;padding-left:1.2em}</style>",
        "</head><body>",
        "<h1>Register van verwerkingsactiviteiten (AVG art. 30)</h1>",
    ]
    for reg in found:
        out.append(
            f"<section><h2>{e(reg.controller_name)} <code>{e(reg.controller)}</code></h2><table>"
        )
        out += [f"<tr><th>{e(t)}</th><td>{e(v)}</td></tr>" for t, v in _header_lines(reg)]
        out.append("</table>")
        for activity in reg.activities:
            out.append(f"<h3>{e(activity.name)} <code>{e(activity.purpose)}</code></h3><table>")
            for title, value in _activity_lines(activity):
                cell = (
                    "<ul>" + "".join(f"<li>{e(item)}</li>" for item in value) + "</ul>"
                    if isinstance(value, tuple)
                    else e(value)
                )
                out.append(f"<tr><th>{e(title)}</th><td>{cell}</td></tr>")
            out.append("</table>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
