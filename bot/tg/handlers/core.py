"""Telegram handlers: parse the update, call the conversation, render the reply.

Every handler is ``async def name(update, context) -> None`` with a one-line docstring.
Blocking domain calls run in threads. Expected user mistakes get a helpful reply here;
anything else propagates to :func:`error_handler`.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.access import AccessPolicy, RateLimiter
from bot.bounds import parse_chat_id
from bot.errors import InputError, StoreUnavailable
from bot.present.conversation import Context, Conversation
from bot.present.messages import Raw, t
from bot.present.render import Reply, cut, esc, strip_tags
from bot.services import Services
from bot.store.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
REPORT_EVERY = 600.0  # seconds between two admin reports of the same error


@dataclass
class BotState:
    """What handlers share, kept in ``application.bot_data["state"]``."""

    services: Services
    conversation: Conversation
    access: AccessPolicy
    limiter: RateLimiter
    refused_at: dict[int, float]
    timings: list[float]
    reported_at: dict[str, float] = field(default_factory=dict)  # error kind → last report


def state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """The shared state of the running application."""
    return context.application.bot_data["state"]


async def run(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a blocking domain call off the event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)


async def ctx_for(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Context:
    """Language and role of the user behind an update."""
    st = state(context)
    user = update.effective_user
    user_id = user.id if user else None
    lang = await run(st.access.get_lang, user_id)
    return Context(lang=lang, user_id=user_id, is_admin=st.access.is_admin(user_id))


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


def _is_entity_error(exc: BadRequest) -> bool:
    return "can't parse entities" in exc.message.lower() or "can't find end" in exc.message.lower()


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> Message | None:
    """Send ``reply`` to the chat of ``update``; in groups as a reply to the asking message.

    If Telegram cannot parse our HTML we resend it as plain text rather than fail.
    """
    chat = update.effective_chat
    if chat is None:
        return None
    quote = update.effective_message if chat.type != ChatType.PRIVATE else None
    kwargs: dict[str, Any] = {"reply_markup": markup(reply), "link_preview_options": NO_PREVIEW}
    if quote is not None:
        kwargs["reply_to_message_id"] = quote.message_id
        kwargs["allow_sending_without_reply"] = True
    if reply.photo:
        await context.bot.send_photo(
            chat.id, reply.photo, reply_to_message_id=kwargs.get("reply_to_message_id")
        )
    try:
        return await context.bot.send_message(
            chat.id, reply.html, parse_mode=ParseMode.HTML, **kwargs
        )
    except BadRequest as exc:
        if not _is_entity_error(exc):
            raise
        log.warning("HTML rejected by Telegram (%s); sending plain text", exc.message)
        return await context.bot.send_message(chat.id, strip_tags(reply.html)[:4096], **kwargs)


async def edit(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    """Replace the message a button belongs to (paging in place)."""
    query = update.callback_query
    try:
        await query.edit_message_text(
            reply.html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup(reply),
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        if not _is_entity_error(exc):
            raise
        await query.edit_message_text(strip_tags(reply.html)[:4096], reply_markup=markup(reply))


# --- guards (group -1) ----------------------------------------------------------------------


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Refuse strangers and slow down floods before any other handler runs."""
    try:
        await _guard(update, context)
    except ApplicationHandlerStop:
        raise
    except StoreUnavailable:
        # Fail closed: without the database we cannot tell who is allowed.
        if update.effective_chat is not None and update.effective_message is not None:
            try:
                await send(update, context, Reply(t("vi", "db_unavailable")))
            except Exception as exc:
                log.warning("could not send the unavailable notice: %s", exc)
        raise ApplicationHandlerStop from None
    except Exception:
        log.exception("access check failed; dropping the update")
        raise ApplicationHandlerStop from None


async def _guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    st = state(context)
    if update.my_chat_member is not None:
        return  # membership changes are handled (and recorded) whatever the access mode
    user = update.effective_user
    chat = update.effective_chat
    if user is None:
        raise ApplicationHandlerStop
    if st.access.is_admin(user.id):
        return
    in_group = chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    if in_group and await run(st.access.user_denied, user.id):
        # A user removed with /deny is denied everywhere; in a group, silently (the group
        # did nothing wrong and needs no refusal message).
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop
    allowed = (
        await run(st.access.chat_allowed, chat.id)
        if in_group
        else await run(st.access.user_allowed, user.id)
    )
    if not allowed:
        await _refuse(update, context, in_group)
        raise ApplicationHandlerStop
    wait = st.limiter.hit(user.id)
    if wait:
        if st.limiter.should_warn(user.id) and update.effective_message is not None:
            lang = await run(st.access.get_lang, user.id)
            await send(update, context, Reply(t(lang, "rate_limited", seconds=max(1, round(wait)))))
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, in_group: bool) -> None:
    st = state(context)
    user = update.effective_user
    if update.inline_query is not None:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
        return
    key = update.effective_chat.id if in_group else user.id
    now = time.monotonic()
    # One refusal per ten minutes: a stranger who keeps typing gets nothing else.
    if now - st.refused_at.get(key, -1e9) < 600:
        return
    st.refused_at[key] = now
    lang = "en" if (user.language_code or "").startswith("en") else "vi"
    if in_group:
        # In a group only an explicit command deserves an answer.
        message = update.effective_message
        if message is None or not (message.text or "").startswith("/"):
            return
        await send(
            update, context, Reply(t(lang, "group_refused", chat_id=update.effective_chat.id))
        )
    else:
        await send(update, context, Reply(t(lang, "refused", user_id=user.id)))


# --- commands -------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [doc_<id>]: welcome with example buttons, or open a deep-linked document."""
    ctx = await ctx_for(update, context)
    payload = context.args[0] if context.args else None
    name = update.effective_user.first_name if update.effective_user else ""
    for reply in await run(state(context).conversation.start, ctx, name, payload):
        await send(update, context, reply)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: what the bot understands."""
    ctx = await ctx_for(update, context)
    await send(update, context, state(context).conversation.help(ctx))


async def search_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/search <words>: ranked results (also in groups)."""
    ctx = await ctx_for(update, context)
    query = " ".join(context.args or [])
    await send(update, context, await run(state(context).conversation.search, ctx, query))


async def text_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in private, or a mention/reply in a group: treat it as a query."""
    ctx = await ctx_for(update, context)
    message = update.effective_message
    text = message.text or ""
    username = context.bot.username or ""
    if username:
        text = text.replace(f"@{username}", " ")
    await send(update, context, await run(state(context).conversation.search, ctx, text))


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/topics: a button per topic with document counts."""
    ctx = await ctx_for(update, context)
    await send(update, context, await run(state(context).conversation.topics, ctx))


async def topic_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/topic <slug>: one topic's documents, newest first."""
    ctx = await ctx_for(update, context)
    if not context.args:
        await send(update, context, Reply(t(ctx.lang, "topic_usage")))
        return
    await send(
        update, context, await run(state(context).conversation.topic, ctx, " ".join(context.args))
    )


async def latest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/latest: the newest documents."""
    ctx = await ctx_for(update, context)
    await send(update, context, await run(state(context).conversation.latest, ctx))


async def doc_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/doc <id> or /doc_<id>: a document's full text, paginated."""
    ctx = await ctx_for(update, context)
    ref = " ".join(context.args or [])
    if not ref and context.matches:
        ref = context.matches[0].group(1)
    await send(update, context, await run(state(context).conversation.document, ctx, ref))


async def classify_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/classify <text>, or as a reply to a message: its topics and why."""
    ctx = await ctx_for(update, context)
    message = update.effective_message
    text = " ".join(context.args or [])
    if not text and message.reply_to_message is not None:
        text = message.reply_to_message.text or message.reply_to_message.caption or ""
    await send(update, context, await run(state(context).conversation.classify, ctx, text))


async def lang_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lang vi|en: choose the interface language."""
    st = state(context)
    wanted = (context.args[0].lower() if context.args else "").strip()
    if wanted not in ("vi", "en"):
        ctx = await ctx_for(update, context)
        await send(update, context, Reply(t(ctx.lang, "lang_usage")))
        return
    await run(st.access.set_lang, update.effective_user.id, wanted)
    await send(update, context, Reply(t(wanted, "lang_set")))


async def _require_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Context | None:
    ctx = await ctx_for(update, context)
    if not ctx.is_admin:
        await send(update, context, Reply(t(ctx.lang, "admin_only")))
        return None
    return ctx


async def allow_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/allow <id>: admins allow a user or a group (no id in a group: this group)."""
    ctx = await _require_admin(update, context)
    if ctx is None:
        return
    target = await _target_id(update, context, ctx)
    if target is None:
        return
    await run(state(context).access.allow, target)
    await send(update, context, Reply(t(ctx.lang, "allowed", id=target)))


async def deny_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/deny <id>: admins remove a user's or a group's access."""
    ctx = await _require_admin(update, context)
    if ctx is None:
        return
    target = await _target_id(update, context, ctx)
    if target is None:
        return
    await run(state(context).access.deny, target)
    await send(update, context, Reply(t(ctx.lang, "denied", id=target)))


async def _target_id(
    update: Update, context: ContextTypes.DEFAULT_TYPE, ctx: Context
) -> int | None:
    if context.args:
        target = parse_chat_id(context.args[0])
        if target is not None:
            return target
    elif update.effective_chat.type != ChatType.PRIVATE:
        return update.effective_chat.id
    await send(update, context, Reply(t(ctx.lang, "allow_usage")))
    return None


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: corpus, model and subscription numbers plus a chart (admins)."""
    ctx = await _require_admin(update, context)
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


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: rebuild the search index and reload the active model (admins)."""
    ctx = await _require_admin(update, context)
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


async def document_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent by an admin in private: ingest, classify and index it."""
    ctx = await ctx_for(update, context)
    message = update.effective_message
    if not ctx.is_admin:
        await send(update, context, Reply(t(ctx.lang, "admin_only")))
        return
    document = message.document
    name = upload_name(document.file_name)
    if (document.file_size or 0) > 20 * 1024 * 1024:
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


# --- buttons, inline mode, membership -------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press: page results or open a topic/document in place."""
    query = update.callback_query
    ctx = await ctx_for(update, context)
    reply = await run(state(context).conversation.callback, ctx, query.data or "")
    await query.answer()
    if reply is None:
        return
    if (query.data or "").startswith(("x:", "r:")) or query.message is None:
        # Example queries and related documents open a new message; paging edits in place.
        await context.bot.send_message(
            query.message.chat.id if query.message else query.from_user.id,
            reply.html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup(reply),
            link_preview_options=NO_PREVIEW,
        )
        return
    await edit(update, context, reply)


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot query in any chat: up to 10 articles."""
    inline = update.inline_query
    text = " ".join((inline.query or "").split())[:300]
    if not text:
        await inline.answer([], cache_time=5, is_personal=True)
        return
    results = await run(state(context).services.search.search, text, limit=10)
    username = context.bot.username or ""
    articles = []
    for hit in results.hits[:10]:
        summary = cut(hit.summary or hit.title, 250)
        body = f"<b>{esc(cut(hit.title, 200))}</b>\n{esc(summary)}\n{esc(hit.link(username))}"
        articles.append(
            InlineQueryResultArticle(
                id=str(hit.doc_id),
                title=cut(hit.title, 100),
                description=cut(summary, 120),
                url=hit.url or None,
                input_message_content=InputTextMessageContent(
                    body, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                ),
            )
        )
    await inline.answer(articles, cache_time=30, is_personal=True)


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to or removed from a chat: greet, allow if an admin added it, or stop digests."""
    st = state(context)
    change = update.my_chat_member
    chat = change.chat
    new, old = change.new_chat_member.status, change.old_chat_member.status
    present = new in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
    was_present = old in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
    if chat.type == ChatType.PRIVATE:
        return
    added_by_admin = st.access.is_admin(change.from_user.id if change.from_user else None)
    await run(
        st.access.set_chat,
        chat.id,
        member=present,
        title=chat.title,
        chat_type=chat.type,
        **({"allowed": True} if present and added_by_admin else {}),
    )
    if present and not was_present:
        lang = (
            "en"
            if (change.from_user and (change.from_user.language_code or "").startswith("en"))
            else "vi"
        )
        allowed = added_by_admin or await run(st.access.chat_allowed, chat.id)
        # One message: a welcome, or (added by someone else) how an admin allows the group;
        # never a welcome followed by a refusal.
        text = t(lang, "group_hello") if allowed else t(lang, "group_pending", chat_id=chat.id)
        await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML)
        if not allowed:
            st.refused_at[chat.id] = time.monotonic()  # that message was the refusal
    elif not present and was_present:
        await run(_disable_subscription, st.services, chat.id, f"bot removed ({new})")


def _disable_subscription(services: Services, chat_id: int, reason: str) -> None:
    SubscriptionStore(services.db).disable(chat_id, reason)
    log.info("chat %s: subscription disabled (%s)", chat_id, reason)


# --- errors ---------------------------------------------------------------------------------


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every unexpected error, tell the admins, and tell the user something went wrong."""
    error = context.error
    if isinstance(error, Forbidden):
        log.info("forbidden: %s", error)
        return
    unavailable = isinstance(error, StoreUnavailable)
    log.error("error while handling an update: %s", error, exc_info=None if unavailable else error)
    st: BotState | None = context.application.bot_data.get("state")
    lang = "vi"
    if isinstance(update, Update):
        user_id = update.effective_user.id if update.effective_user else None
        if st is not None and not unavailable and user_id is not None:
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
    if st is None or unavailable:
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
    where = ""
    if isinstance(update, Update) and update.effective_chat is not None:
        where = f" in chat {update.effective_chat.id}"
    report = f"⚠️ <b>partybot error</b>{esc(where)}\n<code>{html.escape(type(error).__name__ + ': ' + str(error))[:3500]}</code>"
    for admin_id in st.access.admin_ids:
        try:
            await context.bot.send_message(admin_id, report, parse_mode=ParseMode.HTML)
        except Exception as exc:
            log.warning("could not report the error to admin %s: %s", admin_id, exc)
