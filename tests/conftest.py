"""Shared fixtures: settings on a temporary database (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
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


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL pointing at a fresh schema, dropped afterwards."""
    if not PG_AVAILABLE:
        pytest.skip("TEST_DATABASE_URL not set or no server answers")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    base = (
        PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        if PG_URL.startswith("postgresql://")
        else PG_URL
    )
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for each backend: a temporary SQLite file, and PostgreSQL if reachable."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A temporary SQLite database."""
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


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


@pytest.fixture
def settings(tmp_path: Path, sqlite_url: str) -> Settings:
    """Settings on a temporary SQLite database."""
    return make_settings(tmp_path, sqlite_url)


@pytest.fixture
def services(settings: Settings) -> Iterator[object]:
    """Services on a temporary SQLite database."""
    from bot.services import Services

    svc = Services(settings)
    yield svc
    svc.close()
