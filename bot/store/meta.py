"""The ``meta`` table: the database's identity and short leases between processes (SQL only)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from bot.errors import StoreError
from bot.store.db import Database, meta, utcnow

DB_ID_KEY = "db_instance_id"
_LOCKS = {"classifier.reclassify_lease": 724302}  # PostgreSQL advisory lock per lease key


class MetaStore:
    """Small key/value records shared by every process using the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> str | None:
        """The value of ``key``, or None."""
        with self.db.begin() as conn:
            return conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()

    def instance_id(self) -> str:
        """This database's id (created on first use): a derived index built from another
        database (a replaced or restored one) is told apart by it."""
        value = self.get(DB_ID_KEY)
        if value:
            return str(value)
        new = uuid.uuid4().hex
        try:
            with self.db.begin() as conn:
                conn.execute(meta.insert().values(key=DB_ID_KEY, value=new))
        except StoreError:
            pass  # another process inserted it first; read theirs
        return str(self.get(DB_ID_KEY) or new)

    def claim_lease(self, key: str, scope: str, owner: str, duration: timedelta) -> bool:
        """Take or renew the lease ``key`` for ``scope`` (e.g. a model version); False when
        another live owner holds it for the same scope."""
        now = utcnow()
        with self.db.begin() as conn:
            if self.db.is_postgres:
                conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_LOCKS.get(key, 724399)})"))
            current = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
            if current:
                parts = current.split(" ", 2)
                if len(parts) == 3:
                    held_scope, until, holder = parts
                    if holder != owner and held_scope == scope and until > now.isoformat():
                        return False
            value = f"{scope} {(now + duration).isoformat()} {owner}"
            if (
                conn.execute(meta.update().where(meta.c.key == key).values(value=value)).rowcount
                == 0
            ):
                conn.execute(meta.insert().values(key=key, value=value))
        return True

    def release_lease(self, key: str, owner: str) -> None:
        """Give the lease back if ``owner`` holds it."""
        with self.db.begin() as conn:
            current = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
            if (current or "").endswith(" " + owner):
                conn.execute(meta.delete().where(meta.c.key == key))
