"""Every table of the gateway, imported in one place for migrations and tooling."""

from gateway.audit.models import AuditEntry, AuditHead
from gateway.audit.reviews import BreakGlassReview
from gateway.core.db import Base
from gateway.core.idempotency import IdempotencyRecord
from gateway.crypto.models import DataKey
from gateway.enrolments.models import Enrolment
from gateway.orgs.models import OAuthClient, Organisation, UsedAssertion
from gateway.subjects.models import Subject
from gateway.transfers.models import Transfer

__all__ = [
    "AuditEntry",
    "AuditHead",
    "Base",
    "BreakGlassReview",
    "DataKey",
    "Enrolment",
    "IdempotencyRecord",
    "OAuthClient",
    "Organisation",
    "Subject",
    "Transfer",
    "UsedAssertion",
]
