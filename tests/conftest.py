"""Shared fixtures: settings on a temporary database (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.config import Settings
from tests.auxil.bots import Bot, running_bot
from tests.auxil.settings import PG_AVAILABLE, PG_URL, SEEDS, make_settings, requires_pg

__all__ = ["SEEDS", "make_settings", "requires_pg"]

# No per-example deadline: a loaded CI machine runs an example several times slower than a
# laptop, and a property that holds is not made false by a slow run (speed has its own tests).
hypothesis_settings.register_profile("partybot", deadline=None)
hypothesis_settings.load_profile("partybot")


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """Seeded services, the fake Bot API and the polling Application (the shared fixture)."""
    async with running_bot(
        f"sqlite:///{tmp_path / 'bot.sqlite3'}", tmp_path, rate_limit_per_minute=20
    ) as running:
        yield running


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
