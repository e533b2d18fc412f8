"""Who is acting: the authenticated organisation and the context of one act."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

# The context headers' shapes, checked on every act (gateway.deps) and documented in the
# served OpenAPI (gateway.core.openapi). The acting person is an opaque id of the
# organisation's own (never a name, e-mail address of a pupil, or BSN): it is stored in
# the audit log and shown to parents. A purpose code is written as the catalog writes
# them (overdracht.po_vo); whether the catalog knows it is the policy's question.
ACTOR_PATTERN = r"[A-Za-z0-9._:@-]{1,128}"
ROLE_PATTERN = r"[a-z][a-z0-9_-]{0,63}"
PURPOSE_PATTERN = r"[a-z][a-z0-9_]{0,30}\.[a-z][a-z0-9_]{0,30}"
ACTOR_RE, ROLE_RE, PURPOSE_RE = map(re.compile, (ACTOR_PATTERN, ROLE_PATTERN, PURPOSE_PATTERN))


@dataclass(frozen=True, slots=True)
class Principal:
    """An organisation authenticated by a gateway access token."""

    org_id: str
    org_kind: str
    client_id: str
    scopes: frozenset[str]


@dataclass(frozen=True, slots=True)
class ActContext:
    """The context every act on personal data carries (X-Purpose, X-Actor)."""

    principal: Principal
    purpose: str
    actor: str
    actor_role: str | None
    request_id: str
    # The W3C trace-id of the request (a caller's traceparent continued), on every entry.
    trace_id: str | None = None

    @property
    def org_id(self) -> str:
        return self.principal.org_id

    @property
    def org_kind(self) -> str:
        return self.principal.org_kind

    @property
    def is_person(self) -> bool:
        """A parent or pupil acting through the portal, not an organisation."""
        return self.principal.org_kind == DATA_SUBJECT


# A person acting for themselves (a parent, the pupil) through the portal: the portal is
# the "organisation" of the log line, the person's pseudonym its actor.
PORTAL_ORG = "portaal"
DATA_SUBJECT = "data_subject"


def person_context(
    *, person_ref: str, role: str, purpose: str, request_id: str, trace_id: str | None = None
) -> ActContext:
    principal = Principal(
        org_id=PORTAL_ORG, org_kind=DATA_SUBJECT, client_id=PORTAL_ORG, scopes=frozenset()
    )
    return ActContext(
        principal=principal,
        purpose=purpose,
        actor=person_ref,
        actor_role=role,
        request_id=request_id,
        trace_id=trace_id or current_trace_id(),
    )


# The trace of what runs now: a request's (the middleware sets it), or a job run's
# (`new_trace`). Audit entries written without one of their own carry it.
_TRACE_ID: ContextVar[str | None] = ContextVar("trace_id", default=None)


def current_trace_id() -> str | None:
    return _TRACE_ID.get()


def new_trace_id() -> str:
    """A W3C trace-id: 16 random bytes in lower-case hex."""
    return secrets.token_hex(16)


@contextmanager
def trace(trace_id: str | None = None) -> Iterator[str]:
    """Runs the block under `trace_id`, or a fresh trace (one run of a job)."""
    value = trace_id or new_trace_id()
    token = _TRACE_ID.set(value)
    try:
        yield value
    finally:
        _TRACE_ID.reset(token)


class TokenVerifier(Protocol):
    """Turns a bearer token into a principal, or raises `Unauthorized`."""

    def verify(self, token: str) -> Principal: ...
