"""Who may use the bot: admins, the allowlist, allowed groups, languages and rate limits."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa

from bot.errors import InputError
from bot.present.messages import DEFAULT_LANG, LANGS
from bot.store.db import Database, chats, users, utcnow


@dataclass(frozen=True)
class UserRecord:
    """A row of the allowlist."""

    user_id: int
    status: str
    lang: str | None
    note: str | None


class AccessPolicy:
    """Decides access. ``mode`` is ``open`` (anyone) or ``allowlist`` (admins + allowed ids)."""

    def __init__(self, db: Database, *, admin_ids: list[int], mode: str) -> None:
        self.db = db
        self.admin_ids = frozenset(admin_ids)
        self.mode = mode

    def is_admin(self, user_id: int | None) -> bool:
        """True for the bot's admins (ADMIN_IDS)."""
        return user_id is not None and user_id in self.admin_ids

    def user_allowed(self, user_id: int) -> bool:
        """May this user talk to the bot in private or use inline mode?"""
        if self.is_admin(user_id):
            return True
        with self.db.begin() as conn:
            status = conn.execute(
                sa.select(users.c.status).where(users.c.user_id == user_id)
            ).scalar()
        if status == "denied":
            return False
        return self.mode == "open" or status == "allowed"

    def user_denied(self, user_id: int) -> bool:
        """True for a user an admin removed with ``/deny``: denied everywhere, groups too."""
        if self.is_admin(user_id):
            return False
        with self.db.begin() as conn:
            status = conn.execute(
                sa.select(users.c.status).where(users.c.user_id == user_id)
            ).scalar()
        return status == "denied"

    def chat_allowed(self, chat_id: int) -> bool:
        """May this group use the bot? Open mode allows every group."""
        if self.mode == "open":
            return True
        with self.db.begin() as conn:
            allowed = conn.execute(
                sa.select(chats.c.allowed).where(chats.c.chat_id == chat_id)
            ).scalar()
        return bool(allowed)

    def set_user(self, user_id: int, status: str, note: str | None = None) -> None:
        """Allow or deny a user id."""
        if status not in {"allowed", "denied"}:
            raise InputError(f"unknown status {status!r}")
        now = utcnow()
        with self.db.begin() as conn:
            updated = conn.execute(
                users.update()
                .where(users.c.user_id == user_id)
                .values(status=status, updated_at=now, **({"note": note} if note else {}))
            ).rowcount
            if not updated:
                conn.execute(
                    users.insert().values(
                        user_id=user_id, status=status, note=note, created_at=now, updated_at=now
                    )
                )

    def set_chat(
        self,
        chat_id: int,
        *,
        allowed: bool | None = None,
        member: bool | None = None,
        title: str | None = None,
        chat_type: str | None = None,
    ) -> None:
        """Record a group: whether it is allowed and whether the bot is in it."""
        now = utcnow()
        values: dict[str, object] = {"updated_at": now}
        if allowed is not None:
            values["allowed"] = allowed
        if member is not None:
            values["member"] = member
        if title is not None:
            values["title"] = title
        if chat_type is not None:
            values["type"] = chat_type
        with self.db.begin() as conn:
            updated = conn.execute(
                chats.update().where(chats.c.chat_id == chat_id).values(**values)
            ).rowcount
            if not updated:
                values.setdefault("allowed", False)
                values.setdefault("member", True)
                conn.execute(chats.insert().values(chat_id=chat_id, created_at=now, **values))

    def allow(self, target_id: int) -> None:
        """Allow a user (positive id) or a group (negative id)."""
        if target_id < 0:
            self.set_chat(target_id, allowed=True)
        else:
            self.set_user(target_id, "allowed")

    def deny(self, target_id: int) -> None:
        """Deny a user or a group."""
        if target_id < 0:
            self.set_chat(target_id, allowed=False)
        else:
            self.set_user(target_id, "denied")

    def list_users(self) -> list[UserRecord]:
        """The allowlist, newest first."""
        with self.db.begin() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.updated_at.desc())).all()
        return [UserRecord(r.user_id, r.status, r.lang, r.note) for r in rows]

    def list_chats(self) -> list[tuple[int, str | None, bool, bool]]:
        """Known groups: ``(chat_id, title, allowed, member)``."""
        with self.db.begin() as conn:
            rows = conn.execute(sa.select(chats).order_by(chats.c.chat_id)).all()
        return [(r.chat_id, r.title, bool(r.allowed), bool(r.member)) for r in rows]

    def get_lang(self, user_id: int | None) -> str:
        """The user's language (Vietnamese unless they chose English)."""
        if user_id is None:
            return DEFAULT_LANG
        with self.db.begin() as conn:
            lang = conn.execute(sa.select(users.c.lang).where(users.c.user_id == user_id)).scalar()
        return lang if lang in LANGS else DEFAULT_LANG

    def set_lang(self, user_id: int, lang: str) -> None:
        """Remember a user's language without changing their access."""
        if lang not in LANGS:
            raise InputError(f"unsupported language {lang!r}")
        now = utcnow()
        with self.db.begin() as conn:
            updated = conn.execute(
                users.update().where(users.c.user_id == user_id).values(lang=lang, updated_at=now)
            ).rowcount
            if not updated:
                # A row only for the language: in allowlist mode it grants nothing.
                status = "allowed" if self.mode == "open" or self.is_admin(user_id) else "unknown"
                conn.execute(
                    users.insert().values(
                        user_id=user_id, status=status, lang=lang, created_at=now, updated_at=now
                    )
                )


class RateLimiter:
    """A token bucket per key: ``rate`` actions per ``per`` seconds, bursts up to ``rate``."""

    def __init__(self, rate: int, per: float = 60.0, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.rate = max(1, rate)
        self.per = per
        self.clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}
        self._warned: set[int] = set()
        self._lock = threading.Lock()

    def hit(self, key: int) -> float:
        """Take a token; returns 0 when allowed, else the seconds until the next token."""
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(key, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - last) * self.rate / self.per)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                self._warned.discard(key)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) * self.per / self.rate

    def should_warn(self, key: int) -> bool:
        """True once per limited streak, so a flooder gets one warning, not one per message."""
        with self._lock:
            if key in self._warned:
                return False
            self._warned.add(key)
            return True
