"""/source in Telegram (admins), and the job that polls feeds."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.errors import InputError
from bot.feeds.poller import Poller
from bot.feeds.sources import parse_every
from bot.present.render import Reply, esc
from bot.store.sources import SourceStore
from bot.tg.handlers.core import _require_admin, run, send, state

log = logging.getLogger(__name__)


async def source_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/source add URL [every] | list | remove N: manage feed sources (admins)."""
    ctx = await _require_admin(update, context)
    if ctx is None:
        return
    store = SourceStore(state(context).services.db)
    args = context.args or []
    action = args[0].lower() if args else "list"
    try:
        if action == "add" and len(args) >= 2:
            every = parse_every(args[2]) if len(args) > 2 else 1800
            source = await run(store.add, args[1], every_seconds=every)
            await send(update, context, Reply(f"✅ #{source.id} {esc(source.url)}"))
            return
        if action == "remove" and len(args) >= 2:
            source = await run(store.remove, args[1])
            await send(update, context, Reply(f"🗑 #{source.id} {esc(source.url)}"))
            return
    except InputError as exc:
        await send(update, context, Reply(esc(str(exc))))
        return
    items = await run(store.list)
    lines = [
        f"#{s.id} {'⚠️ ' + esc(s.last_error or '') if s.failures else '✅'} {esc(s.url)}"
        for s in items
    ]
    usage = "<code>/source add URL [30m]</code> · <code>/source remove N</code>"
    await send(update, context, Reply("\n".join(lines or ["—"]) + "\n\n" + usage))


def register(app: Application) -> None:
    """Add /source (called by the composition root)."""
    app.add_handler(CommandHandler("source", source_command))


async def poll_sources(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: poll due feed sources; new documents are classified, indexed and join the next digest."""
    poller: Poller | None = context.application.bot_data.get("poller")
    if poller is None:
        poller = context.application.bot_data["poller"] = Poller(state(context).services)
    report = await poller.poll_due()
    if report.sources:
        log.info("feeds: %s", report.summary())


def schedule(app: Application) -> None:
    """Poll sources every minute (each source has its own interval)."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(poll_sources, interval=60, first=20, name="feeds")
