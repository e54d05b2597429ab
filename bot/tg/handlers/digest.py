"""/digest in Telegram, and the job that sends due digests."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.digest.delivery import DigestDelivery, preview
from bot.errors import InputError
from bot.present.messages import t
from bot.present.render import Reply, esc
from bot.store.subscriptions import SubscriptionStore
from bot.tg.context import Context, state
from bot.tg.io import ctx_for, run, send, send_to
from bot.tg.sender import TelegramSender
from bot.timeutil import format_date, zone_label

log = logging.getLogger(__name__)


def _usage(lang: str, slugs: list[str]) -> str:
    return t(lang, "digest_usage", slugs=", ".join(slugs))


async def _may_change(update: Update, context: Context) -> bool:
    chat, user = update.effective_chat, update.effective_user
    if chat.type == ChatType.PRIVATE or state(context).access.is_admin(user.id):
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def digest_command(update: Update, context: Context) -> None:
    """/digest [on [HH:MM]|off|topics …|tz ZONE|empty on|off|now]: the chat's daily digest."""
    ctx = await ctx_for(update, context)
    st = state(context)
    store = SubscriptionStore(st.services.db)
    taxonomy = st.services.taxonomy
    usage = _usage(ctx.lang, taxonomy.slugs)
    chat_id = update.effective_chat.id
    args = [a.strip() for a in (context.args or []) if a.strip()]
    action = args[0].lower() if args else ""
    if action in ("now", "preview", "xem"):
        parts = await run(preview, st.services, chat_id, bot_username=context.bot.username or "")
        for part in parts or [t(ctx.lang, "digest_not_subscribed")]:
            await send(update, context, Reply(part))
        return
    if action and not await _may_change(update, context):
        await send(update, context, Reply(t(ctx.lang, "digest_admins_only")))
        return
    try:
        if action in ("on", "bat", "bật"):
            sub = await run(store.enable, chat_id, args[1] if len(args) > 1 else None)
            reply = t(ctx.lang, "digest_enabled", time=sub.send_time, tz=zone_label(sub.timezone))
            await send(update, context, Reply(reply))
            return
        if action in ("off", "tat", "tắt"):
            await run(store.disable, chat_id, "turned off in chat")
            await send(update, context, Reply(t(ctx.lang, "digest_disabled")))
            return
        if action in ("topics", "chude", "chủ_đề"):
            slugs = [s.lower() for s in args[1:]]
            if not slugs or slugs == ["all"]:
                chosen: list[str] | None = None
            else:
                unknown = [s for s in slugs if taxonomy.get(s) is None]
                if unknown:
                    known = ", ".join(f"{x.slug} ({x.name(ctx.lang)})" for x in taxonomy)
                    reply = t(
                        ctx.lang, "digest_unknown_topics", slugs=", ".join(unknown), known=known
                    )
                    await send(update, context, Reply(reply))
                    return
                chosen = slugs
            await run(store.set_topics, chat_id, chosen)
        elif action in ("tz", "timezone"):
            if len(args) < 2:
                raise InputError("missing time zone")
            await run(store.set_timezone, chat_id, args[1])
        elif action == "empty":
            on = len(args) > 1 and args[1].lower() in ("on", "1", "yes", "bat", "bật")
            await run(store.set_notify_empty, chat_id, on)
        elif action:
            await send(update, context, Reply(usage))
            return
    except InputError as exc:
        await send(update, context, Reply(esc(str(exc)) + "\n\n" + usage))
        return
    sub = await run(store.get, chat_id)
    if sub is None:
        await send(update, context, Reply(t(ctx.lang, "digest_not_subscribed") + "\n\n" + usage))
        return
    topics = ", ".join(sub.topics) if sub.topics else t(ctx.lang, "digest_all")
    text = t(
        ctx.lang,
        "digest_settings",
        state=t(ctx.lang, "digest_on" if sub.enabled else "digest_off"),
        time=sub.send_time,
        tz=zone_label(sub.timezone),
        topics=topics,
        last=format_date(sub.last_sent_at, with_time=True) or t(ctx.lang, "digest_never"),
    )
    await send(update, context, Reply(text + "\n\n" + usage))


async def send_due_digests(context: Context) -> None:
    """Job: claim and send every due digest (one instance per digest, see bot.digest.delivery)."""
    st = state(context)
    if st.digest_delivery is None:

        async def tell_admins(chat_id: int, error: str) -> None:
            for admin_id in st.access.admin_ids:
                try:
                    text = t("vi", "digest_failed_admin", chat_id=chat_id, error=error)
                    await send_to(context, admin_id, Reply(text))
                except Exception as exc:
                    log.warning("could not tell admin %s: %s", admin_id, exc)

        st.digest_delivery = DigestDelivery(
            st.services,
            TelegramSender(context.bot),
            bot_username=context.bot.username or "",
            on_failure=tell_admins,
        )
    report = await st.digest_delivery.run_once()
    if report.sent or report.failed or report.disabled or report.errors:
        log.info(
            "digests: %d sent, %d empty, %d failed, %d disabled, %d moved, %d left for later",
            len(report.sent),
            len(report.empty),
            len(report.failed),
            len(report.disabled),
            len(report.moved),
            len(report.errors),
        )
