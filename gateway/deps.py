"""Shared FastAPI dependencies: the services, the transaction, the acting context.

Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in
the thread pool, and a thread hop per dependency per request costs more than the work.

`Services` is built once by `gateway.main` and hung on `app.state`; routers only
ever reach it through the aliases here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

import anyio
import structlog
from fastapi import Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from gateway.auth.tokens import TokenService
from gateway.core.clock import Clock
from gateway.core.context import ACTOR_RE, PURPOSE_RE, ROLE_RE, ActContext, Principal
from gateway.core.db import Database
from gateway.core.errors import BadRequest, Forbidden, Unauthorized
from gateway.core.fields import BSN_SHAPED, bind_today
from gateway.core.routing import refuse_non_finite
from gateway.core.settings import Settings
from gateway.crypto.keyring import Keyring
from gateway.edges import Edges, PupilAuthority
from policies.catalog import Catalog

log = structlog.get_logger("gateway.deps")
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock
    keyring: Keyring
    tokens: TokenService
    catalog: Catalog
    # Who may state facts about a pupil (DOMAIN §7): the enrolled school, later the BRP.
    authority: PupilAuthority
    # Bounds the pushes in progress per process (`GATEWAY_PUSH_CONCURRENCY`).
    push_limiter: anyio.CapacityLimiter


def edges_of(services: Services) -> Edges:
    """What every act on personal data needs besides the session, at this moment."""
    return Edges(services.catalog, services.keyring, services.clock.now(), services.authority)


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_settings_dep(services: ServicesDep) -> Settings:
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def transaction(services: ServicesDep) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    with services.db.unit_of_work() as session:
        yield session


# scope="function": the commit happens before the response leaves, so nothing is
# acknowledged that could still fail to commit.
SessionDep = Annotated[Session, Depends(transaction, scope="function")]


def _principal(request: Request, services: Services) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("A bearer token is required.", code="token_missing")
    principal = services.tokens.verify(token.strip())
    structlog.contextvars.bind_contextvars(org=principal.org_id)
    return principal


async def get_principal(request: Request, services: ServicesDep) -> Principal:
    return _principal(request, services)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def _check_scope(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise Forbidden(f"The token lacks the scope {scope}.", code="insufficient_scope")


def require_scope(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def guard(principal: PrincipalDep) -> Principal:
        _check_scope(principal, scope)
        return principal

    return guard


def _context(
    request: Request,
    principal: Principal,
    x_purpose: str | None,
    x_actor: str | None,
    x_actor_role: str | None,
) -> ActContext:
    if not x_purpose or not x_actor:
        raise BadRequest(
            "Calls on personal data carry X-Purpose and X-Actor.", code="context_missing"
        )
    if (
        not PURPOSE_RE.fullmatch(x_purpose)
        or not ACTOR_RE.fullmatch(x_actor)
        or (x_actor_role is not None and not ROLE_RE.fullmatch(x_actor_role))
    ):
        raise BadRequest(
            "X-Purpose is a purpose code (area.name in lower case), X-Actor an opaque id of "
            "up to 128 letters, digits or ._:@-, X-Actor-Role a short lower-case role name.",
            code="context_invalid",
        )
    if BSN_SHAPED.search(x_actor) or (x_actor_role and BSN_SHAPED.search(x_actor_role)):
        raise BadRequest(
            "X-Actor must be an opaque id, never a citizen service number.",
            code="context_invalid",
        )
    structlog.contextvars.bind_contextvars(purpose=x_purpose, actor=x_actor)
    services: Services = request.app.state.services
    # Birth and inzage dates in the body are judged by the app's clock (validated next).
    bind_today(services.clock.now().date())
    return ActContext(
        principal=principal,
        purpose=x_purpose,
        actor=x_actor,
        actor_role=x_actor_role,
        request_id=str(request.scope.get("state", {}).get("request_id", "")),
        trace_id=request.scope.get("state", {}).get("trace_id"),
    )


def scoped_context(scope: str) -> Callable[..., Awaitable[ActContext]]:
    """The acting context, after checking the token carries `scope`.

    One dependency, not a chain of them: FastAPI's resolution costs more per node than
    the checks do, and every call on personal data passes here. The checks keep their
    order: the token (401), the context headers (400), the scope (403).
    """

    async def dependency(
        request: Request,
        x_purpose: Annotated[str | None, Header()] = None,
        x_actor: Annotated[str | None, Header()] = None,
        x_actor_role: Annotated[str | None, Header()] = None,
    ) -> ActContext:
        services: Services = request.app.state.services
        principal = _principal(request, services)
        context = _context(request, principal, x_purpose, x_actor, x_actor_role)
        _check_scope(principal, scope)
        return context

    return dependency


async def raw_body(request: Request) -> bytes:
    """The request body as bytes (already bounded by the body-limit middleware)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def parse_json(model: type[ModelT], raw: bytes) -> ModelT:
    """Validates a raw JSON body, with the same 422 answer as FastAPI's own parsing."""
    refuse_non_finite(raw)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        # Located under "body", as FastAPI locates the errors of a body it parses.
        errors = exc.errors(include_input=False, include_url=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None
