"""/source in Telegram (admins), and the job that polls feeds."""

from __future__ import annotations

import logging

from telegram import Update

from bot.corpus.urls import redacted_url
from bot.errors import InputError, NotFound
from bot.feeds.poller import Poller
from bot.feeds.sources import parse_every
from bot.present.messages import t
from bot.present.render import Reply, esc
from bot.store.sources import SourceStore
from bot.tg.context import Context, state
from bot.tg.handlers.admin import require_admin
from bot.tg.io import run, send

log = logging.getLogger(__name__)


async def source_command(update: Update, context: Context) -> None:
    """/source add URL [every] | list | remove N: manage feed sources (admins)."""
    ctx = await require_admin(update, context)
    if ctx is None:
        return
    store = SourceStore(state(context).services.db)
    args = context.args or []
    action = args[0].lower() if args else "list"
    try:
        if action == "add" and len(args) >= 2:
            every = parse_every(args[2]) if len(args) > 2 else 1800
            source = await run(store.add, args[1], every_seconds=every)
            await send(update, context, Reply(f"✅ #{source.id} {esc(redacted_url(source.url))}"))
            return
        if action == "remove" and len(args) >= 2:
            source = await run(store.remove, args[1])
            await send(update, context, Reply(f"🗑 #{source.id} {esc(redacted_url(source.url))}"))
            return
    except (InputError, NotFound) as exc:
        await send(update, context, Reply(esc(str(exc))))
        return
    items = await run(store.list)
    lines = [
        f"#{s.id} {'⚠️ ' + esc(s.last_error or '') if s.failures else '✅'} {esc(redacted_url(s.url))}"
        for s in items
    ]
    usage = t(ctx.lang, "source_usage")
    await send(update, context, Reply("\n".join(lines or ["—"]) + "\n\n" + usage))


async def poll_sources(context: Context) -> None:
    """Job: poll due feed sources; new documents are classified, indexed and join the next digest."""
    st = state(context)
    if st.poller is None:
        st.poller = Poller(st.services)
    report = await st.poller.poll_due()
    if report.sources:
        log.info("feeds: %s", report.summary())
