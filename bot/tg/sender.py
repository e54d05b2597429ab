"""The digest :class:`~bot.digest.delivery.Sender` over a python-telegram-bot ``Bot``."""

from __future__ import annotations

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.digest.delivery import ChatGone, ChatMoved, SendError, TransientSendError
from bot.render import strip_tags


class TelegramSender:
    """Maps Telegram's answers to what the delivery engine should do."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, html: str) -> int:
        """Send one HTML message (plain text if Telegram rejects the markup)."""
        try:
            try:
                message = await self.bot.send_message(
                    chat_id,
                    html,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except BadRequest as exc:
                if "parse entities" not in exc.message.lower():
                    raise
                message = await self.bot.send_message(chat_id, strip_tags(html)[:4096])
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
            raise TransientSendError(str(exc)) from exc
        except (TimedOut, NetworkError) as exc:
            raise TransientSendError(str(exc)) from exc
