"""The gateway's API from a school's or care system's side.

`TokenSource` authenticates the organisation with `private_key_jwt` (RFC 7523: a
short-lived JWT signed with the organisation's own key, whose public half the gateway
holds) or a client secret, and keeps the access token until shortly before it expires.
`GatewayClient` sends every call with that token and the context of the act
(`X-Purpose`, `X-Actor`); a refusal raises `GatewayError` with the problem's `code`.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx2
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 120  # seconds; the gateway refuses one living over ten minutes
RECEIPT_TYPE = "consent-receipt+jwt"


class GatewayError(Exception):
    """A refusal by the gateway: its HTTP status, `code` and the whole problem."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        self.code = str(problem.get("code") or problem.get("error") or "http_error")
        super().__init__(f"{status} {self.code}: {problem.get('detail', '')}")


def _algorithm(key: Key) -> str:
    if key.key_type == "OKP":
        return "Ed25519"
    if key.key_type == "EC":
        return "ES256"
    return "PS256"


class TokenSource:
    """Access tokens for one client, fetched when needed and reused until `leeway`
    seconds before they expire."""

    def __init__(
        self,
        token_endpoint: str,
        client_id: str,
        *,
        key: Key | None = None,
        secret: str | None = None,
        scope: str | None = None,
        http: httpx2.Client | None = None,
        leeway: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if (key is None) == (secret is None):
            raise ValueError("give either a private key (private_key_jwt) or a secret")
        self.token_endpoint = token_endpoint
        self.client_id = client_id
        self._key, self._secret, self._scope = key, secret, scope
        self._http = http or httpx2.Client(timeout=30)
        self._leeway, self._clock = leeway, clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self.fetched = 0  # how many tokens were requested, for the curious

    def token(self) -> str:
        with self._lock:
            token = self._token
            if token is None or self._clock() >= self._expires_at - self._leeway:
                token = self._fetch()
            return token

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def assertion(self) -> str:
        """The client assertion of RFC 7523 §3: by and about the client, for the token
        endpoint, short-lived and used once (`jti`)."""
        if self._key is None:
            raise ValueError("no private key")
        now = int(self._clock())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_endpoint,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": secrets.token_urlsafe(16),
        }
        alg = _algorithm(self._key)
        header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
        if self._key.kid:
            header["kid"] = self._key.kid
        return jwt.encode(header, claims, self._key, algorithms=[alg])

    def _fetch(self) -> str:
        form = {"grant_type": "client_credentials"}
        if self._scope:
            form["scope"] = self._scope
        headers: dict[str, str] = {}
        if self._key is not None:
            form |= {"client_assertion_type": ASSERTION_TYPE, "client_assertion": self.assertion()}
            form["client_id"] = self.client_id
        else:
            pair = f"{quote(self.client_id, safe='')}:{quote(self._secret or '', safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        started = self._clock()
        response = self._http.post(self.token_endpoint, data=form, headers=headers)
        if response.status_code != 200:
            raise GatewayError(response.status_code, _problem(response))
        body = response.json()
        token = self._token = str(body["access_token"])
        self._expires_at = started + float(body["expires_in"])
        self.fetched += 1
        return token


def _problem(response: httpx2.Response) -> dict[str, Any]:
    try:
        found = response.json()
    except ValueError:
        return {"detail": response.reason_phrase}
    return found if isinstance(found, dict) else {"detail": str(found)}


class GatewayClient:
    """One organisation's calls; `actor` is the opaque id of the person acting."""

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        key: Key | None = None,
        secret: str | None = None,
        actor: str,
        actor_role: str | None = None,
        http: httpx2.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http or httpx2.Client(base_url=self.base_url, timeout=30)
        metadata = self._get_json("/.well-known/oauth-authorization-server")
        self.issuer = str(metadata["issuer"])
        self._jwks_uri = str(metadata["jwks_uri"])
        self.tokens = TokenSource(
            str(metadata["token_endpoint"]),
            client_id,
            key=key,
            secret=secret,
            http=self.http,
            clock=clock,
        )
        self.actor, self.actor_role = actor, actor_role

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> GatewayClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------

    def _get_json(self, path: str) -> dict[str, Any]:
        response = self.http.get(path)
        if response.status_code != 200:
            raise GatewayError(response.status_code, _problem(response))
        found: dict[str, Any] = response.json()
        return found

    def _headers(self, purpose: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens.token()}"}
        if purpose is not None:
            headers |= {"X-Purpose": purpose, "X-Actor": self.actor}
            if self.actor_role:
                headers["X-Actor-Role"] = self.actor_role
        return headers

    def request(
        self, method: str, path: str, *, purpose: str | None = None, **kwargs: Any
    ) -> httpx2.Response:
        """One call with a fresh enough token; a token refused as expired is renewed
        and the call made once more."""
        extra = kwargs.pop("headers", {})
        for _ in range(2):
            response = self.http.request(
                method, path, headers={**self._headers(purpose), **extra}, **kwargs
            )
            if response.status_code != 401:
                break
            self.tokens.invalidate()
        if response.status_code >= 400:
            raise GatewayError(response.status_code, _problem(response))
        return response

    # -- transfers -------------------------------------------------------------------

    def push_json(
        self,
        *,
        recipient: str,
        purpose: str,
        subject: dict[str, str],
        dossier: dict[str, Any],
        inzage: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        body = {"recipient": recipient, "subject": subject, "dossier": dossier, "inzage": inzage}
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        response = self.request(
            "POST", "/v1/transfers", purpose=purpose, json=body, headers=headers
        )
        created: dict[str, Any] = response.json()
        return created

    def push_oso(
        self,
        xml: bytes,
        *,
        recipient: str,
        purpose: str,
        subject_ref: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """An OSO 2019.1 dossier as XML; a profile without BSN names the pupil by the
        sender's own `subject_ref`."""
        params = {"recipient": recipient} | ({"subject_ref": subject_ref} if subject_ref else {})
        headers = {"Content-Type": "application/xml"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        response = self.request(
            "POST", "/v1/transfers", purpose=purpose, params=params, content=xml, headers=headers
        )
        created: dict[str, Any] = response.json()
        return created

    def inbox(self, *, purpose: str) -> list[dict[str, Any]]:
        """Every transfer addressed to the organisation, newest first (all pages)."""
        items: list[dict[str, Any]] = []
        params: dict[str, str] = {"box": "inbox"}
        while True:
            page = self.request("GET", "/v1/transfers", purpose=purpose, params=params).json()
            items += page["items"]
            if not page.get("next"):
                return items
            params["cursor"] = page["next"]

    def read(self, transfer_id: str, *, purpose: str, as_xml: bool = False) -> Any:
        """The dossier as the flow releases it; as OSO XML bytes with `as_xml`."""
        headers = {"Accept": "application/xml"} if as_xml else {}
        response = self.request(
            "GET", f"/v1/transfers/{transfer_id}", purpose=purpose, headers=headers
        )
        return response.content if as_xml else response.json()

    # -- notifications ---------------------------------------------------------------

    def notifications(self, after: str | None = None) -> dict[str, Any]:
        """The next page of notifications after `after` (None: from the start)."""
        params = {"after": after} if after else {}
        found: dict[str, Any] = self.request("GET", "/v1/notifications", params=params).json()
        return found

    def register_webhook(self, url: str, events: list[str]) -> dict[str, Any]:
        response = self.request(
            "POST",
            "/v1/webhooks",
            json={"url": url, "events": events},
            headers={"X-Actor": self.actor},
        )
        created: dict[str, Any] = response.json()
        return created

    def jwks(self) -> dict[str, Any]:
        response = self.http.get(self._jwks_uri)
        if response.status_code != 200:
            raise GatewayError(response.status_code, _problem(response))
        found: dict[str, Any] = response.json()
        return found

    # -- consent receipts ------------------------------------------------------------

    def verify_receipt(self, receipt: str) -> dict[str, Any]:
        """The claims of a consent receipt, once its signature verifies against the
        gateway's JWKS and it names this gateway as issuer; else `ValueError`."""
        try:
            token = jwt.decode(receipt, KeySet.import_key_set(self.jwks()), algorithms=["Ed25519"])  # type: ignore[arg-type]
        except JoseError as exc:
            raise ValueError("the receipt does not verify") from exc
        if token.header.get("typ") != RECEIPT_TYPE or token.claims.get("iss") != self.issuer:
            raise ValueError("not a consent receipt of this gateway")
        return dict(token.claims)
