"""The one error handler: log, tell the user briefly, tell the admins with the traceback."""

from __future__ import annotations

import html
import logging
import time
import traceback

from telegram import Update
from telegram.error import Forbidden

from bot.errors import StoreUnavailable
from bot.present.messages import t
from bot.present.render import Reply, esc, strip_tags
from bot.tg.context import Context
from bot.tg.io import run, send, send_to

log = logging.getLogger(__name__)

REPORT_EVERY = 600.0  # seconds between two admin reports of the same error
TRACEBACK_CHARS = 3000  # a report must stay under Telegram's 4,096 characters


async def error_handler(update: object, context: Context) -> None:
    """Log every unexpected error, tell the user, and report it (with its traceback) to admins."""
    error = context.error
    if isinstance(error, Forbidden):
        log.info("forbidden: %s", error)
        return
    unavailable = isinstance(error, StoreUnavailable)
    log.error("error while handling an update: %s", error, exc_info=None if unavailable else error)
    st = context.bot_data
    lang = "vi"
    if isinstance(update, Update):
        user_id = update.effective_user.id if update.effective_user else None
        if st.services is not None and not unavailable and user_id is not None:
            try:
                lang = await run(st.access.get_lang, user_id)
            except Exception:  # the database may be what failed
                lang = "vi"
        key = "db_unavailable" if unavailable else "error"
        if update.callback_query is not None:
            try:
                await update.callback_query.answer(strip_tags(t(lang, key))[:190], show_alert=False)
            except Exception as exc:
                log.debug("could not answer callback: %s", exc)
        if update.effective_chat is not None:
            try:
                await send(update, context, Reply(t(lang, key)))
            except Exception as exc:  # never let the error handler raise
                log.warning("could not tell the user about the error: %s", exc)
    if st.services is None or unavailable or error is None:
        return
    # One report per kind of error per ten minutes: a user who keeps triggering the same
    # failure must not be able to flood the admins.
    kind = f"{type(error).__name__}: {str(error)[:200]}"
    now = time.monotonic()
    if now - st.reported_at.get(kind, -1e9) < REPORT_EVERY:
        return
    st.reported_at[kind] = now
    if len(st.reported_at) > 1000:
        st.reported_at.clear()
    await report_to_admins(context, error, update)


async def report_to_admins(context: Context, error: BaseException, update: object) -> None:
    """Send the error, where it happened and the end of its traceback to every admin."""
    where = ""
    if isinstance(update, Update) and update.effective_chat is not None:
        where = f" in chat {update.effective_chat.id}"
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    report = (
        f"⚠️ <b>partybot error</b>{esc(where)}\n"
        f"<code>{html.escape(type(error).__name__ + ': ' + str(error))[:500]}</code>\n"
        f"<pre>{html.escape(trace[-TRACEBACK_CHARS:])}</pre>"
    )
    for admin_id in context.bot_data.access.admin_ids:
        try:
            await send_to(context, admin_id, Reply(report))
        except Exception as exc:
            log.warning("could not report the error to admin %s: %s", admin_id, exc)
