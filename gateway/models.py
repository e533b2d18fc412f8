"""Every table of the gateway, imported in one place for migrations and tooling."""

from consent.models import (
    Consent,
    ConsentEvent,
    ConsentNotification,
    ConsentRecipient,
    GezagRelation,
)
from gateway.audit.models import (
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditTree,
    AuditTreeNode,
)
from gateway.audit.reviews import BreakGlassReview
from gateway.cases.models import Case, CaseEntry, CaseParticipant
from gateway.core.db import Base
from gateway.core.idempotency import IdempotencyRecord
from gateway.crypto.models import DataKey
from gateway.delivery.models import Delivery, DeliveryAttempt, Notification, Webhook
from gateway.enrolments.models import Enrolment
from gateway.orgs.models import OAuthClient, Organisation, UsedAssertion
from gateway.orgs.officers import PrivacyOfficer
from gateway.rights.models import RightsReminder, RightsRequest
from gateway.signals.models import (
    Signal,
    SignalMatch,
    SignalNotification,
    SignalParent,
    SignalVolume,
)
from gateway.subjects.models import Subject
from gateway.tlv.models import Tlv, TlvAdvice
from gateway.transfers.models import Transfer
from gateway.web.models import PortalSession

__all__ = [
    "AuditCheckpoint",
    "AuditEntry",
    "AuditHead",
    "AuditTree",
    "AuditTreeNode",
    "Base",
    "BreakGlassReview",
    "Case",
    "CaseEntry",
    "CaseParticipant",
    "Consent",
    "ConsentEvent",
    "ConsentNotification",
    "ConsentRecipient",
    "DataKey",
    "Delivery",
    "DeliveryAttempt",
    "Enrolment",
    "GezagRelation",
    "IdempotencyRecord",
    "Notification",
    "OAuthClient",
    "Organisation",
    "PortalSession",
    "PrivacyOfficer",
    "RightsReminder",
    "RightsRequest",
    "Signal",
    "SignalMatch",
    "SignalNotification",
    "SignalParent",
    "SignalVolume",
    "Subject",
    "Tlv",
    "TlvAdvice",
    "Transfer",
    "UsedAssertion",
    "Webhook",
]
