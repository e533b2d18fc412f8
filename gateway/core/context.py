"""Who is acting: the authenticated organisation and the context of one act."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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

    @property
    def org_id(self) -> str:
        return self.principal.org_id

    @property
    def org_kind(self) -> str:
        return self.principal.org_kind


class TokenVerifier(Protocol):
    """Turns a bearer token into a principal, or raises `Unauthorized`."""

    def verify(self, token: str) -> Principal: ...
