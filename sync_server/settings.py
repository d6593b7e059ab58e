"""Server settings, read from ``PLAYBOOK_SYNC_*`` environment variables."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLAYBOOK_SYNC_", extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/playbook"
    # Signs access tokens. Every worker must share it; `serve` refuses to start without it.
    secret_key: SecretStr | None = None
    access_token_seconds: int = 300
    refresh_token_days: int = 30
    retention_days: int = 90
    max_body_bytes: int = 1_048_576
    login_attempts_per_minute: int = 10
    push_requests_per_minute: int = 120
    pull_page_max: int = 1000
    db_pool_size: int = 10
    # How long a request waits for a free database connection before the server answers
    # 503 "busy" (clients back off and retry) instead of queueing without end.
    db_pool_timeout_seconds: float = 10.0
    # Idle keep-alive connections stay open this long; longer than the load balancer's
    # idle timeout, so the balancer never reuses a connection the server just closed.
    keep_alive_seconds: int = 75
    log_level: str = "INFO"

    @property
    def async_database_url(self) -> str:
        """The URL with the asyncpg driver, whatever scheme the operator wrote."""
        url = self.database_url
        for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        return url
