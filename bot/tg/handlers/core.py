"""The user-facing handlers: the access guard, commands, plain-text queries, buttons,
inline mode and membership changes.

Every handler is ``async def name(update, context) -> None`` with a one-line docstring: it
parses the update, calls the conversation (blocking calls in a thread) and sends the reply.
Expected user mistakes get a helpful reply here; anything else goes to the error handler.
"""

from __future__ import annotations

import logging
import time

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ApplicationHandlerStop

from bot.bounds import parse_page
from bot.errors import StoreUnavailable
from bot.present.messages import t
from bot.present.render import Reply, cut, esc
from bot.services import Services
from bot.store.subscriptions import SubscriptionStore
from bot.tg.context import Context, state
from bot.tg.io import ctx_for, edit, run, send, send_to

log = logging.getLogger(__name__)


async def guard(update: Update, context: Context) -> None:
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


async def _guard(update: Update, context: Context) -> None:
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


async def _refuse(update: Update, context: Context, in_group: bool) -> None:
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


async def start(update: Update, context: Context) -> None:
    """/start [doc_<id>]: welcome with example buttons, or open a deep-linked document."""
    ctx = await ctx_for(update, context)
    payload = context.args[0] if context.args else None
    name = update.effective_user.first_name if update.effective_user else ""
    for reply in await run(state(context).conversation.start, ctx, name, payload):
        await send(update, context, reply)


async def help_command(update: Update, context: Context) -> None:
    """/help: what the bot understands."""
    ctx = await ctx_for(update, context)
    await send(update, context, state(context).conversation.help(ctx))


async def search_command(update: Update, context: Context) -> None:
    """/search <words>: ranked results (also in groups)."""
    ctx = await ctx_for(update, context)
    query = " ".join(context.args or [])
    await send(update, context, await run(state(context).conversation.search, ctx, query))


async def text_query(update: Update, context: Context) -> None:
    """Plain text in private, or a mention/reply in a group: treat it as a query."""
    ctx = await ctx_for(update, context)
    message = update.effective_message
    text = message.text or ""
    username = context.bot.username or ""
    if username:
        text = text.replace(f"@{username}", " ")
    name = update.effective_user.first_name if update.effective_user else ""
    await send(update, context, await run(state(context).conversation.message, ctx, text, name))


async def unknown_command(update: Update, context: Context) -> None:
    """A command no other handler took, in a private chat: say so and point to /help."""
    ctx = await ctx_for(update, context)
    text = update.effective_message.text or ""
    await send(update, context, state(context).conversation.unknown_command(ctx, text))


async def topics_command(update: Update, context: Context) -> None:
    """/topics: a button per topic with document counts."""
    ctx = await ctx_for(update, context)
    await send(update, context, await run(state(context).conversation.topics, ctx))


async def topic_command(update: Update, context: Context) -> None:
    """/topic <slug>: one topic's documents, newest first."""
    ctx = await ctx_for(update, context)
    if not context.args:
        await send(update, context, Reply(t(ctx.lang, "topic_usage")))
        return
    await send(
        update, context, await run(state(context).conversation.topic, ctx, " ".join(context.args))
    )


async def latest_command(update: Update, context: Context) -> None:
    """/latest [page]: the newest documents."""
    ctx = await ctx_for(update, context)
    # "/latest 2" is page 2 (it was page 1, whatever followed: a tester's).
    page = parse_page(" ".join(context.args or [])) or 1
    await send(update, context, await run(state(context).conversation.latest, ctx, page))


async def doc_command(update: Update, context: Context) -> None:
    """/doc <id> or /doc_<id>: a document's full text, paginated."""
    ctx = await ctx_for(update, context)
    ref = " ".join(context.args or [])
    if not ref and context.matches:
        ref = context.matches[0].group(1)
    await send(update, context, await run(state(context).conversation.document, ctx, ref))


async def classify_command(update: Update, context: Context) -> None:
    """/classify <text>, or as a reply to a message: its topics and why."""
    ctx = await ctx_for(update, context)
    message = update.effective_message
    text = " ".join(context.args or [])
    if not text and message.reply_to_message is not None:
        text = message.reply_to_message.text or message.reply_to_message.caption or ""
    await send(update, context, await run(state(context).conversation.classify, ctx, text))


async def lang_command(update: Update, context: Context) -> None:
    """/lang vi|en: choose the interface language."""
    st = state(context)
    wanted = (context.args[0].lower() if context.args else "").strip()
    if wanted not in ("vi", "en"):
        ctx = await ctx_for(update, context)
        await send(update, context, Reply(t(ctx.lang, "lang_usage")))
        return
    await run(st.access.set_lang, update.effective_user.id, wanted)
    await send(update, context, Reply(t(wanted, "lang_set")))


async def button(update: Update, context: Context) -> None:
    """A button press: page results or open a topic/document in place."""
    query = update.callback_query
    ctx = await ctx_for(update, context)
    reply = await run(state(context).conversation.callback, ctx, query.data or "")
    await query.answer()
    if reply is None:
        return
    if (query.data or "").startswith(("x:", "r:")) or query.message is None:
        # Example queries and related documents open a new message; paging edits in place.
        chat_id = query.message.chat.id if query.message else query.from_user.id
        await send_to(context, chat_id, reply)
        return
    await edit(update, context, reply)


async def inline_query(update: Update, context: Context) -> None:
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
                input_message_content=InputTextMessageContent(body),
            )
        )
    await inline.answer(articles, cache_time=30, is_personal=True)


async def membership(update: Update, context: Context) -> None:
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
        await send_to(context, chat.id, Reply(text))
        if not allowed:
            st.refused_at[chat.id] = time.monotonic()  # that message was the refusal
    elif not present and was_present:
        await run(_disable_subscription, st.services, chat.id, f"bot removed ({new})")


def _disable_subscription(services: Services, chat_id: int, reason: str) -> None:
    SubscriptionStore(services.db).disable(chat_id, reason)
    log.info("chat %s: subscription disabled (%s)", chat_id, reason)
