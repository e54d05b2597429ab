"""The composition root: builds the Telegram ``Application`` and registers every handler.

Handler order matters and is commented where it does: the access guard runs first (group -1),
commands come before the catch-all text handler, and the error handler is last.
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import time
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.access import RateLimiter
from bot.errors import ConfigError
from bot.logs import configure as configure_logging
from bot.present.conversation import Conversation
from bot.services import Services
from bot.tg.handlers import core as h
from bot.tg.ratelimit import StrictRateLimiter
from bot.tg.webhook import WebhookServer, require_secret

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = {
    "vi": [
        ("search", "Tìm tài liệu"),
        ("topics", "Duyệt theo chủ đề"),
        ("latest", "Tài liệu mới nhất"),
        ("doc", "Đọc toàn văn tài liệu"),
        ("classify", "Phân loại chủ đề văn bản"),
        ("digest", "Bản tin hằng ngày"),
        ("lang", "Ngôn ngữ / Language"),
        ("help", "Hướng dẫn"),
    ],
    "en": [
        ("search", "Search documents"),
        ("topics", "Browse topics"),
        ("latest", "Newest documents"),
        ("doc", "Read a document"),
        ("classify", "Label a text with topics"),
        ("digest", "Daily digest"),
        ("lang", "Language / Ngôn ngữ"),
        ("help", "Help"),
    ],
}
GROUP_COMMANDS = {
    "vi": [
        ("search", "Tìm tài liệu"),
        ("topics", "Duyệt theo chủ đề"),
        ("latest", "Tài liệu mới nhất"),
        ("digest", "Bản tin hằng ngày"),
        ("help", "Hướng dẫn"),
    ],
    "en": [
        ("search", "Search documents"),
        ("topics", "Browse topics"),
        ("latest", "Newest documents"),
        ("digest", "Daily digest"),
        ("help", "Help"),
    ],
}
GROUP_ADMIN_EXTRA = {"vi": [("allow", "Cấp quyền cho nhóm")], "en": [("allow", "Allow this group")]}
BOT_ADMIN_EXTRA = {
    "vi": [
        ("allow", "Cấp quyền"),
        ("deny", "Thu hồi quyền"),
        ("stats", "Thống kê"),
        ("reload", "Tải lại chỉ mục và mô hình"),
    ],
    "en": [
        ("allow", "Allow a user or group"),
        ("deny", "Remove access"),
        ("stats", "Statistics"),
        ("reload", "Reload index and model"),
    ],
}


class _AddressedToBot(filters.MessageFilter):
    """Group messages that mention the bot or reply to it (what privacy mode lets through)."""

    def filter(self, message) -> bool:  # type: ignore[no-untyped-def]
        bot = message.get_bot()
        if message.reply_to_message is not None and message.reply_to_message.from_user is not None:
            if message.reply_to_message.from_user.id == bot.id:
                return True
        username = (bot.username or "").lower()
        return bool(username) and f"@{username}" in (message.text or "").lower()


def build_application(
    services: Services,
    *,
    token: str | None = None,
    base_url: str | None = None,
    base_file_url: str | None = None,
    rate_limiter: bool = True,
) -> Application:
    """The fully wired application (not started)."""
    settings = services.settings
    builder: ApplicationBuilder = ApplicationBuilder().token(token or settings.telegram_bot_token)
    base_url = base_url or settings.telegram_api_base_url
    if base_url:
        builder = builder.base_url(base_url)
        builder = builder.base_file_url(
            base_file_url
            or settings.telegram_api_file_url
            or re.sub(r"/bot$", "/file/bot", base_url)
        )
    if rate_limiter:
        # Telegram's flood limits (30 msg/s overall, 20/min per group) and 429 retries.
        builder = builder.rate_limiter(StrictRateLimiter())
    builder = builder.concurrent_updates(8).post_init(_post_init)
    application = builder.build()

    access = services.access
    application.bot_data["state"] = h.BotState(
        services=services,
        conversation=Conversation(services, bot_username=settings.bot_username),
        access=access,
        limiter=RateLimiter(settings.rate_limit_per_minute, 60.0),
        refused_at={},
        timings=[],
    )
    register_handlers(application)
    return application


def register_handlers(app: Application) -> None:
    """Every handler, in order."""
    # Group -2: time every update (for the README's processing-time numbers).
    app.add_handler(TypeHandler(Update, _timing_start), group=-2)
    # Group -1: the access guard and rate limiter stop strangers before anything else runs.
    app.add_handler(TypeHandler(Update, h.guard), group=-1)

    app.add_handler(ChatMemberHandler(h.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CommandHandler("start", h.start))
    app.add_handler(CommandHandler("help", h.help_command))
    app.add_handler(CommandHandler("search", h.search_command))
    app.add_handler(CommandHandler("topics", h.topics_command))
    app.add_handler(CommandHandler("topic", h.topic_command))
    app.add_handler(CommandHandler("latest", h.latest_command))
    app.add_handler(CommandHandler("doc", h.doc_command))
    # "/doc_12" is tappable in Telegram; it is not a registered command, so match it first.
    app.add_handler(
        MessageHandler(filters.Regex(re.compile(r"^/doc_(\d+)(?:@\w+)?$")), h.doc_command)
    )
    app.add_handler(CommandHandler("classify", h.classify_command))
    app.add_handler(CommandHandler("lang", h.lang_command))
    app.add_handler(CommandHandler("allow", h.allow_command))
    app.add_handler(CommandHandler("deny", h.deny_command))
    app.add_handler(CommandHandler("stats", h.stats_command))
    app.add_handler(CommandHandler("reload", h.reload_command))
    _register_feature_handlers(app)
    app.add_handler(
        MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, h.document_upload)
    )
    app.add_handler(CallbackQueryHandler(h.button))
    app.add_handler(InlineQueryHandler(h.inline_query))
    # Catch-all text handlers come after every command.
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, h.text_query)
    )
    app.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.ChatType.GROUPS & _AddressedToBot(),
            h.text_query,
        )
    )
    app.add_handler(TypeHandler(Update, _timing_end), group=99)
    app.add_error_handler(h.error_handler)


def _register_feature_handlers(app: Application) -> None:
    # Digests and feed sources add their commands here (before the catch-all text handlers).
    try:
        from bot.tg.handlers import digest as digest_handlers
    except ImportError:
        digest_handlers = None  # type: ignore[assignment]
    if digest_handlers is not None:
        digest_handlers.register(app)
    try:
        from bot.tg.handlers import sources as source_handlers
    except ImportError:
        source_handlers = None  # type: ignore[assignment]
    if source_handlers is not None:
        source_handlers.register(app)


async def _timing_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.application.bot_data.setdefault("t0", {})[update.update_id] = time.perf_counter()


async def _timing_end(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    started = context.application.bot_data.get("t0", {}).pop(update.update_id, None)
    if started is not None:
        timings: list[float] = context.application.bot_data["state"].timings
        timings.append(time.perf_counter() - started)
        del timings[:-10_000]


async def _post_init(application: Application) -> None:
    """Command menus per scope and language, and background jobs."""
    st: h.BotState = application.bot_data["state"]
    bot = application.bot
    st.conversation.bot_username = st.conversation.bot_username or (bot.username or "")
    for lang in ("vi", "en"):
        code = None if lang == "vi" else "en"
        await _set_commands(bot, PRIVATE_COMMANDS[lang], BotCommandScopeAllPrivateChats(), code)
        await _set_commands(bot, GROUP_COMMANDS[lang], BotCommandScopeAllGroupChats(), code)
        await _set_commands(
            bot,
            GROUP_COMMANDS[lang] + GROUP_ADMIN_EXTRA[lang],
            BotCommandScopeAllChatAdministrators(),
            code,
        )
        for admin_id in st.access.admin_ids:
            await _set_commands(
                bot,
                PRIVATE_COMMANDS[lang] + BOT_ADMIN_EXTRA[lang],
                BotCommandScopeChat(admin_id),
                code,
            )
    schedule_jobs(application)


async def _set_commands(
    bot: Any, commands: list[tuple[str, str]], scope: Any, lang: str | None
) -> None:
    try:
        await bot.set_my_commands(
            [BotCommand(c, d) for c, d in commands], scope=scope, language_code=lang
        )
    except Exception as exc:  # a menu is a nicety; never stop the bot for it
        log.warning("setMyCommands failed for %s/%s: %s", type(scope).__name__, lang, exc)


def schedule_jobs(application: Application) -> None:
    """Background work: index/model refresh, digests, feed polling."""
    queue = application.job_queue
    if queue is None:
        return
    queue.run_repeating(_refresh, interval=10, first=10, name="refresh")
    try:
        from bot.tg.handlers import digest as digest_handlers
    except ImportError:
        digest_handlers = None  # type: ignore[assignment]
    if digest_handlers is not None and hasattr(digest_handlers, "schedule"):
        digest_handlers.schedule(application)
    try:
        from bot.tg.handlers import sources as source_handlers
    except ImportError:
        source_handlers = None  # type: ignore[assignment]
    if source_handlers is not None and hasattr(source_handlers, "schedule"):
        source_handlers.schedule(application)


async def _refresh(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pick up documents and model versions written by other processes (CLI, other instances)."""
    import asyncio

    st: h.BotState = context.application.bot_data["state"]
    try:
        await asyncio.to_thread(st.services.refresh)
    except Exception as exc:  # the next tick retries; the database may be briefly away
        log.warning("refresh failed: %s", exc)


def run_bot(services: Services, *, webhook: bool = False) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server on $PORT."""
    settings = services.settings
    # LOG_LEVEL, unless `partybot -v` already asked for debug output.
    verbose = logging.getLogger().isEnabledFor(logging.DEBUG)
    configure_logging(
        logging.DEBUG if verbose else settings.log_level,
        [settings.telegram_bot_token, settings.webhook_secret],
    )
    if webhook:
        # Checked before anything starts: a webhook without a secret accepts forged updates.
        require_secret(settings.webhook_secret)
        if not settings.webhook_url or not settings.port:
            raise ConfigError("webhook mode needs WEBHOOK_URL and PORT")
    application = build_application(services)
    if webhook:
        asyncio.run(serve_webhook(application, settings))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)


async def serve_webhook(application: Application, settings: Any) -> None:
    """Our webhook server (secret checked in constant time) until SIGINT/SIGTERM."""
    path = "telegram"
    url = settings.webhook_url.rstrip("/")
    if not url.endswith("/" + path):
        url = f"{url}/{path}"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    server = WebhookServer(application, secret=settings.webhook_secret, path=path)
    async with application:
        await _post_init(application)
        await application.start()
        await server.start("0.0.0.0", int(settings.port))
        await application.bot.set_webhook(
            url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
        log.info("webhook server listening on port %s", server.port)
        try:
            await stop.wait()
        finally:
            await server.stop()
            await application.stop()
