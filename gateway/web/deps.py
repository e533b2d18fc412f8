"""What every portal page needs: the portal, the person logged in, and rendering."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from gateway.core.context import ActContext, person_context
from gateway.crypto.session import SessionSecret
from gateway.deps import Services, edges_of
from gateway.edges import Edges
from gateway.web import session, voice
from gateway.web.oidc import PortalLogin
from gateway.web.session import LoginRequired, Viewer


@dataclass(frozen=True, slots=True)
class Portal:
    services: Services
    templates: Jinja2Templates
    secret: SessionSecret
    login: PortalLogin

    def edges(self) -> Edges:
        return edges_of(self.services)

    def render(
        self, request: Request, template: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        # A request no page answered (a 404, say) is rendered without a session loaded.
        has_session = "session" in request.scope
        who = session.viewer(request) if has_session else None
        base = {
            "root": request.scope.get("root_path", ""),
            "viewer": who,
            "csrf_token": session.csrf_token(request) if who else "",
            "flash": session.take_flash(request) if has_session else None,
            "overview": session.overview(request) if has_session else "Overzicht",
            "development": self.services.settings.environment == "development",
            # How the page speaks to its reader: the pupil on their own page as "je".
            "v": voice.of(context.get("kid")),
        }
        return self.templates.TemplateResponse(
            request, template, {**base, **context}, status_code=status
        )


async def get_portal(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


PortalDep = Annotated[Portal, Depends(get_portal)]


async def current_viewer(request: Request) -> Viewer:
    who = session.viewer(request)
    if who is None:
        raise LoginRequired("Log in first.", code="login_required")
    return who


ViewerDep = Annotated[Viewer, Depends(current_viewer)]
CsrfChecked = Depends(session.check_csrf)
# Every page: the session loaded before it and saved after, inside its transaction.
SessionOpened = Depends(session.open_session, scope="function")


def act_context(request: Request, who: Viewer, *, role: str, purpose: str) -> ActContext:
    state = request.scope.get("state", {})
    return person_context(
        person_ref=who.person_ref,
        role=role,
        purpose=purpose,
        request_id=str(state.get("request_id", "")),
        trace_id=state.get("trace_id"),
    )
