"""Sending replies: one place that turns a :class:`Reply` into Bot API calls.

Parse mode and link previews come from the application's ``Defaults`` (HTML, previews off).
If Telegram rejects our HTML (:func:`is_entity_error`, the one check for it) the reply goes
out again as plain text rather than failing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.present.conversation import Context as ChatContext
from bot.present.render import Reply, strip_tags
from bot.tg.context import Context, state

log = logging.getLogger(__name__)


async def run(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a blocking domain call off the event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)


async def ctx_for(update: Update, context: Context) -> ChatContext:
    """Language and role of the user behind an update."""
    st = state(context)
    user = update.effective_user
    user_id = user.id if user else None
    lang = await run(st.access.get_lang, user_id)
    return ChatContext(lang=lang, user_id=user_id, is_admin=st.access.is_admin(user_id))


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    """Inline keyboard for a reply's buttons."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.data)
                for b in row
            ]
            for row in reply.buttons
        ]
    )


def is_entity_error(exc: BadRequest) -> bool:
    """True when Telegram refused a message because of its HTML markup."""
    message = exc.message.lower()
    return (
        "can't parse entities" in message
        or "can't find end" in message
        or ("parse entities" in message)
    )


async def send_to(context: Context, chat_id: int, reply: Reply, **kwargs: Any) -> Message:
    """Send ``reply`` to ``chat_id`` (plain text if the HTML is refused)."""
    try:
        return await context.bot.send_message(
            chat_id, reply.html, reply_markup=markup(reply), **kwargs
        )
    except BadRequest as exc:
        if not is_entity_error(exc):
            raise
        log.warning("HTML rejected by Telegram (%s); sending plain text", exc.message)
        return await context.bot.send_message(
            chat_id,
            strip_tags(reply.html)[:4096],
            reply_markup=markup(reply),
            parse_mode=None,
            **kwargs,
        )


async def send(update: Update, context: Context, reply: Reply) -> Message | None:
    """Send ``reply`` to the chat of ``update``; in groups as a reply to the asking message."""
    chat = update.effective_chat
    if chat is None:
        return None
    kwargs: dict[str, Any] = {}
    quote = update.effective_message if chat.type != ChatType.PRIVATE else None
    if quote is not None:
        kwargs["reply_to_message_id"] = quote.message_id
        kwargs["allow_sending_without_reply"] = True
    if reply.photo:
        await context.bot.send_photo(
            chat.id, reply.photo, reply_to_message_id=kwargs.get("reply_to_message_id")
        )
    return await send_to(context, chat.id, reply, **kwargs)


async def edit(update: Update, context: Context, reply: Reply) -> None:
    """Replace the message a button belongs to (paging in place)."""
    query = update.callback_query
    try:
        await query.edit_message_text(reply.html, reply_markup=markup(reply))
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        if not is_entity_error(exc):
            raise
        await query.edit_message_text(
            strip_tags(reply.html)[:4096], reply_markup=markup(reply), parse_mode=None
        )
