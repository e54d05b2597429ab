"""The admin command line, ``partybot``.

Every command's ``--help`` ends with an example. Domain errors become one ``error:`` line and
exit code 1; wrong usage is click's exit code 2; nothing prints a traceback.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.errors import ConfigError, InputError, PartyBotError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

log = logging.getLogger("partybot")


class FriendlyGroup(click.Group):
    """A group that turns domain errors into one clear line and a non-zero exit."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for n, arg in enumerate(args, start=1):
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                if os.path.lexists(arg):
                    continue  # a file's name from an old archive: it can still be read
                # Bytes that are not UTF-8 (a terminal in another encoding) would reach the
                # database as surrogates and fail there with a traceback (a tester's).
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                click.echo(f"error: argument {n} is not UTF-8 text: {shown!r}", err=True)
                ctx.exit(2)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PartyBotError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # click quietly ends a run whose reader (| head) went away
            # A path the admin gave that cannot be read or written (missing folder, a folder
            # where a file was expected, disk full): one line, not a traceback.
            click.echo(f"error: {os_message(exc)}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


def os_message(exc: OSError) -> str:
    """``PATH: reason`` for a failed file operation (``No such file or directory``)."""
    reason = exc.strerror or exc.__class__.__name__
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason


def parsed_by(parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback reading an option's value with ``parse``: a value it refuses is a
    mistyped option, click's usage error (exit 2), as a bad --topic is (a bad --time was an
    `error:` line, exit 1; a tester's)."""

    def callback(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except InputError as exc:
            raise click.BadParameter(str(exc.args[0] if exc.args else exc)) from None

    return callback


def counted(n: int, one: str, many: str | None = None) -> str:
    """``1 document``, ``2 documents``: the noun agrees with the number."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def get_services(ctx: click.Context):  # type: ignore[no-untyped-def]
    """The per-command :class:`~bot.services.Services`, built on first use."""
    from bot.services import Services

    obj = ctx.ensure_object(dict)
    if "services" not in obj:
        obj["services"] = Services()
        ctx.call_on_close(obj["services"].close)
    return obj["services"]


def with_services(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: call ``func(services, ...)`` with the command's services."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return func(get_services(ctx), *args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def require_database_file() -> None:
    """A status command looks, it never creates: a SQLite file that is not there is an error
    (`index status` on a mistyped DATABASE_URL created an empty database and rebuilt the index
    from it, a tester's)."""
    from bot.config import get_settings

    url = get_settings().effective_database_url
    if url.startswith("sqlite:///") and url not in {"sqlite:///:memory:"}:
        path = Path(url.split("///", 1)[1])
        if not path.parent.is_dir():
            # The hint below would fail the same way (a tester's): the folder comes first.
            raise ConfigError(
                f"DATABASE_URL: no such folder {path.parent} (a SQLite file is created in an"
                " existing folder only)"
            )
        if not path.exists():
            raise ConfigError(
                f"no database at {path} (DATABASE_URL); `partybot db migrate` creates one"
            )


def with_existing_services(func: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`with_services` for a command that reads (or rebuilds from) the database: a
    missing SQLite file is an error, not a new empty library (`index rebuild` on a mistyped
    DATABASE_URL emptied the index, a tester's)."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        require_database_file()
        return func(get_services(ctx), *args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def err_console() -> Console:
    """The console for progress and errors: stderr, no colour guessing, long lines kept."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def progress(console: Console, label: str = "{task.description}") -> Progress:
    """The progress bar every long command shows; silent when stderr is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


@click.group(
    cls=FriendlyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.version_option(package_name="partybot")
def main(verbose: bool) -> None:
    """partybot: Party-building document assistant (admin tool).

    Configuration comes from the environment or a .env file (see .env.example);
    DATABASE_URL defaults to a SQLite file in ./data.

    \b
    Example:
      partybot ingest seeds/
      partybot docs list
    """
    import os

    from bot.logs import configure

    # The token is redacted from the first record on (PTB logs the API URL at DEBUG).
    secrets = [os.environ.get("TELEGRAM_BOT_TOKEN", ""), os.environ.get("WEBHOOK_SECRET", "")]
    try:
        from bot.config import get_settings

        settings = get_settings()
        secrets += [settings.telegram_bot_token, settings.webhook_secret]
    except PartyBotError:
        pass  # reported by the command that needs the settings
    configure(logging.DEBUG if verbose else logging.WARNING, secrets)
    # pypdf warns about each damaged PDF ("invalid pdf header"); ingest already reports the
    # file in one error line, so its warnings only show with --verbose.
    logging.getLogger("pypdf").setLevel(logging.NOTSET if verbose else logging.ERROR)


# --- ingest --------------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--jsonl",
    "jsonl_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help='JSONL file, one {"id","title","text","date"?,"url"?,"source"?} per line.',
)
@click.option("-q", "--quiet", is_flag=True, help="Only print failures and the summary.")
@with_services
def ingest(services, paths: tuple[Path, ...], jsonl_files: tuple[Path, ...], quiet: bool) -> None:  # type: ignore[no-untyped-def]
    """Add documents from files, folders (.txt .md .html .docx .pdf) and JSONL files.

    A .jsonl file named as a PATH is read like --jsonl. In a folder, files that are not
    read (other types, .jsonl, symbolic links) are listed as "skipped" and counted.
    The same content is never stored twice; a bad file or line is reported with its
    name (and line number) and the rest of the batch is still ingested. The exit code
    is 1 when anything failed.

    Limits: a document's text up to 2,000,000 characters; a .txt or .md file up to
    8,000,000 bytes and other files up to 20 MB (bigger ones are refused unread).

    \b
    Examples:
      partybot ingest seeds/
      partybot ingest report.docx notes.md --jsonl export.jsonl
    """
    from rich.console import Console

    from bot.corpus.ingest import (
        IngestReport,
        copies_of,
        ingest_documents,
        read_jsonl,
        read_paths,
    )
    from bot.corpus.readers import walk_paths

    if not paths and not jsonl_files:
        raise click.UsageError("give at least one PATH or --jsonl FILE (see --help)")
    out = Console(stderr=False, highlight=False, soft_wrap=True)
    err = err_console()
    total = sum(1 for _ in walk_paths(list(paths)))
    report = IngestReport()

    def show(label: str, result, message: str | None) -> None:  # type: ignore[no-untyped-def]
        if message:
            err.print(f"[red]error:[/] {message}", markup=True) if err.is_terminal else click.echo(
                f"error: {message}", err=True
            )
        elif not quiet and result is not None:
            verb = {"added": "added", "updated": "updated", "duplicate": "already present"}[
                result.status
            ]
            same = ""
            named = Path(re.sub(r":\d+$", "", label))  # "export.jsonl:6", a JSONL line
            if (
                result.status == "duplicate"
                and named.suffix.lower() not in {"", ".jsonl"}
                and named.stem not in result.external_id
            ):
                # Another file with the text of a stored document (its title and name were
                # dropped without a word, a tester's): stored once, as it was.
                same = " (the same text as that document; this file's title is not stored)"
            click.echo(f"{verb}: {result.external_id} (#{result.document_id}) {label}{same}")
            if result.status == "duplicate" and result.kept_earlier is not None:
                number, ext = result.kept_earlier
                click.echo(
                    f"warning: {ext} (#{number}) was not updated: {label} now has the text of "
                    f"{result.external_id} (#{result.document_id}); it keeps its earlier text "
                    f"(partybot docs delete '#{number}' removes it)",
                    err=True,
                )

    with progress(err) as bar:
        task = bar.add_task("ingesting", total=total or None)

        def tick(label: str, result, message: str | None) -> None:  # type: ignore[no-untyped-def]
            bar.advance(task)
            show(label, result, message)

        def skip(item) -> None:  # type: ignore[no-untyped-def]
            bar.advance(task)
            if not quiet:
                click.echo(f"skipped: {item}")

        if paths:
            part = ingest_documents(services, read_paths(list(paths)), progress=tick, on_skip=skip)
            _merge(report, part)
            for result in part.added[:500]:  # a file that copies a stored document: said
                for number, ext, alike in copies_of(services.documents, result.document_id):
                    click.echo(
                        f"warning: {result.external_id} (#{result.document_id}) has the title of "
                        f"{ext} (#{number}) and {alike:.0%} of its text: both are stored "
                        f"(partybot docs delete '#{result.document_id}' removes the copy)",
                        err=True,
                    )
        for jsonl in jsonl_files:
            part = ingest_documents(services, read_jsonl(jsonl), progress=tick)
            _merge(report, part)
    out.print(report.summary(), markup=False)
    if not report.ok:
        sys.exit(1)


def _merge(into, part) -> None:  # type: ignore[no-untyped-def]
    into.added += part.added
    into.updated += part.updated
    into.duplicates += part.duplicates
    into.failed += part.failed
    into.skipped += part.skipped


# --- docs ----------------------------------------------------------------------------------


@main.group(cls=FriendlyGroup)
def docs() -> None:
    """List, show and delete stored documents.

    \b
    Example:
      partybot docs list --limit 5
    """


def _fmt_date(value) -> str:  # type: ignore[no-untyped-def]
    from bot.timeutil import to_local

    if not value:
        return "—"
    local = to_local(value)
    # A date without a time ("Ngày 30/06/2024", a JSONL "2024-01-15") is midnight in
    # Vietnam: "00:00" would read as published at midnight.
    return local.strftime("%d/%m/%Y" if (local.hour, local.minute) == (0, 0) else "%d/%m/%Y %H:%M")


def topic_slug(services, typed: str) -> str:  # type: ignore[no-untyped-def]
    """--topic as a slug, a name or a phrase ("admission", "kết nạp đảng viên"), or a usage
    error listing the topics (or the ones it may mean)."""
    from bot.search.query import resolve_topic

    taxonomy = services.taxonomy
    found = resolve_topic(typed, taxonomy)
    if len(found) == 1:
        return found[0]
    options = found or taxonomy.slugs
    listed = ", ".join(f"{slug} ({taxonomy.get(slug).name('vi')})" for slug in options)
    if found:
        raise click.BadParameter(
            f"{typed[:60]!r} is in several topics: {listed}", param_hint="--topic"
        )
    raise click.BadParameter(
        f"unknown topic {typed[:60]!r}; one of: {listed}", param_hint="--topic"
    )


@docs.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, type=click.IntRange(0, 10**9))
@click.option("--topic", default=None, help="Only this topic: its slug, name or phrase.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@with_services
def docs_list(services, limit: int, offset: int, topic: str | None, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """Documents: dated ones newest first, then undated ones (last ingested first).

    \b
    Example:
      partybot docs list --topic admission --limit 10
    """
    from bot.timeutil import to_local

    topic = topic_slug(services, topic) if topic else None
    items = services.documents.list(limit=limit, offset=offset, topic=topic)
    if as_json:
        for d in items:
            click.echo(
                json.dumps(
                    {
                        "id": d.external_id,
                        "doc": d.id,
                        "title": d.title,
                        # Vietnam time with its offset: naive UTC read 15/06 as "06-14T17:00".
                        "date": to_local(d.published_at).isoformat() if d.published_at else None,
                        "url": d.url,
                        "topics": list(d.topics),
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not items:
        if topic or offset:
            # How many there are: "no documents here" past the end read as an empty list.
            total = services.documents.count(topic=topic)
            where = f" on topic {topic}" if topic else ""
            after = f"; none from offset {offset}" if total else ""
            click.echo(f"{counted(total, 'document')}{where}{after}")
        else:
            click.echo("no documents (add some with: partybot ingest seeds/)")
        return
    from bot.present.render import cut

    for d in items:
        topics = ",".join(d.topics) or "-"
        # Cut at a word, with "…": "…giám sát năm 202" read as another year (a tester's).
        title = cut(d.title, 80)
        click.echo(
            f"#{d.id:<5} {_fmt_date(d.published_at):16}  {title}  [{topics}]  ({d.external_id})"
        )
    # The footer counts what the list lists (it gave every document's number), and says how
    # to see the rest ("168 in total" under 20 rows read as rows missing, a tester's).
    total = services.documents.count(topic=topic)
    what = f"on topic {topic}" if topic else "in total"
    shown = f"{offset + 1}-{offset + len(items)}"
    footer = f"{counted(total, 'document')} {what}; shown {shown}"
    if offset + len(items) < total:
        footer += f" (next: --offset {offset + len(items)})"
    click.echo(footer)


@docs.command("show")
@click.argument("ref")
@click.option("--external", is_flag=True, help="REF is an external id, even if it is a number.")
@with_services
def docs_show(services, ref: str, external: bool) -> None:  # type: ignore[no-untyped-def]
    """Show one document by number (12 or #12) or external id.

    \b
    Example:
      partybot docs show 000_e304ba77d5c08879
    """
    d = services.documents.get(ref, external=external, strict=True)
    click.echo(d.title)
    click.echo(f"id: {d.external_id} (#{d.id})   date: {_fmt_date(d.published_at)}")
    for label, value in (("source", d.source), ("author", d.author), ("url", d.url)):
        if value:
            click.echo(f"{label}: {value}")
    if d.topics:
        click.echo("topics: " + ", ".join(f"{t} {s:.2f}" for t, s in d.topics.items()))
    click.echo("")
    click.echo(d.text)


@docs.command("delete")
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--external", is_flag=True, help="REF is an external id, even if it is a number.")
@with_services
def docs_delete(services, ref: str, yes: bool, external: bool) -> None:  # type: ignore[no-untyped-def]
    """Delete a document (it also leaves the search index).

    Asks for confirmation first (the default answer is no); --yes skips the question. A
    document fetched from a source is not fetched again: deleting it keeps it out.

    \b
    Example:
      partybot docs delete 12 --yes
    """
    d = services.documents.get(ref, external=external, strict=True)
    if not yes:
        # Always ask, piped or not: "n", an empty answer or EOF abort (exit 1, nothing deleted),
        # saying how to delete without the question (a script saw only "Aborted!").
        try:
            sure = click.confirm(f"Delete #{d.id} {d.title!r}?", default=False, err=True)
        except click.Abort:  # end of input
            click.echo("", err=True)
            sure = False
        if not sure:
            raise InputError("not deleted (answer y, or pass --yes)")
    services.documents.delete(d.id)
    services.after_documents_changed([])
    click.echo(f"deleted #{d.id} {d.external_id}")


# --- db ------------------------------------------------------------------------------------


@main.group(cls=FriendlyGroup)
def db() -> None:
    """Database schema management.

    \b
    Example:
      DATABASE_URL=postgresql://localhost/partybot partybot db migrate
    """


@db.command("migrate")
def db_migrate() -> None:
    """Create or upgrade the schema (safe to run again, and from two processes).

    \b
    Example:
      partybot db migrate
    """
    from bot.config import get_settings
    from bot.store.db import Database

    settings = get_settings()
    database = Database(
        settings.effective_database_url, create_folder=settings.creates_database_folder
    )
    try:
        applied = database.migrate()
        # Read after: another process may have migrated while this one waited for the lock.
        version = database.current_version()
    finally:
        database.dispose()
    if not applied:
        click.echo(f"schema is up to date (version {version})")
    for m in applied:
        click.echo(f"applied {m.version}: {m.name}")


@db.command("status")
def db_status() -> None:
    """Show the database URL (without password) and schema version.

    \b
    Example:
      partybot db status
    """
    from bot.config import get_settings
    from bot.store.db import LATEST_VERSION, Database, safe_url

    require_database_file()
    settings = get_settings()
    url = settings.effective_database_url
    database = Database(url, create_folder=settings.creates_database_folder)
    try:
        version = database.current_version()
    finally:
        database.dispose()
    click.echo(f"database: {safe_url(url)}")
    click.echo(f"schema version: {version} (latest {LATEST_VERSION})")


# --- main job --------------------------------------------------------------------------------


@main.command()
@click.argument("query", nargs=-1)
@with_services
def start(services, query: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """Set up and run: migrate, load the seeds into an empty database, then serve.

    With QUERY it answers that one query and exits; without one it runs the Telegram bot
    when TELEGRAM_BOT_TOKEN is set, else the offline console chat.

    \b
    Example:
      partybot start "kết nạp đảng viên"
    """
    from bot.corpus.ingest import ingest_documents, read_paths

    if services.documents.count() == 0:
        report = ingest_documents(services, read_paths([services.settings.seeds_dir]))
        click.echo(f"loaded seed documents: {report.summary()}")
    if services.settings.telegram_bot_token and not query:
        from bot.tg.app import run_bot

        run_bot(services)
        return
    if not query:
        from bot.present.console import run_console

        run_console(services)
        return
    from bot.present.plain import render_results

    click.echo(render_results(services, " ".join(query)))
