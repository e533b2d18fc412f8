"""Settings from `GATEWAY_` environment variables, read once and injected."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("var")
    # Empty means the embedded default: SQLite in `data_dir`.
    database_url: str = ""
    # The issuer of access tokens and the base of the metadata; also the audience, and the
    # issuer of consent receipts. `gateway serve` sets it to the address it serves unless
    # GATEWAY_ISSUER names one (`served_issuer`); this default is `serve`'s own address.
    issuer: str = "http://127.0.0.1:8000"
    region: str = "demo"
    # How many days before a TLV ends the SWV lists it for herbeoordeling (the region's
    # choice; `GET /v1/tlvs?due=herbeoordeling&within_days=` overrides it per call).
    tlv_herbeoordeling_days: int = Field(default=90, ge=0, le=730)
    # The verwijsindex (DOMAIN flows 12 and 13) runs only while both this and the region's
    # catalog setting say so; off, every signal call is refused 403 flow_not_allowed.
    verwijsindex: bool = True
    # Signals one organisation may register per window; past it 429 and one alert per
    # window to its privacy officer (someone fishing for who is involved with whom).
    signals_rate_limit: int = Field(default=100, ge=1, le=10_000_000)
    signals_rate_window_seconds: int = Field(default=3600, ge=60, le=7 * 86400)
    # Days a signal may lack its informing record before the reporter is reminded (and
    # again after as many days while it is still missing).
    signals_inform_reminder_days: int = Field(default=14, ge=1, le=365)
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    max_body_bytes: int = 5 * 1024 * 1024
    # Pushes worked on at once per process (the rest wait their turn, not refused).
    # Python runs one thread at a time: more add no throughput and only compete with
    # the push that holds the database's write lock, so that it holds it longer.
    push_concurrency: int = Field(default=2, ge=1, le=64)
    # API requests worked on at once per process; past it a request is answered 503 with
    # Retry-After at once instead of queueing without bound. 0: no limit.
    max_in_flight: int = Field(default=64, ge=0, le=10_000)
    log_level: str = "INFO"
    # The audit log's signed checkpoints (README, "Tamper-evident audit log"): the name
    # the log signs under (empty: `<issuer host>/audit`), a new checkpoint once this many
    # entries were appended or this many seconds passed with any (0: only by
    # `gateway audit checkpoint`), and an external witness each one is handed to: a file
    # path (signed notes appended) or an http(s) URL (each note POSTed). Empty: none.
    audit_log_origin: str = ""
    audit_checkpoint_entries: int = Field(default=1000, ge=1)
    audit_checkpoint_interval_seconds: int = Field(default=300, ge=0)
    audit_witness: str = ""
    # The retention job (`gateway retention run`) runs in every serving process this
    # often, the first time a minute after the start; 0: only from the command line.
    retention_interval_seconds: int = Field(default=86400, ge=0)
    # Webhook delivery (README, "Notifications and webhooks"): a failed POST is tried
    # again after base * 2^(n-1) seconds, at most `cap`, with jitter; after
    # `max_attempts` it is dead-lettered. A worker's claim on a delivery lasts
    # `lease_seconds` (longer than a POST may take), then another worker may retake it.
    # `gateway serve` runs a delivery thread too when `delivery_in_serve` is set.
    delivery_backoff_base_seconds: float = Field(default=10.0, gt=0, le=3600)
    delivery_backoff_cap_seconds: float = Field(default=3600.0, gt=0, le=86400)
    delivery_max_attempts: int = Field(default=8, ge=1, le=50)
    delivery_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    delivery_lease_seconds: int = Field(default=60, ge=1, le=3600)
    delivery_poll_seconds: float = Field(default=2.0, gt=0, le=600)
    delivery_in_serve: bool = False
    # glibc's allocator kept the freed request bodies of a long-running server as free
    # space it never returned (gateway/core/memory.py); false leaves it as it is.
    malloc_tuning: bool = True
    log_json: bool = True
    # The parents' portal logs people in with OpenID Connect at this provider. Empty:
    # the portal serves its pages but cannot log anyone in.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    # The ID-token (or userinfo) claim that carries the person's BSN; DigiD asserts it.
    oidc_bsn_claim: str = "sub"
    # The privacy officer's pages: the FG role and organisation read from these claims,
    # only when the deployment trusts its IdP to assert them; otherwise an FG is
    # registered per organisation (`gateway orgs officer add`).
    oidc_trust_role_claims: bool = False
    oidc_roles_claim: str = "roles"
    oidc_org_claim: str = "org"
    oidc_fg_role: str = "fg"
    # The FG's alerts, over the last `fg_alert_days` days: a day's denials at least
    # `fg_spike_factor` times the trailing median (and at least `fg_spike_min`); a
    # person's reads at least `fg_volume_factor` times the organisation's median (and
    # at least `fg_volume_min`).
    fg_alert_days: int = Field(default=14, ge=2, le=92)
    fg_spike_factor: float = Field(default=3.0, gt=1)
    fg_spike_min: int = Field(default=5, ge=1)
    fg_volume_factor: float = Field(default=5.0, gt=1)
    fg_volume_min: int = Field(default=20, ge=1)
    # Seals what a portal session keeps of the person. Empty: the key file in `keys_dir`.
    session_secret: SecretStr = SecretStr("")
    session_idle_seconds: int = Field(default=900, ge=60, le=3600)
    session_max_seconds: int = Field(default=7200, ge=300, le=43200)
    # The register of processing (AVG art. 30): the operator of the gateway as controller
    # of what the gateway itself does, the DPIA, and where the processing happens
    # (countries as ISO 3166-1 alpha-2, so that a transfer outside the EEA shows).
    operator_name: str = ""
    operator_contact: str = ""
    operator_privacy_officer: str = ""
    dpia_reference: str = ""
    hosting_name: str = ""
    hosting_country: str = ""
    # The portal's identity provider; its name defaults to `oidc_issuer`.
    idp_name: str = ""
    idp_country: str = ""

    @model_validator(mode="after")
    def _production_needs_a_real_idp(self) -> Self:
        if self.environment == "production" and self.oidc_issuer:
            parts = urlsplit(self.oidc_issuer)
            if parts.scheme != "https" or parts.hostname in LOOPBACK_HOSTS:
                raise ValueError(
                    "production mode refuses an OIDC issuer that is not https on a real host"
                )
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_post(self) -> Self:
        if self.delivery_lease_seconds <= self.delivery_timeout_seconds:
            raise ValueError("delivery_lease_seconds must exceed delivery_timeout_seconds")
        return self

    @property
    def local_http(self) -> bool:
        """Development on http://127.0.0.1 or localhost: the only place cookies go unsecured."""
        parts = urlsplit(self.issuer)
        return (
            self.environment == "development"
            and parts.scheme == "http"
            and parts.hostname in LOOPBACK_HOSTS
        )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gateway.db').resolve()}"

    @property
    def audit_origin(self) -> str:
        return self.audit_log_origin or f"{urlsplit(self.issuer).netloc}/audit"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer.rstrip('/')}/oauth/token"


# Listening on every interface names no address a client could use: the loopback one is
# what `serve` can vouch for; a gateway reached from elsewhere names itself (GATEWAY_ISSUER).
_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104


def served_issuer(host: str, port: int) -> str:
    """The issuer of a gateway served on `host`:`port` over plain HTTP."""
    host = _WILDCARD_HOSTS.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
