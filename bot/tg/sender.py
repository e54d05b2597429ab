"""The digest :class:`~bot.digest.delivery.Sender` over a python-telegram-bot ``Bot``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.digest.delivery import ChatGone, ChatMoved, SendError, TransientSendError
from bot.present.render import strip_tags
from bot.tg.io import is_entity_error
from bot.tg.ratelimit import BEFORE_REQUEST, StrictRateLimiter


class TelegramSender:
    """Maps Telegram's answers to what the delivery engine should do."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        # Only our limiter calls BEFORE_REQUEST; with any other (or none) we call it ourselves.
        self._limiter_calls_hook = isinstance(getattr(bot, "rate_limiter", None), StrictRateLimiter)

    async def send(
        self,
        chat_id: int,
        html: str,
        *,
        before_request: Callable[[], Awaitable[None]] | None = None,
    ) -> int:
        """Send one HTML message (plain text if Telegram rejects the markup).

        ``before_request`` is awaited right before each attempt leaves for Telegram — after the
        rate limiter's waits when the bot uses :class:`StrictRateLimiter`.
        """
        if before_request is not None and not self._limiter_calls_hook:
            await before_request()
            before_request = None
        token = BEFORE_REQUEST.set(before_request)
        try:
            return await self._send(chat_id, html)
        finally:
            BEFORE_REQUEST.reset(token)

    async def _send(self, chat_id: int, html: str) -> int:
        try:
            try:
                message = await self.bot.send_message(
                    chat_id,
                    html,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except BadRequest as exc:
                if not is_entity_error(exc):
                    raise
                message = await self.bot.send_message(
                    chat_id, strip_tags(html)[:4096], parse_mode=None
                )
            return message.message_id
        except ChatMigrated as exc:
            raise ChatMoved(exc.new_chat_id) from exc
        except Forbidden as exc:
            raise ChatGone(exc.message) from exc
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                raise ChatGone(exc.message) from exc
            raise SendError(exc.message) from exc
        except RetryAfter as exc:
            # The rate limiter already retried; treat what is left as transient.
            raise TransientSendError(exc.message) from exc
        except (TimedOut, NetworkError) as exc:
            raise TransientSendError(str(exc)) from exc
        except TelegramError as exc:
            # Anything else Telegram says (409, 401, …) is this chat's failure, reported to the
            # admins; it must not escape and stop the other chats' digests.
            raise SendError(f"{type(exc).__name__}: {exc.message}") from exc
