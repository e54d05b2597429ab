"""The composition root: builds the Telegram ``Application`` and registers every handler.

Handler order matters and is commented where it does: the access guard runs first (group -1),
commands come before the catch-all text handlers, and the error handler is last. Background
jobs (index/model refresh, digests, feed polling) are scheduled here too.
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import threading
import time
from collections.abc import Sequence
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.access import RateLimiter
from bot.errors import ConfigError, TelegramUnavailable
from bot.logs import configure as configure_logging
from bot.present.conversation import Conversation
from bot.present.messages import t
from bot.services import Services
from bot.tg.context import CONTEXT_TYPES, BotData, Context
from bot.tg.handlers import admin, core, digest, errors, sources
from bot.tg.ratelimit import StrictRateLimiter
from bot.tg.webhook import WebhookServer, require_secret

log = logging.getLogger(__name__)

# Every message is HTML with link previews off unless a call says otherwise.
DEFAULTS = Defaults(
    parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
)
REFRESH_SECONDS = 10
DIGEST_SECONDS = 30
FEED_SECONDS = 60

# Command menus per scope; descriptions come from the message catalogue ("cmd_<name>").
PRIVATE_COMMANDS = ["search", "topics", "latest", "doc", "classify", "digest", "lang", "help"]
GROUP_COMMANDS = ["search", "topics", "latest", "digest", "help"]
GROUP_ADMIN_EXTRA = ["allow_group"]
BOT_ADMIN_EXTRA = ["allow", "deny", "stats", "reload"]


def menu(names: list[str], lang: str) -> list[tuple[str, str]]:
    """(command, description) pairs for a menu in ``lang``."""
    return [(name.removesuffix("_group"), t(lang, f"cmd_{name}")) for name in names]


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
    builder = (
        ApplicationBuilder()
        .token(token or settings.telegram_bot_token)
        .defaults(DEFAULTS)
        .context_types(CONTEXT_TYPES)
    )
    base_url = base_url or settings.telegram_api_base_url
    if base_url:
        builder = builder.base_url(base_url).base_file_url(
            base_file_url
            or settings.telegram_api_file_url
            or re.sub(r"/bot$", "/file/bot", base_url)
        )
    if rate_limiter:
        # Telegram's flood limits (30 msg/s overall, 20/min per group) and 429 retries.
        builder = builder.rate_limiter(StrictRateLimiter())
    application = builder.concurrent_updates(8).post_init(post_init).build()
    data: BotData = application.bot_data
    data.services = services
    data.conversation = Conversation(services, bot_username=settings.bot_username)
    data.limiter = RateLimiter(settings.rate_limit_per_minute, 60.0)
    register_handlers(application)
    return application


def register_handlers(app: Application) -> None:
    """Every handler, in order."""
    # Group -2: time every update (for the processing-time numbers in /stats and benchmarks).
    app.add_handler(TypeHandler(Update, _timing_start), group=-2)
    # Group -1: the access guard and rate limiter stop strangers before anything else runs.
    app.add_handler(TypeHandler(Update, core.guard), group=-1)

    app.add_handler(ChatMemberHandler(core.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CommandHandler("start", core.start))
    app.add_handler(CommandHandler("help", core.help_command))
    app.add_handler(CommandHandler("search", core.search_command))
    app.add_handler(CommandHandler("topics", core.topics_command))
    app.add_handler(CommandHandler("topic", core.topic_command))
    app.add_handler(CommandHandler("latest", core.latest_command))
    app.add_handler(CommandHandler("doc", core.doc_command))
    # "/doc_12" is tappable in Telegram; it is not a registered command, so match it first.
    app.add_handler(
        MessageHandler(filters.Regex(re.compile(r"^/doc_(\d+)(?:@\w+)?$")), core.doc_command)
    )
    app.add_handler(CommandHandler("classify", core.classify_command))
    app.add_handler(CommandHandler("lang", core.lang_command))
    app.add_handler(CommandHandler("digest", digest.digest_command))
    app.add_handler(CommandHandler("allow", admin.allow_command))
    app.add_handler(CommandHandler("deny", admin.deny_command))
    app.add_handler(CommandHandler("stats", admin.stats_command))
    app.add_handler(CommandHandler("reload", admin.reload_command))
    app.add_handler(CommandHandler("source", sources.source_command))
    app.add_handler(
        MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, admin.document_upload)
    )
    app.add_handler(CallbackQueryHandler(core.button))
    app.add_handler(InlineQueryHandler(core.inline_query))
    # Catch-all text handlers come after every command.
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, core.text_query)
    )
    app.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.ChatType.GROUPS & _AddressedToBot(),
            core.text_query,
        )
    )
    # Last: a command none of the above took ("/foo"); in groups other bots' commands are
    # none of our business, so private chats only.
    app.add_handler(
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, core.unknown_command)
    )
    app.add_handler(TypeHandler(Update, _timing_end), group=99)
    app.add_error_handler(errors.error_handler)


def schedule_jobs(application: Application) -> None:
    """Background work: index/model refresh, digests, feed polling."""
    queue = application.job_queue
    if queue is None:
        return
    queue.run_repeating(refresh, interval=REFRESH_SECONDS, first=REFRESH_SECONDS, name="refresh")
    queue.run_repeating(digest.send_due_digests, interval=DIGEST_SECONDS, first=5, name="digests")
    queue.run_repeating(sources.poll_sources, interval=FEED_SECONDS, first=15, name="feeds")


async def _timing_start(update: Update, context: Context) -> None:
    """Note when an update arrived."""
    context.bot_data.started[update.update_id] = time.perf_counter()


async def _timing_end(update: Update, context: Context) -> None:
    """Record how long an update took."""
    started = context.bot_data.started.pop(update.update_id, None)
    if started is not None:
        timings = context.bot_data.timings
        timings.append(time.perf_counter() - started)
        del timings[:-10_000]


async def post_init(application: Application) -> None:
    """Command menus per scope and language, and background jobs."""
    data: BotData = application.bot_data
    bot = application.bot
    data.conversation.bot_username = data.conversation.bot_username or (bot.username or "")
    for lang in ("vi", "en"):
        code = None if lang == "vi" else "en"
        await _set_commands(
            bot, menu(PRIVATE_COMMANDS, lang), BotCommandScopeAllPrivateChats(), code
        )
        await _set_commands(bot, menu(GROUP_COMMANDS, lang), BotCommandScopeAllGroupChats(), code)
        await _set_commands(
            bot,
            menu(GROUP_COMMANDS + GROUP_ADMIN_EXTRA, lang),
            BotCommandScopeAllChatAdministrators(),
            code,
        )
        for admin_id in data.access.admin_ids:
            await _set_commands(
                bot,
                menu(PRIVATE_COMMANDS + BOT_ADMIN_EXTRA, lang),
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


async def refresh(context: Context) -> None:
    """Job: pick up documents and model versions written by other processes, and classify
    what the active model has not classified yet."""
    try:
        await asyncio.to_thread(context.bot_data.services.refresh)
    except Exception as exc:  # the next tick retries; the database may be briefly away
        log.warning("refresh failed: %s", exc)


def make_bot(services: Services) -> ExtBot[None]:
    """A bot for one-off work outside the application (``partybot digest send``)."""
    settings = services.settings
    kwargs: dict[str, Any] = {}
    if settings.telegram_api_base_url:
        kwargs["base_url"] = settings.telegram_api_base_url
    return ExtBot(
        settings.telegram_bot_token,
        defaults=DEFAULTS,
        rate_limiter=StrictRateLimiter(),
        **kwargs,
    )


async def send_digests_now(services: Services, due: Sequence[int] = ()) -> Any:
    """Run one digest pass with a bot of our own, the chats in ``due`` made due first; returns
    the delivery report. Telegram unreachable, or refusing the token, is TelegramUnavailable
    before any chat is made due: a failed ``digest send`` had moved the chat's next digest
    to the time it failed, and printed a 138-line traceback (a tester's)."""
    from bot.digest.delivery import DigestDelivery, manual_delivery
    from bot.tg.sender import TelegramSender

    bot = make_bot(services)
    # python-telegram-bot logs a reply that is no JSON (a proxy's error page, a wrong
    # TELEGRAM_API_BASE_URL) with its traceback and the page: ours is the one line below.
    requests_log = logging.getLogger("telegram.request")
    level = requests_log.level
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        requests_log.setLevel(logging.CRITICAL)
    try:
        await bot.initialize()  # getMe: the token and the API, checked before anything
    except InvalidToken as exc:
        raise TelegramUnavailable(f"Telegram refused TELEGRAM_BOT_TOKEN ({exc})") from exc
    except NetworkError as exc:
        raise TelegramUnavailable(_unreachable(services, exc)) from exc
    finally:
        requests_log.setLevel(level)
    try:
        for chat_id in due:
            await asyncio.to_thread(manual_delivery, services, chat_id)
        return await DigestDelivery(
            services, TelegramSender(bot), bot_username=bot.username or ""
        ).run_once()
    finally:
        await bot.shutdown()


def _unreachable(services: Services, exc: Exception) -> str:
    """One line for a Bot API that failed: a reply that is no Bot API's (an HTML page) is
    named so, without the page ("cannot reach" with the page twice, a tester's)."""
    message = " ".join(str(exc).split())
    token = services.settings.telegram_bot_token
    if token:
        # A base URL without its "/bot" put the token into the URL's port, and the error
        # printed it whole (a tester's).
        message = message.replace(token, "***")
        if not _api_url(services).rstrip("/").endswith("/bot"):
            message += " (TELEGRAM_API_BASE_URL must end with /bot, e.g. http://localhost:8081/bot)"
    answered = message.split(". Parsing the server response", 1)
    if len(answered) == 2:
        return (
            f"the server at {_api_url(services)} answered {answered[0]}, not as the Telegram "
            "Bot API does (check TELEGRAM_API_BASE_URL)"
        )
    return f"cannot reach the Telegram Bot API at {_api_url(services)}: {message[:300]}"


def _api_url(services: Services) -> str:
    return services.settings.telegram_api_base_url or "https://api.telegram.org/bot"


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
    try:
        # getMe once before python-telegram-bot's own start, whose failure it logs as a
        # 240-line traceback: an unreachable API or a refused token is one line for the admin
        # (and nothing else has started yet).
        asyncio.run(_check_telegram(application))
        # Open (or rebuild) the search index while the bot starts, not on the first user's
        # query; in the background, so a webhook binds its port in time however long it takes.
        threading.Thread(
            target=_warm_search, args=(services,), name="warm-search", daemon=True
        ).start()
        if webhook:
            asyncio.run(serve_webhook(application, settings))
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken as exc:
        raise TelegramUnavailable(f"Telegram refused TELEGRAM_BOT_TOKEN ({exc})") from exc
    except NetworkError as exc:
        # Only the start gets here (getMe): once running, python-telegram-bot retries a
        # failed poll by itself.
        raise TelegramUnavailable(_unreachable(services, exc)) from exc


async def _check_telegram(application: Application) -> None:
    async with application.bot:  # initialize (getMe), then shut down: run starts it again
        pass


def _warm_search(services: Services) -> None:
    try:
        services.search.warm()
        # From now on a background thread catches up with the database, not users' searches.
        services.search.follow()
    except Exception as exc:  # the first search will try again (and report)
        log.warning("could not prepare the search index at start: %s", exc)


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
        await post_init(application)
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
