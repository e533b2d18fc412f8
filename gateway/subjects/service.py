"""Resolving a pupil to its pseudonym, and keeping the facts about them trustworthy.

The first statement about a pupil stores the identity sealed, with keyed fingerprints
of the facts others rely on (birth date, names). A later statement that conflicts with
the record is refused (409 `subject_conflict`), never written over: a correction is the
explicit act of the authoritative school (`correct`, AVG art. 16). A record stated by a
party that is not authoritative (`FactAuthority`) is provisional: the first statement
of the authoritative school replaces it, and that replacement is logged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import REGISTRATION_PURPOSE, basis_decision, own_task_decision
from gateway.core.context import ActContext
from gateway.core.db import insert_or_ignore
from gateway.core.errors import Conflict, Forbidden
from gateway.crypto.keyring import Keyring
from gateway.crypto.pseudonym import Pseudonymizer, normalise_name
from gateway.subjects.authority import FactAuthority
from gateway.subjects.models import Subject
from gateway.subjects.schemas import SubjectIn
from policies.catalog import Catalog
from policies.model import Decision

IDENTITY_PURPOSE = "subject.identity"
CORRECTION_PURPOSE = "rechten.correctie"
_RECORD = select(
    Subject.birth_fact,
    Subject.given_fact,
    Subject.family_fact,
    Subject.authoritative,
    Subject.stated_by,
).where(Subject.subject_ref == bindparam("ref"))


@dataclass(frozen=True, slots=True)
class Facts:
    """Keyed fingerprints of what a statement says; None where it says nothing."""

    birth: str
    given: str | None
    family: str | None

    @classmethod
    def of(cls, pseudonyms: Pseudonymizer, subject_ref: str, subject: SubjectIn) -> Facts:
        def name(field: str, value: str | None) -> str | None:
            return pseudonyms.fact(subject_ref, field, normalise_name(value)) if value else None

        return cls(
            pseudonyms.fact(subject_ref, "birth_date", subject.birth_date.isoformat()),
            name("given_name", subject.given_name),
            name("family_name", subject.family_name),
        )

    def conflicts(self, birth: str | None, given: str | None, family: str | None) -> bool:
        """A fact differs where both the record and the statement hold one."""
        pairs = ((self.birth, birth), (self.given, given), (self.family, family))
        return any(mine and theirs and mine != theirs for mine, theirs in pairs)


@dataclass(frozen=True, slots=True)
class Standing:
    """What resolving needs besides the session: keys, the authority, the catalog."""

    keyring: Keyring
    authority: FactAuthority
    catalog: Catalog
    now: datetime


def resolve(
    session: Session,
    subject: SubjectIn,
    *,
    ctx: ActContext,
    standing: Standing,
    authoritative: bool | None = None,
    act: audit.Attempt | None = None,
) -> str:
    """The pupil's internal `subject_ref`, once the statement agrees with the record.

    `authoritative` is known to the caller when the act itself makes the caller the
    authoritative school (an aanmelding); otherwise the `FactAuthority` is asked, and
    only when it matters (first sight, or a conflict). A refused statement is an attempt
    on the record of the party that stated it: `act` names that party as the owner.
    """
    keyring = standing.keyring
    ref = keyring.pseudonyms.subject_ref(subject.bsn)
    stated = Facts.of(keyring.pseudonyms, ref, subject)
    row = session.connection().execute(_RECORD, {"ref": ref}).first()
    if row is None:
        if authoritative is None:
            authoritative = _authority(session, ctx, ref, standing)
        _store(session, ref, subject, stated, ctx=ctx, standing=standing, by=authoritative)
        row = session.connection().execute(_RECORD, {"ref": ref}).one()  # a racing first
    birth, given, family, on_authority, stated_by = row
    if birth is None:  # a record from before fingerprints: fingerprint it now
        birth, given, family = _backfill(session, ref, standing)
    if not stated.conflicts(birth, given, family):
        return ref
    if not on_authority:
        if authoritative is None:
            authoritative = _authority(session, ctx, ref, standing)
        if authoritative:
            _restate(session, ref, subject, stated, ctx=ctx, standing=standing)
        # A provisional record binds no one: whoever mentioned the pupil first cannot
        # make a report about it fail by stating a wrong birth date (the act is decided
        # on its own statement, and the record waits for the school).
        return ref
    if act is not None:
        act.subject_ref, act.owner = ref, stated_by
    raise _conflict()


def agreed(
    session: Session,
    subject: SubjectIn,
    *,
    ctx: ActContext,
    standing: Standing,
    act: audit.Attempt | None = None,
    discreet: bool = False,
    authoritative: bool | None = None,
) -> str | None:
    """The pupil's ref when the record exists and the statement agrees with it; None when
    `resolve` has something to write (first sight, or the authoritative school restating
    a provisional record). Writes nothing, so it can run before the write transaction;
    a conflict the caller cannot settle is refused here already.

    `discreet`: the caller may not learn what the record holds unless it keeps the pupil
    in its own administration (`knows_record`). A statement that conflicts with the
    record is then not refused (a refusal would tell it the pupil is known, with other
    facts, and confirm a guessed birth date): the record stands, nothing is written, and
    the act goes on, exactly as it would for a statement that agrees. An aanmelding, or
    having stated the record itself on one, does not make a caller one that knows: any
    school registers an aanmelding on its own say, for any BSN.

    `authoritative` as for `resolve`: an act that makes the caller the authoritative
    school (an aanmelding) replaces a provisional record (None is returned for `resolve`
    to do it), but a record another school stated is that school's, and the caller that
    is not yet enrolled there is discreet about it like any other party.
    """
    keyring = standing.keyring
    ref = keyring.pseudonyms.subject_ref(subject.bsn)
    row = session.connection().execute(_RECORD, {"ref": ref}).first()
    if row is None or row[0] is None:
        return None
    birth, given, family, on_authority, stated_by = row
    if not Facts.of(keyring.pseudonyms, ref, subject).conflicts(birth, given, family):
        return ref
    if not on_authority:  # provisional: binds no one (`resolve`)
        if authoritative is None:
            authoritative = _authority(session, ctx, ref, standing)
        return None if authoritative else ref
    if discreet and not knows_record(session, ctx=ctx, subject_ref=ref, standing=standing):
        return ref
    if act is not None:
        act.subject_ref, act.owner = ref, stated_by
    raise _conflict()


def knows_record(
    session: Session, *, ctx: ActContext, subject_ref: str, standing: Standing
) -> bool:
    """Is the caller told that a statement conflicts with the record (409)? Only the
    school that keeps the pupil in its own administration (`FactAuthority.keeps_record`):
    it holds the facts already, and the refusal tells it nothing it may not know."""
    return standing.authority.keeps_record(session, org_id=ctx.org_id, subject_ref=subject_ref)


def _conflict() -> Conflict:
    return Conflict(
        "The pupil's birth date or name differs from the one on record; the school where "
        "the pupil is enrolled corrects it (rechten.correctie).",
        code="subject_conflict",
    )


def correct(session: Session, subject: SubjectIn, *, ctx: ActContext, standing: Standing) -> str:
    """AVG art. 16: the authoritative school corrects the facts on record, on record."""
    keyring = standing.keyring
    ref = keyring.pseudonyms.subject_ref(subject.bsn)
    decision = own_task_decision(
        standing.catalog,
        ctx,
        purpose=CORRECTION_PURPOSE,
        action="subject.correct",
        now=standing.now,
        reason="The school where the pupil is enrolled corrects the facts on record.",
        subject_ref=ref,
    )
    with audit.attempt(
        ctx, action="subject.correct", policy_version=standing.catalog.version, now=standing.now
    ) as act:
        record = session.connection().execute(_RECORD, {"ref": ref}).first()
        owner = record.stated_by if record is not None and record.authoritative else None
        act.subject_ref, act.owner = ref, owner
        if record is None or not holds_record(
            session, ctx=ctx, subject_ref=ref, stated_by=owner, authority=standing.authority
        ):
            raise Forbidden(
                "Only the school where the pupil is enrolled, and whose record it is, "
                "corrects the facts on record.",
                code="not_authoritative",
            )
    stated = Facts.of(keyring.pseudonyms, ref, subject)
    _restate(session, ref, subject, stated, ctx=ctx, standing=standing, decision=decision)
    return ref


def holds_record(
    session: Session,
    *,
    ctx: ActContext,
    subject_ref: str,
    stated_by: str | None,
    authority: FactAuthority,
) -> bool:
    """May the caller change what `stated_by` put on record about the pupil?

    Any school can receive an aanmelding, and so become authoritative; what an enrolled
    school stated stays that school's to change for as long as the pupil is enrolled
    there. After that the school where the pupil is enrolled now takes the record over.
    """
    if not authority.states_facts(session, org_id=ctx.org_id, subject_ref=subject_ref):
        return False
    if stated_by is None or stated_by == ctx.org_id:
        return True
    return not authority.states_facts(session, org_id=stated_by, subject_ref=subject_ref)


def _backfill(session: Session, ref: str, standing: Standing) -> tuple[str, str | None, str | None]:
    on_record = identity(session, ref, keyring=standing.keyring)
    if on_record is None:  # the row was read in this transaction
        raise RuntimeError("the subject row vanished")
    facts = Facts.of(standing.keyring.pseudonyms, ref, on_record)
    session.execute(
        update(Subject)
        .where(Subject.subject_ref == ref)
        .values(birth_fact=facts.birth, given_fact=facts.given, family_fact=facts.family)
        .execution_options(synchronize_session=False)
    )
    return facts.birth, facts.given, facts.family


def _authority(session: Session, ctx: ActContext, ref: str, standing: Standing) -> bool:
    return standing.authority.states_facts(session, org_id=ctx.org_id, subject_ref=ref)


def _sealed(session: Session, ref: str, subject: SubjectIn, standing: Standing) -> bytes:
    return standing.keyring.envelope.seal(
        session,
        subject_ref=ref,
        purpose=IDENTITY_PURPOSE,
        record_id=ref,
        plaintext=json.dumps(subject.model_dump(mode="json")).encode(),
        now=standing.now,
    )


def _store(
    session: Session,
    ref: str,
    subject: SubjectIn,
    stated: Facts,
    *,
    ctx: ActContext,
    standing: Standing,
    by: bool,
) -> None:
    values = {
        "subject_ref": ref,
        "identity": _sealed(session, ref, subject, standing),
        "created_at": standing.now,
        "birth_fact": stated.birth,
        "given_fact": stated.given,
        "family_fact": stated.family,
        "stated_by": ctx.org_id,
        "authoritative": by,
        "updated_at": standing.now,
    }
    insert_or_ignore(session, Subject, values)


def _restate(
    session: Session,
    ref: str,
    subject: SubjectIn,
    stated: Facts,
    *,
    ctx: ActContext,
    standing: Standing,
    decision: Decision | None = None,
) -> None:
    """The authoritative school's facts replace the record, never silently: logged."""
    previous = session.get(Subject, ref)
    owner = previous.stated_by if previous is not None else None
    session.execute(
        update(Subject)
        .where(Subject.subject_ref == ref)
        .values(
            identity=_sealed(session, ref, subject, standing),
            birth_fact=stated.birth,
            given_fact=stated.given,
            family_fact=stated.family,
            stated_by=ctx.org_id,
            authoritative=True,
            updated_at=standing.now,
        )
        .execution_options(synchronize_session=False)
    )
    action = "subject.correct" if decision is not None else "subject.restate"
    if decision is None:
        decision = basis_decision(
            standing.catalog,
            purpose=REGISTRATION_PURPOSE,
            rule="subject.restate/permit",
            reason="The school where the pupil is enrolled states the facts on record.",
        )
    event = AuditEvent.of(ctx, action=action, decision=decision, subject_ref=ref)
    audit.append(session, replace(event, owner=owner), now=standing.now)


def stated_by(session: Session, subject_ref: str) -> str | None:
    """The organisation whose statement of the pupil's facts is on record."""
    return session.scalars(
        select(Subject.stated_by).where(Subject.subject_ref == subject_ref)
    ).first()


def school_of_record(session: Session, subject_ref: str, authority: FactAuthority) -> str | None:
    """The school whose statement of the pupil's facts is on record and that keeps the
    pupil (its inschrijving): others' attempts about the pupil are on its log too. None
    while the record is provisional or absent, and where its stater has no inschrijving
    (a school that stated it with an aanmelding of its own must not, by that, read who
    else acts about the pupil: it would tell it the pupil was unknown before)."""
    row = session.connection().execute(_RECORD, {"ref": subject_ref}).first()
    if row is None or not row.authoritative or row.stated_by is None:
        return None
    keeps = authority.keeps_record(session, org_id=row.stated_by, subject_ref=subject_ref)
    return row.stated_by if keeps else None


def identity(session: Session, subject_ref: str, *, keyring: Keyring) -> SubjectIn | None:
    row = session.get(Subject, subject_ref)
    if row is None:
        return None
    plaintext = keyring.envelope.open(
        session, record_id=subject_ref, purpose=IDENTITY_PURPOSE, ciphertext=row.identity
    )
    return SubjectIn.model_validate_json(plaintext)
