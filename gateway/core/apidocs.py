"""The browsable API description at /v1/docs, served by the gateway itself.

FastAPI's default page loads Swagger UI from a public CDN: a privacy officer or an
integrator reading the docs would tell a third party that they did, and on a closed
network the page stays blank. The assets come from the `swagger-ui-bundle` package.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from gateway.core.routing import OneTripRoute

DOCS_PATH = "/v1/docs"
ASSETS_PATH = "/v1/docs/assets"


def install_docs(app: FastAPI, *, openapi_url: str) -> None:
    app.mount(ASSETS_PATH, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
    router = APIRouter(route_class=OneTripRoute)

    @router.get(DOCS_PATH, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title}: API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
        )

    app.include_router(router)
