"""``partybot sources`` and ``partybot fetch``."""

from __future__ import annotations

import asyncio
import sys
import unicodedata
from typing import Any

import click

from bot.cli.main import FriendlyGroup, err_console, parsed_by, progress, with_services
from bot.corpus.urls import redacted_url


@click.group(cls=FriendlyGroup)
def sources() -> None:
    """Feeds (RSS/Atom) and article URLs the bot polls for new documents.

    \b
    Example:
      partybot sources add https://baoxyz.vn/rss/xay-dung-dang.rss --name "Báo XYZ" --every 30m
    """


def _every(value: str) -> int:
    from bot.feeds.sources import parse_every  # the feeds package is slow to import

    return parse_every(value)


@sources.command("add")
@click.argument("url")
@click.option("--name", default=None, help="A readable name for the source.")
@click.option(
    "--every",
    default="30m",
    show_default=True,
    callback=parsed_by(lambda value: _every(value)),
    help="Poll interval: 15m, 2h, 1d.",
)
@click.option(
    "--no-check", is_flag=True, help="Add without fetching the URL once to see what it is."
)
@with_services
def sources_add(services, url: str, name: str | None, every: int, no_check: bool) -> None:  # type: ignore[no-untyped-def]
    """Add a feed or a single article URL, after fetching it once to say what it is (a
    warning when it is neither, or does not answer: it is added all the same).

    \b
    Example:
      partybot sources add https://baoxyz.vn/rss/home.rss --every 1h
    """
    from bot.errors import FetchError
    from bot.feeds.poller import probe
    from bot.feeds.sources import every_text
    from bot.store.sources import SourceStore

    source = SourceStore(services.db).add(url, name=name, every_seconds=every)
    click.echo(
        f"added source #{source.id} {redacted_url(source.url)} (every {every_text(source.every_seconds)})"
    )
    if no_check:
        return
    try:
        click.echo(f"checked: {asyncio.run(probe(source.url))}")
    except FetchError as exc:
        click.echo(
            f"warning: {redacted_url(source.url)}: {exc}; polls will fail until it is fixed "
            f"(partybot sources check {source.id} tries again, sources remove {source.id} "
            "removes it)",
            err=True,
        )


@sources.command("list")
@with_services
def sources_list(services) -> None:  # type: ignore[no-untyped-def]
    """Sources with their last check, failures and last error.

    \b
    Example:
      partybot sources list
    """
    from bot.feeds.sources import every_text
    from bot.store.sources import SourceStore
    from bot.timeutil import format_date

    store = SourceStore(services.db)
    items = store.list()
    failing = store.failing_entries()
    if not items:
        click.echo("no sources (add one with: partybot sources add URL)")
    for s in items:
        checked = format_date(s.last_checked_at, with_time=True) or "never"
        due = format_date(s.next_check_at, with_time=True) or "-"
        state = "ok" if not s.failures else f"FAILING x{s.failures}: {s.last_error}"
        if s.last_checked_at is None:
            state = "unchecked"  # "ok" before its first poll read as if it had worked
        elif failing.get(s.id):
            n = failing[s.id]
            state += f" ({n} entr{'y' if n == 1 else 'ies'} failing: sources check {s.id})"
        click.echo(
            f"#{s.id:<4} {s.kind if s.last_checked_at else '-':7} every {every_text(s.every_seconds):>5}  checked {checked:16} next {due:16} {_shown(state)}  {_shown(s.name or '')} {_shown(redacted_url(s.url))}"
        )


def _shown(text: str) -> str:
    """``text`` safe for one terminal row: a control character in a name stored before names
    were checked (or in a server's error) is shown escaped, not obeyed."""
    from bot.store.sources import BIDI_CONTROLS

    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in ("Cc", "Zl", "Zp")
        or unicodedata.bidirectional(char) in BIDI_CONTROLS
        else char
        for char in text
    )


@sources.command("remove")
@click.argument("ref")
@with_services
def sources_remove(services, ref: str) -> None:  # type: ignore[no-untyped-def]
    """Remove a source by number or URL (its documents stay).

    \b
    Example:
      partybot sources remove 3
    """
    from bot.store.sources import SourceStore

    source = SourceStore(services.db).remove(ref)
    click.echo(f"removed source #{source.id} {redacted_url(source.url)}")


@sources.command("check")
@click.argument("ref", required=False)
@with_services
def sources_check(services, ref: str | None) -> None:  # type: ignore[no-untyped-def]
    """Poll one source (or all) now, whatever their schedule, failed entries tried again.

    Each failed source and entry is printed with its URL; the exit code is 1 when any failed.

    \b
    Example:
      partybot sources check 3
    """
    from bot.store.sources import SourceStore

    store = SourceStore(services.db)
    only = [store.get(ref)] if ref else store.list()
    report = _polled(services, only=only, retry_now=True)
    _print_report(report)


@click.command()
@with_services
def fetch(services) -> None:  # type: ignore[no-untyped-def]
    """Poll every due source once and store new documents.

    Each failed source and entry is printed with its URL and the reason; the exit code is
    1 when any source or entry failed (0 when everything was stored or already known).

    \b
    Example:
      partybot fetch
    """
    _print_report(_polled(services))


def _polled(services, **options: Any):  # type: ignore[no-untyped-def]
    """A poll, with a progress line while it runs (a tester's `fetch` was silent for 82 s,
    one request per host per second)."""
    from bot.feeds.poller import Poller, PollReport

    report = PollReport()

    async def run() -> PollReport:
        with progress(err_console()) as bar:
            task = bar.add_task("fetching", total=None)
            polling = asyncio.ensure_future(Poller(services).poll_due(report=report, **options))
            while not polling.done():
                bar.update(
                    task,
                    completed=report.entries,
                    description=f"fetching: {report.sources} sources, {report.stored} stored",
                )
                await asyncio.wait([polling], timeout=0.2)
            return polling.result()

    return asyncio.run(run())


def _print_report(report) -> None:  # type: ignore[no-untyped-def]
    from bot.feeds.poller import MAX_ENTRIES

    click.echo(report.summary())
    for url, error in report.failed_sources.items():
        click.echo(f"error: {redacted_url(url)}: {error}", err=True)
    for entry, error in report.failed_entries:
        click.echo(f"error: entry {redacted_url(entry)}: {error}", err=True)
    for entry, near in report.near_of:
        click.echo(f"near-duplicate: {redacted_url(entry)} ≈ #{near} (not stored)")
    for entry, when in report.future:
        click.echo(
            f"note: entry {redacted_url(entry)}: dated {when.isoformat()}, after this poll: "
            "stored as of now",
            err=True,
        )
    for url, waiting in report.left.items():
        click.echo(
            f"note: {redacted_url(url)}: {waiting:,} more entries wait for the next poll "
            f"(at most {MAX_ENTRIES} new ones a poll)",
            err=True,
        )
    for url, streak in report.stopped.items():
        click.echo(
            f"note: {redacted_url(url)}: {streak} entries failed in a row; "
            "its other entries wait for the next poll",
            err=True,
        )
    if not report.ok:
        sys.exit(1)  # like ingest: a script or cron job must see that something failed


COMMANDS = [sources, fetch]
