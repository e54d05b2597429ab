"""``partybot digest``: preview, send and list daily digests."""

from __future__ import annotations

import asyncio

import click

from bot.bounds import MAX_CHAT_ID
from bot.cli.main import FriendlyGroup, with_services
from bot.present.render import strip_tags


@click.group(cls=FriendlyGroup)
def digest() -> None:
    """Daily digests for chats.

    \b
    Example:
      partybot digest list
    """


@digest.command("preview")
@click.option(
    "--chat",
    "chat_id",
    type=click.IntRange(-MAX_CHAT_ID, MAX_CHAT_ID),
    required=True,
    help="Chat id (groups are negative).",
)
@click.option("--html", is_flag=True, help="Print the HTML Telegram would get.")
@with_services
def digest_preview(services, chat_id: int, html: bool) -> None:  # type: ignore[no-untyped-def]
    """Show what the chat's next digest holds now (sends nothing, changes nothing).

    \b
    Example:
      partybot digest preview --chat -1001234567890
    """
    from bot.digest.delivery import preview

    for n, part in enumerate(
        preview(services, chat_id, bot_username=services.settings.bot_username), start=1
    ):
        click.echo(f"--- message {n} ---")
        click.echo(part if html else strip_tags(part))


@digest.command("send")
@click.option(
    "--chat",
    "chat_ids",
    type=click.IntRange(-MAX_CHAT_ID, MAX_CHAT_ID),
    multiple=True,
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
    from bot.digest.delivery import manual_delivery, preview
    from bot.errors import ConfigError
    from bot.store.subscriptions import SubscriptionStore

    if not chat_ids and not send_all:
        raise click.UsageError("give --chat ID or --all")
    store = SubscriptionStore(services.db)
    targets = list(chat_ids) or [s.chat_id for s in store.list() if s.enabled]
    if not targets:
        click.echo("no enabled subscriptions (a chat subscribes with /digest on)")
        return
    if dry_run:
        for chat_id in targets:
            parts = preview(services, chat_id, bot_username=services.settings.bot_username)
            click.echo(f"chat {chat_id}: {len(parts)} message(s)")
            for part in parts:
                click.echo(strip_tags(part))
        return
    settings = services.settings
    if not settings.telegram_bot_token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    for chat_id in targets:
        manual_delivery(services, chat_id)

    from bot.tg.app import send_digests_now

    report = asyncio.run(send_digests_now(services))
    click.echo(
        f"sent {len(report.sent)}, empty {len(report.empty)}, failed {len(report.failed)}, "
        f"disabled {len(report.disabled)}, messages {report.messages}"
    )
    for chat_id, error in report.failed.items():
        click.echo(f"error: chat {chat_id}: {error}", err=True)
    for error in report.errors:
        click.echo(f"error: {error} (left for the next pass)", err=True)


@digest.command("list")
@with_services
def digest_list(services) -> None:  # type: ignore[no-untyped-def]
    """Chats with a digest: time, zone, topics, last delivery and failures.

    \b
    Example:
      partybot digest list
    """
    from bot.store.subscriptions import SubscriptionStore
    from bot.timeutil import format_date

    subs = SubscriptionStore(services.db).list()
    if not subs:
        click.echo("no subscriptions (a chat admin types /digest on)")
    for s in subs:
        state = "on " if s.enabled else "off"
        topics = ",".join(s.topics) if s.topics else "all"
        last = format_date(s.last_sent_at, with_time=True) or "never"
        due = format_date(s.next_due_at, with_time=True) or "-"
        extra = f" failures={s.failures} ({s.last_error})" if s.failures else ""
        reason = f" [{s.disabled_reason}]" if s.disabled_reason and not s.enabled else ""
        click.echo(
            f"{s.chat_id:>15} {state} {s.send_time} {s.timezone:18} topics={topics} last={last} next={due}{extra}{reason}"
        )


COMMANDS = [digest]
