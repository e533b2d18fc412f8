"""Every table that holds personal data, its retention class and when its clock starts.

`RETAINED` names each such table with the catalog class it is kept under (`flow` where
each row carries its flow's class, `own_term` where each writer's), the day its term
starts, and what ends it. `NOT_PERSONAL` names the tables that hold none, and why. A
test checks that every table of the schema is in exactly one of the two, so a new
table with personal data cannot be added without a class. README shows the table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Retained:
    retention: str
    clock: str
    ends: str


FLOW = "flow"  # the class the catalog gives the record's flow, stamped on the row

RETAINED: dict[str, Retained] = {
    "transfers": Retained(
        FLOW,
        "the transfer's last act (push, inzage, first read, acknowledgement)",
        "`retention run`: its own data key destroyed, the row deleted",
    ),
    "case_entries": Retained(
        "own_term",
        "the day the case closes; the own view with the longest party term",
        "`retention run`: the writer's key in the case destroyed with its last entry",
    ),
    "tlvs": Retained(
        FLOW,
        "opened, decided, or the last day the TLV is valid",
        "`retention run`: deleted (no sealed content)",
    ),
    "tlv_advices": Retained(FLOW, "with its TLV record", "`retention run`, with its TLV"),
    "enrolments": Retained(
        "inschrijving_5y", "the day the enrolment ended", "`retention run`: deleted"
    ),
    "subjects": Retained(
        "subject_record",
        "when no transfer, enrolment, case, consent or TLV of the pupil is left",
        "`retention run`: deleted, every data key of the pupil destroyed",
    ),
    "gezag_relations": Retained(
        "subject_record", "with the pupil's record", "`retention run`, with the pupil's record"
    ),
    "data_keys": Retained(
        "subject_record",
        "with the records sealed under the key",
        "wrapped key destroyed; the row stays as a tombstone without key material",
    ),
    "idempotency_records": Retained(
        "idempotency", "the request", "`retention run`: deleted in bulk"
    ),
    "portal_sessions": Retained(
        "portal_session", "the last page seen, or the login", "the portal, at its idle or maximum"
    ),
    "consents": Retained(
        "consent_record",
        "the withdrawal or the end of validity; the flow's term (the longest party's)",
        "`retention run`: its own data key destroyed, the row deleted",
    ),
    "consent_events": Retained("consent_record", "with its consent", "with its consent"),
    "consent_recipients": Retained("consent_record", "with its consent", "with its consent"),
    "consent_notifications": Retained("consent_record", "with its consent", "with its consent"),
    "cases": Retained(
        "own_term",
        "kept as the register of who shared with whom; the title is sealed",
        "not by the job: the AVG art. 15 answer refers to it",
    ),
    "case_participants": Retained("own_term", "with its case", "not by the job, with its case"),
    "vi_signals": Retained(
        "verwijsindex", "the signal: 2 years active, 5 archive, 23rd birthday", "`signals sweep`"
    ),
    "vi_signal_parents": Retained("verwijsindex", "with its signal", "`signals sweep`"),
    "vi_matches": Retained("follows_signal", "with its signals", "`signals sweep`"),
    "vi_notifications": Retained("follows_signal", "with its signals", "`signals sweep`"),
    "rights_requests": Retained(
        "rights_request",
        "with the pupil's record, which an open request keeps",
        "`retention run`, with the pupil's record (its words under the pupil's key)",
    ),
    "rights_reminders": Retained(
        "rights_request", "with its request", "`retention run`, with its request"
    ),
    "privacy_officers": Retained(
        "officer_registration",
        "the registration's removal",
        "`orgs officer remove`: deleted (a keyed pseudonym of the login, no name)",
    ),
    "notifications": Retained(
        "notification",
        "the notification, once no delivery of it is pending",
        "`retention run`: deleted in bulk with its deliveries",
    ),
    "webhook_deliveries": Retained(
        "notification", "with its notification", "`retention run`, with its notification"
    ),
    "webhook_attempts": Retained(
        "notification", "with its delivery", "`retention run`, with its delivery"
    ),
    "audit_entries": Retained("audit_log", "never: pseudonyms and ids only", "kept"),
    "break_glass_reviews": Retained(
        "audit_log", "never: the oversight of a logged act, pseudonyms only", "kept"
    ),
}

NOT_PERSONAL: dict[str, str] = {
    "webhooks": "an organisation's endpoint URL and the events it wants",
    "audit_checkpoints": "signed tree heads: hashes",
    "audit_head": "the chain's head: a hash",
    "audit_tree": "the Merkle tree's size",
    "audit_tree_nodes": "Merkle tree hashes",
    "organisations": "organisations and their business contact",
    "oauth_clients": "organisations' client credentials (hashed)",
    "used_client_assertions": "ids of client assertions, until they expire",
    "vi_volumes": "counts of signals per organisation and window",
}
