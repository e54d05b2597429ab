"""``partybot digest``: preview, send and list daily digests."""

from __future__ import annotations

import asyncio

import click

from bot.bounds import MAX_CHAT_ID
from bot.cli.main import FriendlyGroup, parsed_by, topic_slug, with_services
from bot.present.render import strip_tags
from bot.timeutil import parse_time, parse_timezone


@click.group(cls=FriendlyGroup)
def digest() -> None:
    """Daily digests for chats.

    \b
    Example:
      partybot digest list
    """


def _no_zero(
    _ctx: click.Context, _param: click.Parameter, value: int | tuple[int, ...] | None
) -> int | tuple[int, ...] | None:
    # Telegram has no chat 0; `users allow 0` refuses it the same way.
    if value == 0 or (isinstance(value, tuple) and 0 in value):
        raise click.BadParameter("0 is no user or chat id")
    return value


_CHAT = click.option(
    "--chat",
    "chat_id",
    type=click.IntRange(-MAX_CHAT_ID, MAX_CHAT_ID),
    required=True,
    callback=_no_zero,
    help="Chat id (groups are negative).",
)


def _warn_if_not_served(services, chat_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Warn that a chat the bot does not serve (a group not allowed, or a private chat whose
    user is not) gets no digest until it is: the schedule passes it over, so its documents
    never reach a chat that was denied. True when it is served."""
    if services.access.chat_served(chat_id):
        return True
    click.echo(
        f"warning: chat {chat_id} is not allowed: it gets no digest and no answers until it "
        f"is (partybot users allow {chat_id})",
        err=True,
    )
    return False


@digest.command("on")
@_CHAT
@click.option(
    "--time",
    "send_time",
    default=None,
    callback=parsed_by(parse_time),
    help="HH:MM in the chat's time zone.",
)
@click.option(
    "--topic",
    "topics",
    multiple=True,
    help="Only this topic (slug, name or phrase); repeat for more; 'all' for every topic. "
    "Without it, the chat keeps the topics it has.",
)
@click.option(
    "--tz",
    "tz_name",
    default=None,
    callback=parsed_by(lambda value: parse_timezone(value.strip())),
    help="The chat's IANA time zone (Asia/Bangkok).",
)
@with_services
def digest_on(  # type: ignore[no-untyped-def]
    services, chat_id: int, send_time: str | None, topics: tuple[str, ...], tz_name: str | None
) -> None:
    """Turn a chat's daily digest on, as /digest on does in the chat (for a chat the admin
    is not in, or to try digests without Telegram with 'digest preview'). Run again to
    change its time, topics or zone.

    \b
    Example:
      partybot digest on --chat -1001234567890 --time 07:30 --topic admission
      partybot digest on --chat -1001234567890 --topic all --tz Asia/Bangkok
    """
    from bot.store.subscriptions import SubscriptionStore
    from bot.timeutil import zone_label

    # Checked before anything is stored: a bad zone after a stored time was half a change.
    every = [typed for typed in topics if typed.strip().lower() in ("all", "*")]
    if every and len(every) < len(topics):
        raise click.UsageError("--topic all cannot go with other topics")
    slugs = tuple(dict.fromkeys(topic_slug(services, typed) for typed in topics if not every))
    store = SubscriptionStore(services.db)
    sub = store.enable(chat_id, send_time)
    if tz_name is not None and tz_name != sub.timezone:
        sub = store.set_timezone(chat_id, tz_name)
    if every:
        sub = store.set_topics(chat_id, None)  # every topic, as /digest topics all
    elif slugs:
        sub = store.set_topics(chat_id, list(slugs))
    about = ", ".join(sub.topics) if sub.topics else "every topic"
    click.echo(f"digest on for chat {chat_id}: {sub.send_time} {zone_label(sub.timezone)}, {about}")
    _warn_if_not_served(services, chat_id)


@digest.command("off")
@_CHAT
@with_services
def digest_off(services, chat_id: int) -> None:  # type: ignore[no-untyped-def]
    """Turn a chat's daily digest off (its settings are kept for 'digest on').

    \b
    Example:
      partybot digest off --chat -1001234567890
    """
    from bot.store.subscriptions import SubscriptionStore

    store = SubscriptionStore(services.db)
    store.require(chat_id)
    store.disable(chat_id, "turned off with partybot digest off")
    click.echo(f"digest off for chat {chat_id}")


@digest.command("preview")
@_CHAT
@click.option("--html", is_flag=True, help="Print the HTML Telegram would get.")
@with_services
def digest_preview(services, chat_id: int, html: bool) -> None:  # type: ignore[no-untyped-def]
    """Show what the chat's next digest holds now (sends nothing, changes nothing).

    \b
    Example:
      partybot digest preview --chat -1001234567890
    """
    from bot.digest.delivery import preview_digest
    from bot.store.subscriptions import SubscriptionStore

    # Without a subscription there is no "next digest": preview() would show a sample of the
    # latest documents, which reads as if the chat were subscribed.
    sub = SubscriptionStore(services.db).require(chat_id)
    if not sub.enabled:
        # Previewed as if on, without a word: a tester's chat whose digest was off.
        reason = f" ({sub.disabled_reason})" if sub.disabled_reason else ""
        click.echo(
            f"note: the digest of chat {chat_id} is off{reason}; this is what it would get "
            f"(partybot digest on --chat {chat_id} turns it on)",
            err=True,
        )
    _warn_if_not_served(services, chat_id)  # this is what it would get, once allowed
    username = services.settings.bot_username
    found = preview_digest(services, chat_id, bot_username=username)
    parts = found.messages
    if found.empty and services.documents.count():
        # Nothing new yet: right after `digest on` that is always so, and the preview showed
        # only that (a tester's). The latest documents as the digest would show them.
        click.echo(
            "note: nothing new for this chat since its last digest (or since it subscribed); "
            "below, a sample: how its digest would show the latest documents (not new to it)",
            err=True,
        )
        parts = preview_digest(services, chat_id, bot_username=username, sample=True).messages
    for n, part in enumerate(parts, start=1):
        click.echo(f"--- message {n} ---")
        click.echo(part if html else strip_tags(part))


@digest.command("send")
@click.option(
    "--chat",
    "chat_ids",
    type=click.IntRange(-MAX_CHAT_ID, MAX_CHAT_ID),
    multiple=True,
    callback=_no_zero,
    help="Chat id; repeat for several.",
)
@click.option("--all", "send_all", is_flag=True, help="Every enabled subscription.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
@with_services
def digest_send(services, chat_ids: tuple[int, ...], send_all: bool, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    """Send digests now through the same exactly-once path as the schedule.

    \b
    Examples:
      partybot digest send --chat -1001234567890
      partybot digest send --all --dry-run
    """
    from bot.digest.delivery import preview_digest
    from bot.errors import ConfigError
    from bot.store.subscriptions import SubscriptionStore

    if not chat_ids and not send_all:
        raise click.UsageError("give --chat ID or --all")
    store = SubscriptionStore(services.db)
    for chat_id in chat_ids:
        # Checked before anything is sent: the dry run would show an invented digest and the
        # real send would quietly subscribe the chat.
        store.require(chat_id)
    targets = list(chat_ids) or [s.chat_id for s in store.list() if s.enabled]
    if not targets:
        click.echo("no enabled subscriptions (a chat subscribes with /digest on)")
        return
    # A digest turned off stays off: "send now" had turned it back on, daily from the next
    # day, and said nothing (a tester's).
    off = {chat_id for chat_id in targets if not store.require(chat_id).enabled}
    for chat_id in sorted(off):
        click.echo(
            f"chat {chat_id}: skipped, its digest is off (partybot digest on --chat {chat_id})"
        )
    targets = [chat_id for chat_id in targets if chat_id not in off]
    if not targets:
        return
    served = [chat_id for chat_id in targets if _warn_if_not_served(services, chat_id)]
    if dry_run:
        for chat_id in targets:
            if chat_id not in served:
                click.echo(f"chat {chat_id}: skipped (not allowed)")
                continue
            found = preview_digest(services, chat_id, bot_username=services.settings.bot_username)
            if found.empty and not store.require(chat_id).notify_empty:
                # What the send does: nothing (it showed the "nothing new" notice, which
                # only a chat with /digest empty on gets; a tester's).
                click.echo(f"chat {chat_id}: nothing new, no message")
                continue
            click.echo(f"chat {chat_id}: {len(found.messages)} message(s)")
            for part in found.messages:
                click.echo(strip_tags(part))
        return
    settings = services.settings
    if not settings.telegram_bot_token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    from bot.tg.app import send_digests_now

    report = asyncio.run(send_digests_now(services, due=targets))
    click.echo(
        f"sent {len(report.sent)}, empty {len(report.empty)}, failed {len(report.failed)}, "
        f"disabled {len(report.disabled)}, messages {report.messages}"
    )
    for chat_id, error in report.failed.items():
        click.echo(f"error: chat {chat_id}: {error}", err=True)
    for error in report.errors:
        click.echo(f"error: {error} (left for the next pass)", err=True)
    if report.failed or report.errors:
        # A script or cron job must see that a digest did not go (it exited 0; a tester's).
        raise SystemExit(1)


@digest.command("list")
@with_services
def digest_list(services) -> None:  # type: ignore[no-untyped-def]
    """Chats with a digest: time, zone, topics, last and next delivery (in the chat's zone)
    and failures.

    \b
    Example:
      partybot digest list
    """
    from zoneinfo import ZoneInfo

    from bot.store.subscriptions import SubscriptionStore
    from bot.timeutil import format_date, zone_label

    subs = SubscriptionStore(services.db).list()
    if not subs:
        click.echo("no subscriptions (a chat admin types /digest on)")
    for s in subs:
        state = "on " if s.enabled else "off"
        topics = ",".join(s.topics) if s.topics else "all"
        # In the chat's own zone, as its time is: "12:35 UTC … next 19:35" (Vietnam time,
        # unlabelled) read as a wrong schedule (a tester's).
        zone = ZoneInfo(s.timezone)
        last = format_date(s.last_sent_at, with_time=True, tz=zone) or "never"
        # An off digest is due never; a chat the bot does not serve is passed over.
        due = (format_date(s.next_due_at, with_time=True, tz=zone) or "-") if s.enabled else "-"
        extra = f" failures={s.failures} ({s.last_error})" if s.failures else ""
        reason = f" [{s.disabled_reason}]" if s.disabled_reason and not s.enabled else ""
        if s.enabled and not services.access.chat_served(s.chat_id):
            reason += " [not allowed: skipped until allowed]"
        click.echo(
            f"{s.chat_id:>15} {state} {s.send_time} {zone_label(s.timezone):18} topics={topics} last={last} next={due}{extra}{reason}"
        )


COMMANDS = [digest]
