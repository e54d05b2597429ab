"""Settings for tests: temporary databases, isolated from the developer's environment."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bot.config import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _pg_reachable(url: str) -> bool:
    if not url:
        return False
    parsed = urlparse(url.replace("postgresql+psycopg", "postgresql"))
    try:
        socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=2
        ).close()
    except OSError:
        return False
    return True


PG_AVAILABLE = _pg_reachable(PG_URL)
requires_pg = pytest.mark.skipif(
    not PG_AVAILABLE, reason="TEST_DATABASE_URL not set or no server answers"
)


def make_settings(tmp_path: Path, url: str, **overrides: object) -> Settings:
    """Settings isolated from the developer's environment and .env file."""
    values: dict[str, object] = {
        "database_url": url,
        "data_dir": tmp_path / "data",
        "index_dir": tmp_path / "index",
        "telegram_bot_token": "",
        "admin_ids": [],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
