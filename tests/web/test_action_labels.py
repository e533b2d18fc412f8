"""Every act the gateway writes to the audit log reads as Dutch in the parents' access
log: no raw code such as `deed 'audit.search'` reaches a parent."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from gateway.web import wording

ROOT = Path(__file__).resolve().parents[2]
ACTORS = (
    "transfer|consent|enrolment|audit|subject|meldcode|rights|tlv|case|signal|retention|webhook"
    "|notification"
)
CODE = re.compile(rf"({ACTORS})(\.[a-z_]+)+")
# The acts written as f"consent.{act}" (gateway/registry/service.py) and
# f"enrolment.{status}" (the statuses of gateway/enrolments/schemas.py).
CONSENT_ACTS = ("cosign", "gezag", "grant", "read", "renewal", "withdraw")
ENROLMENT_STATUSES = ("aangemeld", "ingeschreven", "afgewezen", "uitgeschreven")
# Dotted names that are purposes or fields, never an audit action.
NOT_ACTIONS = {
    "audit.toezicht",
    "meldcode.melding",
    "meldcode.skipped",
    "subject.identity",
    "subject.record",  # the purpose a pupil's record is destroyed under
    "tlv.aanvraag",
    "tlv.advies",
    "tlv.besluit",
    "case.html",  # a template's name
    # The events of notifications (gateway/delivery/outbox.py), not audit actions.
    "transfer.available",
    "consent.withdrawn",
}


def _is_log_call(node: ast.Call) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and (func.value.id == "log")
    )


def written_codes() -> set[str]:
    codes = {f"consent.{act}" for act in CONSENT_ACTS}
    codes |= {f"enrolment.{status}" for status in ENROLMENT_STATUSES}
    for path in [*ROOT.glob("gateway/**/*.py"), *ROOT.glob("consent/**/*.py")]:
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        # structlog event names share the dotted form but never reach the audit log.
        logged = {
            id(arg)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _is_log_call(node)
            for arg in node.args[:1]
        }
        codes |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in logged
            and CODE.fullmatch(node.value)
        }
    return codes - NOT_ACTIONS


def test_every_audit_action_has_a_dutch_label() -> None:
    codes = written_codes()
    assert "audit.search" in codes and "consent.cosign" in codes
    assert {"case.read", "case.entry.write", "tlv.list", "retention.destroy"} <= codes
    assert {"webhook.register", "webhook.dead_letter", "notification.poll"} <= codes
    assert {"webhook.deliver", "transfer.list"} <= codes
    assert sorted(codes - wording.ACTIONS.keys()) == []
