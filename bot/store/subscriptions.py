"""Digest subscriptions: per-chat settings and schedule (SQL only; times are naive UTC)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from bot.errors import NotFound
from bot.store.db import Database, chats, deliveries, documents, subscriptions, utcnow
from bot.timeutil import DEFAULT_DIGEST_TIME, TIMEZONE, next_due, parse_time, parse_timezone


@dataclass
class Subscription:
    """A chat's digest settings. Times are naive UTC."""

    chat_id: int
    enabled: bool
    send_time: str
    timezone: str
    topics: list[str] | None
    notify_empty: bool
    last_doc_id: int
    last_sent_at: datetime | None
    next_due_at: datetime | None
    failures: int
    last_error: str | None
    disabled_reason: str | None


def _row(row: sa.Row) -> Subscription:
    return Subscription(
        chat_id=row.chat_id,
        enabled=bool(row.enabled),
        send_time=row.send_time,
        timezone=row.timezone,
        topics=json.loads(row.topics) if row.topics else None,
        notify_empty=bool(row.notify_empty),
        last_doc_id=row.last_doc_id or 0,
        last_sent_at=row.last_sent_at,
        next_due_at=row.next_due_at,
        failures=row.failures or 0,
        last_error=row.last_error,
        disabled_reason=row.disabled_reason,
    )


class SubscriptionStore:
    """Reads and changes digest settings."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, chat_id: int) -> Subscription | None:
        """The chat's subscription, or None."""
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(subscriptions).where(subscriptions.c.chat_id == chat_id)
            ).first()
        return _row(row) if row else None

    def require(self, chat_id: int) -> Subscription:
        """Like :meth:`get` but raises :class:`NotFound`."""
        sub = self.get(chat_id)
        if sub is None:
            raise NotFound(f"chat {chat_id} has no digest subscription")
        return sub

    def count_enabled(self) -> int:
        """Chats that receive the digest."""
        with self.db.begin() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(subscriptions)
                    .where(subscriptions.c.enabled.is_(True))
                ).scalar()
                or 0
            )

    def list(self) -> list[Subscription]:
        """All subscriptions."""
        with self.db.begin() as conn:
            rows = conn.execute(sa.select(subscriptions).order_by(subscriptions.c.chat_id)).all()
        return [_row(r) for r in rows]

    def enable(
        self,
        chat_id: int,
        send_time: str | None = None,
        *,
        now: datetime | None = None,
        start_after_doc: int | None = None,
    ) -> Subscription:
        """Turn the digest on (default 07:00 in the chat's zone); new chats start from now."""
        now = now or utcnow()
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(subscriptions).where(subscriptions.c.chat_id == chat_id)
            ).first()
            if row is None:
                when = parse_time(send_time or DEFAULT_DIGEST_TIME)
                # A new subscriber gets what arrives from now on, not the whole archive.
                start = (
                    start_after_doc
                    if start_after_doc is not None
                    else int(conn.execute(sa.select(sa.func.max(documents.c.id))).scalar() or 0)
                )
                conn.execute(
                    subscriptions.insert().values(
                        chat_id=chat_id,
                        enabled=True,
                        send_time=when,
                        timezone=TIMEZONE,
                        topics=None,
                        notify_empty=False,
                        last_doc_id=start,
                        next_due_at=next_due(when, TIMEZONE, now),
                        failures=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
            else:
                when = parse_time(send_time) if send_time else row.send_time
                conn.execute(
                    subscriptions.update()
                    .where(subscriptions.c.chat_id == chat_id)
                    .values(
                        enabled=True,
                        send_time=when,
                        disabled_reason=None,
                        failures=0,
                        next_due_at=next_due(when, row.timezone, now),
                        updated_at=now,
                    )
                )
        return self.require(chat_id)

    def disable(self, chat_id: int, reason: str | None = None) -> None:
        """Turn the digest off (kept, so /digest on resumes with the same settings)."""
        with self.db.begin() as conn:
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == chat_id)
                .values(enabled=False, disabled_reason=reason, updated_at=utcnow())
            )

    def set_topics(self, chat_id: int, topics: list[str] | None) -> Subscription:
        """Only these topic slugs (None or [] = all)."""
        self.require(chat_id)
        with self.db.begin() as conn:
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == chat_id)
                .values(topics=json.dumps(topics) if topics else None, updated_at=utcnow())
            )
        return self.require(chat_id)

    def set_timezone(
        self, chat_id: int, tz_name: str, *, now: datetime | None = None
    ) -> Subscription:
        """Change the chat's time zone and reschedule."""
        tz_name = parse_timezone(tz_name)
        sub = self.require(chat_id)
        with self.db.begin() as conn:
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == chat_id)
                .values(
                    timezone=tz_name,
                    next_due_at=next_due(sub.send_time, tz_name, now or utcnow()),
                    updated_at=utcnow(),
                )
            )
        return self.require(chat_id)

    def set_notify_empty(self, chat_id: int, value: bool) -> Subscription:
        """Whether a day with nothing new sends one short line."""
        self.require(chat_id)
        with self.db.begin() as conn:
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == chat_id)
                .values(notify_empty=value, updated_at=utcnow())
            )
        return self.require(chat_id)

    def move(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its subscription and history follow it."""
        with self.db.begin() as conn:
            exists = conn.execute(
                sa.select(subscriptions.c.chat_id).where(subscriptions.c.chat_id == new_chat_id)
            ).first()
            if exists is None:
                conn.execute(
                    subscriptions.update()
                    .where(subscriptions.c.chat_id == old_chat_id)
                    .values(chat_id=new_chat_id, updated_at=utcnow())
                )
            else:
                conn.execute(subscriptions.delete().where(subscriptions.c.chat_id == old_chat_id))
            conn.execute(
                deliveries.update()
                .where(deliveries.c.chat_id == old_chat_id)
                .values(chat_id=new_chat_id)
            )
            chat_exists = conn.execute(
                sa.select(chats.c.chat_id).where(chats.c.chat_id == new_chat_id)
            ).first()
            if chat_exists is None:
                conn.execute(
                    chats.update()
                    .where(chats.c.chat_id == old_chat_id)
                    .values(chat_id=new_chat_id, updated_at=utcnow())
                )
