"""The offline console chat: the bot's conversation in a terminal, no Telegram needed."""

from __future__ import annotations

import re
import sys
from typing import TextIO

from bot.bounds import parse_int, parse_page
from bot.errors import PartyBotError
from bot.present.conversation import Context, Conversation
from bot.present.messages import t
from bot.present.render import Reply, strip_tags
from bot.services import Services


def render_plain(reply: Reply, out: TextIO) -> list[str]:
    """Print a reply as plain text; returns the callback data of its numbered buttons."""
    out.write(strip_tags(reply.html).strip() + "\n")
    actions: list[str] = []
    rows: list[str] = []
    for row in reply.buttons:
        labels: list[str] = []
        for button in row:
            if button.data and button.data != "noop":
                actions.append(button.data)
                labels.append(f"[{len(actions)}] {button.text}")
            elif button.url:
                labels.append(f"{button.text}: {button.url}")
        if labels:
            rows.append("  ".join(labels))
    # A row of buttons per line, as Telegram shows them (eight topics on one line could not
    # be read); short one-button rows (the examples) side by side.
    if rows and all(len(r) <= 30 for r in rows):
        out.write("  ".join(rows) + "\n")
    elif rows:
        out.write("\n".join(rows) + "\n")
    return actions


def handle_line(
    conversation: Conversation, ctx: Context, line: str, actions: list[str]
) -> list[Reply]:
    """Answer one line typed in the console, the way the bot would in a private chat."""
    line = line.strip()
    if len(line) <= 4 and line.startswith("[") and line.endswith("]"):
        line = line[1:-1].strip()  # "[2]", a button's number as the console prints it
    if 2 <= len(line) <= 3 and line[-1] in ".)" and line[:-1].isdigit():
        line = line[:-1]  # "1." or "1)", as a phone keyboard types a number (searched "1")
    choice = parse_int(line, low=1, high=len(actions))
    if choice is not None:
        reply = conversation.callback(ctx, actions[choice - 1])
        return [reply] if reply else []
    if parse_int(line, low=0, high=99) is not None and len(line) <= 2:
        # A number is how buttons are pressed here: one that is no button is a slip, not a
        # search for "7" (a year or a code has more digits, and still searches).
        if len(actions) == 1:
            return [Reply(t(ctx.lang, "console_one_button", n=line))]
        if actions:
            return [Reply(t(ctx.lang, "console_no_button", n=line, last=len(actions)))]
        return [Reply(t(ctx.lang, "console_no_buttons", n=line))]
    if line.startswith("/"):
        # Any white space after the command: a tab or a no-break space pasted from a web page
        # made "/doc\u00a03" an unknown command (a tester's).
        command, _, rest = re.sub(r"\s", " ", line[1:], count=1).partition(" ")
        command = command.split("@", 1)[0].lower()
        if command.startswith("doc_") and command[4:].isdigit():
            # As Telegram's /doc_N handler: any number, "not found" for one that is none
            # ("/doc_0" was "no such command", "/doc 0" "not found": a tester's).
            return [conversation.document(ctx, command[4:])]
        simple = {
            "start": lambda: conversation.start(ctx, "", rest or None),
            "help": lambda: [conversation.help(ctx)],
            "search": lambda: [conversation.search(ctx, rest)],
            "topics": lambda: [conversation.topics(ctx)],
            "topic": lambda: [
                conversation.topic(ctx, rest) if rest else Reply(t(ctx.lang, "topic_usage"))
            ],
            "latest": lambda: [conversation.latest(ctx, parse_page(rest) or 1)],
            "doc": lambda: [conversation.document(ctx, rest)],
            "classify": lambda: [conversation.classify(ctx, rest)],
        }
        if command == "lang":
            if rest.strip().lower() not in ("vi", "en"):
                return [Reply(t(ctx.lang, "lang_usage"))]
            ctx.lang = rest.strip().lower()
            return [Reply(t(ctx.lang, "lang_set"))]
        if command == "digest":
            return [Reply(t(ctx.lang, "console_no_digest"))]
        if command in simple:
            return simple[command]()
        return [conversation.unknown_command(ctx, line)]
    return [conversation.message(ctx, line)]


def run_console(
    services: Services, *, lang: str = "vi", stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> None:
    """Read lines until EOF or /quit and print the bot's answers."""
    conversation = Conversation(services, bot_username=services.settings.bot_username)
    ctx = Context(lang=lang, user_id=0, is_admin=True)
    stdout.write(t(lang, "console_intro") + "\n")
    actions: list[str] = []
    for reply in conversation.start(ctx, ""):
        actions = render_plain(reply, stdout)
    interactive = stdin.isatty()
    if hasattr(stdin, "reconfigure"):
        # A terminal in another encoding (or piped bytes) must not end the session.
        stdin.reconfigure(errors="replace")
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        words = line.split()
        command = words[0].lower() if words else ""
        # "/quit" with anything after it still quits; "quit" or "exit" only typed alone.
        if not line or command in {"/quit", "/exit"} or words in (["quit"], ["exit"]):
            break
        if not line.strip():
            continue
        try:
            replies = handle_line(conversation, ctx, line, actions)
        except PartyBotError as exc:
            stdout.write(f"error: {exc}\n")
            continue
        for reply in replies:
            actions = render_plain(reply, stdout) or actions
        stdout.flush()
