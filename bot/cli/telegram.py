"""CLI commands for the bot: run it, chat offline, manage who may use it."""

from __future__ import annotations

import click

from bot.bounds import MAX_CHAT_ID
from bot.cli.main import FriendlyGroup, with_services


@click.command()
@click.option("--webhook", is_flag=True, help="Serve a webhook on $PORT instead of long polling.")
@with_services
def run(services, webhook: bool) -> None:  # type: ignore[no-untyped-def]
    """Run the Telegram bot until SIGINT/SIGTERM (needs TELEGRAM_BOT_TOKEN).

    TELEGRAM_API_BASE_URL points it at another Bot API server (a local one, Telegram's
    test environment or a fake).

    \b
    Example:
      TELEGRAM_BOT_TOKEN=123:abc partybot run
    """
    from bot.errors import ConfigError
    from bot.tg.app import run_bot

    if not services.settings.telegram_bot_token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set (try the offline chat: partybot chat)")
    run_bot(services, webhook=webhook)


@click.command()
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@with_services
def chat(services, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Talk to the bot in the terminal, without Telegram.

    Type a query or a command (/help, /topics, /latest, /doc 3, /classify …); type the number
    of a button to press it; /quit leaves.

    \b
    Example:
      partybot chat
    """
    from bot.present.console import run_console

    run_console(services, lang=lang)


@click.group(cls=FriendlyGroup)
def users() -> None:
    """Who may use the bot (ACCESS_MODE=allowlist) — users and groups.

    \b
    Example:
      partybot users allow 123456789
    """


class ChatId(click.ParamType):
    """A Telegram user id (positive) or group chat id (negative), never 0."""

    name = "ID"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        """The id as an int, or a usage error that says what an id is."""
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"{str(value)[:40]!r} is no user or chat id (a number)", param, ctx)
        if number == 0:
            self.fail("0 is no user or chat id", param, ctx)
        if not -MAX_CHAT_ID <= number <= MAX_CHAT_ID:
            self.fail(f"{number} is out of the range of Telegram ids", param, ctx)
        return number


# A group's id is negative ("-1001234567890"): an argument, not an unknown option.
_NEGATIVE_IDS = {"ignore_unknown_options": True}
_IDS = click.argument("ids", nargs=-1, type=ChatId(), required=True)


MAX_NOTE = 200


def _short_note(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    # A note is a label in `users list`: a 5,000-character one filled the terminal.
    if value is not None and len(" ".join(value.split())) > MAX_NOTE:
        raise click.BadParameter(f"at most {MAX_NOTE} characters")
    # One line, as a source's name: a newline in it made a row of its own (a tester's).
    return " ".join(value.split()) if value is not None else None


@users.command("allow", context_settings=_NEGATIVE_IDS)
@_IDS
@click.option(
    "--note",
    default=None,
    callback=_short_note,
    help=f"Who this is, for your own records (at most {MAX_NOTE} characters).",
)
@with_services
def users_allow(services, ids: tuple[int, ...], note: str | None) -> None:  # type: ignore[no-untyped-def]
    """Allow user ids (positive) or group chat ids (negative).

    \b
    Example:
      partybot users allow 123456789 -1001234567890 --note "Ban Tổ chức"
    """
    access = _access(services)
    for target in ids:
        if target < 0:
            access.set_chat(target, allowed=True, label=note)
        else:
            access.set_user(target, "allowed", note)
        click.echo(f"allowed {target}")


@users.command("deny", context_settings=_NEGATIVE_IDS)
@_IDS
@with_services
def users_deny(services, ids: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    """Remove access for user or group ids.

    \b
    Example:
      partybot users deny 123456789
    """
    access = _access(services)
    for target in ids:
        access.deny(target)
        click.echo(f"denied {target}")
        if access.is_admin(target):
            # ADMIN_IDS wins: an admin is never locked out of their own bot by the database.
            click.echo(f"warning: {target} is in ADMIN_IDS and stays an admin", err=True)


@users.command("list")
@with_services
def users_list(services) -> None:  # type: ignore[no-untyped-def]
    """Show admins, allowed and denied users, and known groups.

    \b
    Example:
      partybot users list
    """
    access = _access(services)
    click.echo(f"access mode: {access.mode}")
    click.echo(
        "admins: " + (", ".join(str(i) for i in sorted(access.admin_ids)) or "none (set ADMIN_IDS)")
    )
    for record in access.list_users():
        note = f"  {record.note}" if record.note else ""
        if access.is_admin(record.user_id) and record.status == "denied":
            note += "  (in ADMIN_IDS: still an admin)"
        click.echo(f"user {record.user_id:>14}  {record.status:8} lang={record.lang or '-'}{note}")
    for chat in access.list_chats():
        # The users' words and columns: "not allowed" for a chat `users deny` had "denied"
        # pushed its columns out of line (a tester's).
        state = "allowed" if chat.allowed else "denied"
        # Allowed here before the bot was added: "member" read as the bot's state in it.
        where = ("member" if chat.member else "left") if chat.seen else "not seen yet"
        click.echo(f"chat {chat.chat_id:>14}  {state:8} {where:12} {chat.title or ''}".rstrip())


def _access(services):  # type: ignore[no-untyped-def]
    return services.access


COMMANDS = [run, chat, users]
