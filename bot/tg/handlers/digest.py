"""/digest in Telegram, and the job that sends due digests."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.digest.delivery import DigestDelivery, preview
from bot.errors import InputError
from bot.present.render import Reply, esc
from bot.store.subscriptions import SubscriptionStore
from bot.tg.handlers.core import ctx_for, run, send, state
from bot.tg.sender import TelegramSender

log = logging.getLogger(__name__)

TEXT = {
    "vi": {
        "settings": "📰 <b>Bản tin hằng ngày</b>: {state}\nGiờ gửi: {time} ({tz})\nChủ đề: {topics}\nLần gửi gần nhất: {last}",
        "on": "bật",
        "off": "tắt",
        "all": "tất cả",
        "never": "chưa có",
        "usage": (
            "<code>/digest on [HH:MM]</code> — bật (mặc định 07:00)\n<code>/digest off</code> — tắt\n"
            "<code>/digest topics kiem_tra ...</code> — chỉ các chủ đề này (<code>all</code> = tất cả)\n"
            "<code>/digest tz Asia/Ho_Chi_Minh</code> — múi giờ\n<code>/digest empty on|off</code> — báo cả ngày không có tin\n"
            "<code>/digest now</code> — xem trước bản tin"
        ),
        "enabled": "Đã bật bản tin lúc {time} ({tz}).",
        "disabled": "Đã tắt bản tin.",
        "admins_only": "Chỉ quản trị viên nhóm mới thay đổi được cài đặt bản tin.",
        "not_subscribed": "Nhóm chưa đăng ký bản tin. Gõ <code>/digest on</code> để bật.",
        "unknown_topics": "Không có chủ đề: {slugs}. Xem /topics",
    },
    "en": {
        "settings": "📰 <b>Daily digest</b>: {state}\nTime: {time} ({tz})\nTopics: {topics}\nLast sent: {last}",
        "on": "on",
        "off": "off",
        "all": "all",
        "never": "never",
        "usage": (
            "<code>/digest on [HH:MM]</code> — turn on (default 07:00)\n<code>/digest off</code> — turn off\n"
            "<code>/digest topics admission ...</code> — only these topics (<code>all</code> = every topic)\n"
            "<code>/digest tz Asia/Ho_Chi_Minh</code> — time zone\n<code>/digest empty on|off</code> — also report empty days\n"
            "<code>/digest now</code> — preview"
        ),
        "enabled": "Digest on at {time} ({tz}).",
        "disabled": "Digest off.",
        "admins_only": "Only group admins can change the digest settings.",
        "not_subscribed": "No digest here yet. Type <code>/digest on</code>.",
        "unknown_topics": "Unknown topics: {slugs}. See /topics",
    },
}


def _t(lang: str, key: str, **values: object) -> str:
    return TEXT.get(lang, TEXT["vi"])[key].format(**{k: esc(v) for k, v in values.items()})


async def _may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat, user = update.effective_chat, update.effective_user
    if chat.type == ChatType.PRIVATE or state(context).access.is_admin(user.id):
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def digest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest [on [HH:MM]|off|topics …|tz ZONE|empty on|off|now]: the chat's daily digest."""
    ctx = await ctx_for(update, context)
    st = state(context)
    store = SubscriptionStore(st.services.db)
    chat_id = update.effective_chat.id
    args = [a.strip() for a in (context.args or []) if a.strip()]
    action = args[0].lower() if args else ""
    if action in ("now", "preview", "xem"):
        parts = await run(preview, st.services, chat_id, bot_username=context.bot.username or "")
        for part in parts or [_t(ctx.lang, "not_subscribed")]:
            await send(update, context, Reply(part))
        return
    if action and not await _may_change(update, context):
        await send(update, context, Reply(_t(ctx.lang, "admins_only")))
        return
    try:
        if action in ("on", "bat", "bật"):
            sub = await run(store.enable, chat_id, args[1] if len(args) > 1 else None)
            await send(
                update, context, Reply(_t(ctx.lang, "enabled", time=sub.send_time, tz=sub.timezone))
            )
            return
        if action in ("off", "tat", "tắt"):
            await run(store.disable, chat_id, "turned off in chat")
            await send(update, context, Reply(_t(ctx.lang, "disabled")))
            return
        if action in ("topics", "chude", "chủ_đề"):
            slugs = [s.lower() for s in args[1:]]
            taxonomy = st.services.taxonomy
            if not slugs or slugs == ["all"]:
                chosen: list[str] | None = None
            else:
                unknown = [s for s in slugs if taxonomy.get(s) is None]
                if unknown:
                    await send(
                        update,
                        context,
                        Reply(_t(ctx.lang, "unknown_topics", slugs=", ".join(unknown))),
                    )
                    return
                chosen = slugs
            await run(store.set_topics, chat_id, chosen)
        elif action in ("tz", "timezone"):
            if len(args) < 2:
                raise InputError("missing time zone")
            await run(store.set_timezone, chat_id, args[1])
        elif action == "empty":
            await run(
                store.set_notify_empty,
                chat_id,
                len(args) > 1 and args[1].lower() in ("on", "1", "yes", "bat", "bật"),
            )
        elif action:
            await send(update, context, Reply(_t(ctx.lang, "usage")))
            return
    except InputError as exc:
        await send(update, context, Reply(esc(str(exc)) + "\n\n" + _t(ctx.lang, "usage")))
        return
    sub = await run(store.get, chat_id)
    if sub is None:
        await send(
            update, context, Reply(_t(ctx.lang, "not_subscribed") + "\n\n" + _t(ctx.lang, "usage"))
        )
        return
    from bot.timeutil import format_date

    topics = ", ".join(sub.topics) if sub.topics else _t(ctx.lang, "all")
    text = _t(
        ctx.lang,
        "settings",
        state=_t(ctx.lang, "on" if sub.enabled else "off"),
        time=sub.send_time,
        tz=sub.timezone,
        topics=topics,
        last=format_date(sub.last_sent_at, with_time=True) or _t(ctx.lang, "never"),
    )
    await send(update, context, Reply(text + "\n\n" + _t(ctx.lang, "usage")))


def register(app: Application) -> None:
    """Add /digest (called by the composition root, before the catch-all text handlers)."""
    app.add_handler(CommandHandler("digest", digest_command))


async def send_due_digests(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: claim and send every due digest (one instance per digest, see bot.digest.delivery)."""
    st = state(context)
    delivery: DigestDelivery | None = context.application.bot_data.get("digest_delivery")
    if delivery is None:

        async def tell_admins(chat_id: int, error: str) -> None:
            for admin_id in st.access.admin_ids:
                try:
                    await context.bot.send_message(
                        admin_id,
                        f"⚠️ Digest to {chat_id} failed: {esc(error)}",
                        parse_mode=ParseMode.HTML,
                    )
                except Exception as exc:
                    log.warning("could not tell admin %s: %s", admin_id, exc)

        delivery = DigestDelivery(
            st.services,
            TelegramSender(context.bot),
            bot_username=context.bot.username or "",
            on_failure=tell_admins,
        )
        context.application.bot_data["digest_delivery"] = delivery
    report = await delivery.run_once()
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


def schedule(app: Application) -> None:
    """Check for due digests every 30 seconds."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(send_due_digests, interval=30, first=5, name="digests")
