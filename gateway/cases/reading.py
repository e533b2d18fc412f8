"""What the engine releases of a case's entries to one participant, decided per request.

One read decides once per (writer kind, category) and looks the case consent up once
per category, with the writers' kinds in one query, and unseals what it releases with
each data key unwrapped once. Nothing outlives the request: a withdrawn consent or a
departure counts from the next one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from consent import gezag
from consent.period import today
from consent.state import consent_state
from gateway.cases import acts
from gateway.cases.models import Case, CaseEntry, CaseParticipant
from gateway.core.context import DATA_SUBJECT, PORTAL_ORG, ActContext, Principal
from gateway.edges import Edges
from gateway.orgs import service as orgs
from gateway.subjects import service as subjects
from policies import engine
from policies.model import ConsentState, Preconditions, Request


@dataclass(slots=True)
class Reader:
    """Decides, entry by entry, what the engine releases to this participant now."""

    session: Session
    case: Case
    me: CaseParticipant
    ctx: ActContext
    edges: Edges
    # The portal writes the parents' or the pupil's own view: the data subject's.
    _kinds: dict[str, str] = field(default_factory=lambda: {PORTAL_ORG: DATA_SUBJECT})
    _consents: dict[str, ConsentState | None] = field(default_factory=dict)
    _decided: dict[tuple[str, str], bool] = field(default_factory=dict)
    _keys: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    _any_consent: bool | None = None
    _holders: int | None = None
    _age: int | None = None
    _age_known: bool = False

    def know(self, writers: Iterable[str]) -> None:
        """The kinds of the writers about to be read, in one query."""
        missing = {org for org in writers if org not in self._kinds} - {self.ctx.org_id}
        if missing:
            self._kinds.update(orgs.kinds(self.session, sorted(missing)))

    def may_read(self, entry: CaseEntry) -> bool:
        if entry.org_id == self.ctx.org_id:
            return True  # the party's own entry
        self.know([entry.org_id])
        writer = self._kinds.get(entry.org_id)
        if writer is None:
            return False
        key = (writer, entry.category)
        if key not in self._decided:
            self._decided[key] = self._released(writer, entry.category)
        return self._decided[key]

    def content(self, entry: CaseEntry) -> Any:
        """The entry's content, unsealed with its data key (unwrapped once per read)."""
        envelope = self.edges.keyring.envelope
        key_id = envelope.key_id(entry.content)
        if key_id not in self._keys:
            self._keys[key_id] = envelope.key_of(
                self.session, purpose=acts.PURPOSE, ciphertext=entry.content
            )
        plain = envelope.open_with(
            self._keys[key_id],
            record_id=f"{entry.id}/content",
            purpose=acts.PURPOSE,
            ciphertext=entry.content,
        )
        return json.loads(plain)

    def _released(self, writer: str, category: str) -> bool:
        request = Request(
            sender_kind=writer,
            recipient_kind=self.ctx.org_kind,
            purpose=acts.PURPOSE,
            categories=frozenset({category}),
            subject_age=self._subject_age(),
            consent=self._consent(category),
            # The catalog's `participant`: the reader takes part with a mandate.
            preconditions=Preconditions(participant=self.me.mandate),
            action="release",
        )
        decision = engine.evaluate(request, self.edges.catalog)
        return decision.permitted and category in decision.released

    def _subject_age(self) -> int | None:
        if not self._age_known:
            keyring = self.edges.keyring
            identity = subjects.identity(self.session, self.case.subject_ref, keyring=keyring)
            self._age = identity.age_on(today(self.edges.now)) if identity else None
            self._age_known = True
        return self._age

    def _consent(self, category: str) -> ConsentState | None:
        """The case consent that names the reader and `category` now, as the engine
        takes it. Looked up once per category; when no consent for this case names the
        reader at all, once for the read; the gezag on record, once for the read."""
        if category not in self._consents:
            if self._any_consent is None:
                self._any_consent = self._lookup(frozenset()) is not None
            found = self._lookup(frozenset({category})) if self._any_consent else None
            if found is not None and self._both_parents():
                if self._holders is None:
                    self._holders = gezag.holders(self.session, subject_ref=self.case.subject_ref)
                found = replace(found, gezag_holders=self._holders)
            self._consents[category] = found
        return self._consents[category]

    def _lookup(self, categories: frozenset[str]) -> ConsentState | None:
        return consent_state(
            self.session,
            subject_ref=self.case.subject_ref,
            purpose=acts.PURPOSE,
            recipient_org_id=self.ctx.org_id,
            categories=categories,
            now=self.edges.now,
            case_id=self.case.id,
            case_only=True,
        )

    def _both_parents(self) -> bool:
        flow = self.edges.catalog.flow_for_purpose(acts.PURPOSE)
        return flow is not None and flow.consent is not None and flow.consent.parents_needed > 1


def readable_by(
    session: Session, case: Case, participant: CaseParticipant, kind: str, edges: Edges
) -> Callable[[CaseEntry], bool]:
    """Whether `participant` (an organisation of `kind`) reads an entry now: the very
    decision its own read of the case gets, for showing who may read what."""
    principal = Principal(participant.org_id, kind, client_id="", scopes=frozenset())
    ctx = ActContext(principal, acts.PURPOSE, participant.person, participant.role, request_id="")
    return Reader(session, case, participant, ctx, edges).may_read
