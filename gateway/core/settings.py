"""Settings from `GATEWAY_` environment variables, read once and injected."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("var")
    # Empty means the embedded default: SQLite in `data_dir`.
    database_url: str = ""
    # The issuer of access tokens and the base of the metadata; also the audience.
    issuer: str = "http://127.0.0.1:8000"
    region: str = "demo"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    max_body_bytes: int = 5 * 1024 * 1024
    log_level: str = "INFO"
    log_json: bool = True

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gateway.db').resolve()}"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer.rstrip('/')}/oauth/token"


@lru_cache
def get_settings() -> Settings:
    return Settings()
