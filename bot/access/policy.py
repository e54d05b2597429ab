"""Who may use the bot: admins (``ADMIN_IDS``), the allowlist, allowed groups, languages.

The rules live here; the rows live in :class:`~bot.store.access.AccessStore`.

* ``ACCESS_MODE=allowlist`` (default): admins, users an admin allowed, and groups an admin
  added the bot to or allowed. ``open``: everyone except denied users.
* A user an admin denied is denied everywhere, groups included.
"""

from __future__ import annotations

from bot.config import DEFAULT_LANG, LANGS
from bot.errors import InputError
from bot.store.access import AccessStore, ChatRecord, UserRecord

__all__ = ["AccessPolicy", "ChatRecord", "UserRecord"]


class AccessPolicy:
    """Decides access. ``mode`` is ``open`` (anyone) or ``allowlist`` (admins + allowed ids)."""

    def __init__(self, store: AccessStore, *, admin_ids: list[int], mode: str) -> None:
        self.store = store
        self.admin_ids = frozenset(admin_ids)
        self.mode = mode

    def is_admin(self, user_id: int | None) -> bool:
        """True for the bot's admins (ADMIN_IDS)."""
        return user_id is not None and user_id in self.admin_ids

    def user_allowed(self, user_id: int) -> bool:
        """May this user talk to the bot in private or use inline mode?"""
        if self.is_admin(user_id):
            return True
        status = self.store.user_status(user_id)
        if status == "denied":
            return False
        return self.mode == "open" or status == "allowed"

    def user_denied(self, user_id: int) -> bool:
        """True for a user an admin removed with ``/deny``: denied everywhere, groups too."""
        return not self.is_admin(user_id) and self.store.user_status(user_id) == "denied"

    def chat_allowed(self, chat_id: int) -> bool:
        """May this group use the bot? Open mode allows every group."""
        return self.mode == "open" or self.store.chat_allowed(chat_id)

    def chat_served(self, chat_id: int) -> bool:
        """Would the bot answer in this chat? A private chat's id is its user's id."""
        if chat_id > 0:
            return self.user_allowed(chat_id)
        return self.chat_allowed(chat_id)

    def set_user(self, user_id: int, status: str, note: str | None = None) -> None:
        """Allow or deny a user id."""
        if status not in {"allowed", "denied"}:
            raise InputError(f"unknown status {status!r}")
        self.store.set_user(user_id, status, note)

    def set_chat(self, chat_id: int, **values: object) -> None:
        """Record a group (see :meth:`AccessStore.set_chat`)."""
        self.store.set_chat(chat_id, **values)  # type: ignore[arg-type]

    def allow(self, target_id: int) -> None:
        """Allow a user (positive id) or a group (negative id)."""
        if target_id < 0:
            self.store.set_chat(target_id, allowed=True)
        else:
            self.set_user(target_id, "allowed")

    def deny(self, target_id: int) -> None:
        """Deny a user or a group."""
        if target_id < 0:
            self.store.set_chat(target_id, allowed=False)
        else:
            self.set_user(target_id, "denied")

    def list_users(self) -> list[UserRecord]:
        """The allowlist, newest first."""
        return self.store.list_users()

    def list_chats(self) -> list[ChatRecord]:
        """Known groups."""
        return self.store.list_chats()

    def get_lang(self, user_id: int | None) -> str:
        """The user's language (Vietnamese unless they chose English)."""
        if user_id is None:
            return DEFAULT_LANG
        lang = self.store.user_lang(user_id)
        return lang if lang in LANGS else DEFAULT_LANG

    def set_lang(self, user_id: int, lang: str) -> None:
        """Remember a user's language without changing their access."""
        if lang not in LANGS:
            raise InputError(f"unsupported language {lang!r}")
        # A row only for the language: in allowlist mode it grants nothing.
        status = "allowed" if self.mode == "open" or self.is_admin(user_id) else "unknown"
        self.store.set_lang(user_id, lang, status_if_new=status)
