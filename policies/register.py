"""The AVG art. 30 register of processing, generated from the catalog in force.

One entry per purpose: who processes (by organisation kind), why, on what basis, which
data, for whom, how long, and how it is protected. Because it is generated, the
register the privacy officer hands to the Autoriteit Persoonsgegevens cannot drift
from the rules the gateway enforces.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from typing import Literal

from policies.compiled import Catalog, Flow

Format = Literal["md", "csv", "json"]

# Safeguards every exchange through the gateway has.
_BASE_SAFEGUARDS = (
    "encryption_at_rest",
    "hash_chained_audit",
    "purpose_binding",
    "category_minimisation",
    "organisation_authentication",
)
_SUBJECTS = "Pupils and their parents or carers"


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    purpose: str
    name: str
    description: str
    controllers: tuple[str, ...]
    recipients: tuple[str, ...]
    data_subjects: str
    legal_basis: str
    legal_basis_note: str
    categories: tuple[str, ...]
    special_categories: tuple[str, ...]
    consent: str
    retention: str
    safeguards: tuple[str, ...]
    third_countries: str = "None; all processing stays within the EEA."


def register(catalog: Catalog) -> list[RegisterEntry]:
    entries = [_flow_entry(flow, catalog) for flow in catalog.flows.values() if flow.enabled]
    entries += [_plain_entry(p, catalog) for p in sorted(catalog.purposes - set(catalog.flows))]
    return sorted(entries, key=lambda entry: entry.purpose)


def _flow_entry(flow: Flow, catalog: Catalog) -> RegisterEntry:
    tax = catalog.taxonomy
    basis = flow.legal_basis
    special = tuple(
        f"{name} ({tax.categories[name].label}), ground: {ground.statute}"
        for name, ground in sorted(flow.special_grounds.items())
        if name in flow.categories
    )
    safeguards = [*_BASE_SAFEGUARDS, *flow.safeguards]
    safeguards.append("bsn_allowed" if flow.bsn_allowed else "pseudonymised_bsn")
    if flow.consent is not None:
        safeguards.append("consent_registry")
    return RegisterEntry(
        purpose=flow.id,
        name=tax.purposes[flow.id].label,
        description=flow.description,
        controllers=_kinds(flow.sender_kinds, catalog),
        recipients=_kinds(flow.recipient_kinds, catalog),
        data_subjects=_SUBJECTS,
        legal_basis=basis.label,
        legal_basis_note=basis.description + (" (article to be verified)" if basis.verify else ""),
        categories=tuple(
            f"{name} ({tax.categories[name].label})"
            + (", special category (AVG art. 9)" if tax.categories[name].special else "")
            for name in sorted(flow.categories)
            if not tax.categories[name].structure
        ),
        special_categories=special,
        consent=_consent_text(flow),
        retention=f"{flow.retention.term} ({flow.retention.basis})",
        safeguards=tuple(_safeguard_text(name, catalog) for name in dict.fromkeys(safeguards)),
    )


def _plain_entry(purpose: str, catalog: Catalog) -> RegisterEntry:
    """A purpose without an exchange flow (audit.toezicht): the gateway's own processing."""
    spec = catalog.taxonomy.purposes[purpose]
    basis = catalog.legal_basis(purpose)
    return RegisterEntry(
        purpose=purpose,
        name=spec.label,
        description=spec.description,
        controllers=("Every connected organisation, through its privacy officer (FG)",),
        recipients=("The privacy officer (FG) of the organisation concerned",),
        data_subjects=_SUBJECTS + "; the professionals who acted",
        legal_basis=basis.label if basis else "-",
        legal_basis_note=basis.description if basis else "-",
        categories=(
            "Audit events: pseudonymised subject reference, purpose, category names, "
            "decision and rule; never dossier content",
        ),
        special_categories=(),
        consent="Not applicable",
        retention="As long as the longest retention of the records the log covers",
        safeguards=tuple(
            _safeguard_text(n, catalog) for n in ("hash_chained_audit", "pseudonymised_bsn")
        ),
    )


def _kinds(kinds: frozenset[str], catalog: Catalog) -> tuple[str, ...]:
    tax = catalog.taxonomy
    labels = {
        **{k: v.label for k, v in tax.org_kinds.items()},
        **{k: v.label for k, v in tax.parties.items()},
    }
    return tuple(f"{labels[kind]} ({kind})" for kind in sorted(kinds))


def _consent_text(flow: Flow) -> str:
    if flow.consent is None:
        return "Not required: " + flow.legal_basis.kind.replace("_", " ")
    rule = flow.consent.age_rule
    parents = "both parents" if flow.consent.parents_needed == 2 else "one parent"
    scope = "Required for the flow" if flow.consent.required else "Required beyond the closed list"
    return f"{scope}: {rule.description} Parents needed: {parents} ({rule.statute})."


def _safeguard_text(name: str, catalog: Catalog) -> str:
    if name == "bsn_allowed":
        return "The BSN travels only because this flow's statutory basis allows it (UAVG art. 46)."
    return catalog.taxonomy.safeguards[name]


def render(entries: list[RegisterEntry], fmt: Format) -> str:
    if fmt == "json":
        return json.dumps([asdict(entry) for entry in entries], indent=2, ensure_ascii=False)
    if fmt == "csv":
        return _csv(entries)
    if fmt == "md":
        return _markdown(entries)
    raise ValueError(f"unknown register format {fmt!r}")


def _csv(entries: list[RegisterEntry]) -> str:
    out = io.StringIO()
    fields = list(asdict(entries[0])) if entries else []
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        row = asdict(entry)
        writer.writerow(
            {k: "; ".join(v) if isinstance(v, list | tuple) else v for k, v in row.items()}
        )
    return out.getvalue()


def _markdown(entries: list[RegisterEntry]) -> str:
    lines = ["# Register of processing activities (AVG art. 30)", ""]
    for entry in entries:
        lines += [f"## {entry.name} (`{entry.purpose}`)", "", entry.description, ""]
        lines += _md_list("Controllers (senders)", entry.controllers)
        lines += _md_list("Recipients", entry.recipients)
        lines += [
            f"- **Data subjects:** {entry.data_subjects}",
            f"- **Legal basis:** {entry.legal_basis}. {entry.legal_basis_note}",
            f"- **Consent:** {entry.consent}",
        ]
        lines += _md_list("Personal data", entry.categories)
        lines += _md_list("Special categories (AVG art. 9)", entry.special_categories or ("None",))
        lines += [
            f"- **Retention:** {entry.retention}",
            f"- **Transfers outside the EEA:** {entry.third_countries}",
        ]
        lines += [*_md_list("Safeguards", entry.safeguards), ""]
    return "\n".join(lines)


def _md_list(title: str, items: tuple[str, ...]) -> list[str]:
    return [f"- **{title}:**", *(f"  - {item}" for item in items)]
