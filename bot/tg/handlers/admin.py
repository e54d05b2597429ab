"""Admin handlers: access, statistics, reload, and files sent to the bot."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType

from bot.bounds import parse_chat_id
from bot.errors import InputError
from bot.present.conversation import Context as ChatContext
from bot.present.messages import Raw, t
from bot.present.render import Reply, cut, esc
from bot.services import Services
from bot.tg.context import Context, state
from bot.tg.io import ctx_for, run, send

log = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


async def require_admin(update: Update, context: Context) -> ChatContext | None:
    ctx = await ctx_for(update, context)
    if not ctx.is_admin:
        await send(update, context, Reply(t(ctx.lang, "admin_only")))
        return None
    return ctx


async def allow_command(update: Update, context: Context) -> None:
    """/allow <id>: admins allow a user or a group (no id in a group: this group)."""
    ctx = await require_admin(update, context)
    if ctx is None:
        return
    target = await _target_id(update, context, ctx)
    if target is None:
        return
    await run(state(context).access.allow, target)
    await send(update, context, Reply(t(ctx.lang, "allowed", id=target)))


async def deny_command(update: Update, context: Context) -> None:
    """/deny <id>: admins remove a user's or a group's access."""
    ctx = await require_admin(update, context)
    if ctx is None:
        return
    target = await _target_id(update, context, ctx)
    if target is None:
        return
    await run(state(context).access.deny, target)
    await send(update, context, Reply(t(ctx.lang, "denied", id=target)))


async def _target_id(update: Update, context: Context, ctx: ChatContext) -> int | None:
    if context.args:
        target = parse_chat_id(context.args[0])
        if target is not None:
            return target
    elif update.effective_chat.type != ChatType.PRIVATE:
        return update.effective_chat.id
    await send(update, context, Reply(t(ctx.lang, "allow_usage")))
    return None


async def stats_command(update: Update, context: Context) -> None:
    """/stats: corpus, model and subscription numbers plus a chart (admins)."""
    ctx = await require_admin(update, context)
    if ctx is None:
        return
    from bot.present import stats

    st = state(context)
    numbers = await run(stats.collect, st.services)
    topic_lines = "\n".join(
        f"• {esc(topic.name(ctx.lang))}: {numbers.topics.get(topic.slug, 0)}"
        for topic in st.services.taxonomy
    )
    text = t(
        ctx.lang,
        "stats",
        documents=numbers.documents,
        model=numbers.model_version or "—",
        f1=f"{numbers.macro_f1:.3f}" if numbers.macro_f1 is not None else "—",
        subscriptions=numbers.subscriptions,
        topics=Raw(topic_lines),
    )
    chart = await run(stats.chart_png, st.services, ctx.lang)
    await send(update, context, Reply(text, photo=chart))


async def reload_command(update: Update, context: Context) -> None:
    """/reload: rebuild the search index and reload the active model (admins)."""
    ctx = await require_admin(update, context)
    if ctx is None:
        return
    services = state(context).services
    docs = await run(services.search.rebuild)
    model = await run(services.reload_classifier)
    await send(
        update,
        context,
        Reply(t(ctx.lang, "reloaded", docs=docs, model=getattr(model, "version", "—"))),
    )


async def document_upload(update: Update, context: Context) -> None:
    """A file sent by an admin in private: ingest, classify and index it."""
    ctx = await ctx_for(update, context)
    message = update.effective_message
    if not ctx.is_admin:
        await send(update, context, Reply(t(ctx.lang, "admin_only")))
        return
    document = message.document
    name = upload_name(document.file_name)
    if (document.file_size or 0) > MAX_UPLOAD_BYTES:
        await send(
            update, context, Reply(t(ctx.lang, "ingest_failed", name=name, error="file too large"))
        )
        return
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    services = state(context).services
    reply = await run(_ingest_upload, services, data, name, ctx.lang)
    await send(update, context, reply)


def upload_name(name: str | None) -> str:
    """A client-supplied file name reduced to its last part (``../../x.jsonl`` → ``x.jsonl``)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    return base[:100] or "upload.txt"


def _ingest_upload(services: Services, data: bytes, name: str, lang: str) -> Reply:
    import io

    from bot.corpus.ingest import ingest_documents
    from bot.corpus.readers import iter_jsonl_stream, read_bytes

    name = upload_name(name)
    try:
        if name.lower().endswith(".jsonl"):
            # Parsed from memory: nothing named by the client is ever written to disk.
            report = ingest_documents(services, iter_jsonl_stream(io.BytesIO(data), source=name))
        else:
            report = ingest_documents(services, [read_bytes(data, name=name)])
    except InputError as exc:
        return Reply(t(lang, "ingest_failed", name=name, error=str(exc)))
    lines = [t(lang, "ingested", name=name, summary=report.summary())]
    docs = services.documents.get_many([r.document_id for r in report.added + report.updated][:10])
    for doc in docs.values():
        topics = (
            ", ".join(
                services.taxonomy.get(s).name(lang) if services.taxonomy.get(s) else s
                for s in doc.topics
            )
            or "—"
        )
        lines.append(t(lang, "ingest_doc", id=doc.id, title=cut(doc.title, 100), topics=topics))
    for failure in report.failed[:5]:
        lines.append("⚠ " + esc(cut(failure, 300)))
    return Reply("\n".join(lines))
