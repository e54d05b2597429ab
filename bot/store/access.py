"""Users and groups: who is allowed or denied, and each user's language (SQL only)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bot.store.db import Database, chats, users, utcnow


@dataclass(frozen=True)
class UserRecord:
    """A row of the allowlist."""

    user_id: int
    status: str
    lang: str | None
    note: str | None


@dataclass(frozen=True)
class ChatRecord:
    """A group the bot knows."""

    chat_id: int
    title: str | None
    allowed: bool
    member: bool
    seen: bool = True  # the bot has been in it (allowed from the CLI only: not yet)


class AccessStore:
    """The ``users`` and ``chats`` tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def user_status(self, user_id: int) -> str | None:
        """``allowed``, ``denied``, ``unknown`` (a language row only) or None."""
        with self.db.begin() as conn:
            return conn.execute(
                sa.select(users.c.status).where(users.c.user_id == user_id)
            ).scalar()

    def chat_allowed(self, chat_id: int) -> bool:
        """True when an admin allowed this group."""
        with self.db.begin() as conn:
            allowed = conn.execute(
                sa.select(chats.c.allowed).where(chats.c.chat_id == chat_id)
            ).scalar()
        return bool(allowed)

    def set_user(self, user_id: int, status: str, note: str | None = None) -> None:
        """Insert or update a user's status."""
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
        label: str | None = None,
    ) -> None:
        """Record a group: whether it is allowed and whether the bot is in it. ``label``:
        the admin's name for it, its title until the bot sees the group's own."""
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
                if label and title is None:
                    values["title"] = label
                conn.execute(chats.insert().values(chat_id=chat_id, created_at=now, **values))
            elif label and title is None:
                untitled = (chats.c.chat_id == chat_id) & chats.c.title.is_(None)
                conn.execute(chats.update().where(untitled).values(title=label))

    def list_users(self) -> list[UserRecord]:
        """The allowlist, newest first."""
        with self.db.begin() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.updated_at.desc())).all()
        return [UserRecord(r.user_id, r.status, r.lang, r.note) for r in rows]

    def list_chats(self) -> list[ChatRecord]:
        """Known groups."""
        with self.db.begin() as conn:
            rows = conn.execute(sa.select(chats).order_by(chats.c.chat_id)).all()
        return [
            ChatRecord(r.chat_id, r.title, bool(r.allowed), bool(r.member), r.type is not None)
            for r in rows
        ]

    def user_lang(self, user_id: int) -> str | None:
        """The language a user chose, if any."""
        with self.db.begin() as conn:
            return conn.execute(sa.select(users.c.lang).where(users.c.user_id == user_id)).scalar()

    def chat_lang(self, chat_id: int) -> str | None:
        """The language a group chose, if any."""
        with self.db.begin() as conn:
            return conn.execute(sa.select(chats.c.lang).where(chats.c.chat_id == chat_id)).scalar()

    def set_lang(self, user_id: int, lang: str, *, status_if_new: str) -> None:
        """Remember a user's language; a new row gets ``status_if_new``."""
        now = utcnow()
        with self.db.begin() as conn:
            updated = conn.execute(
                users.update().where(users.c.user_id == user_id).values(lang=lang, updated_at=now)
            ).rowcount
            if not updated:
                conn.execute(
                    users.insert().values(
                        user_id=user_id,
                        status=status_if_new,
                        lang=lang,
                        created_at=now,
                        updated_at=now,
                    )
                )
