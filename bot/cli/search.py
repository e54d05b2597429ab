"""``partybot search | summarize | index``: search from the command line and index upkeep."""

from __future__ import annotations

import json
import shlex

import click

from bot.bounds import MAX_LIMIT, MAX_OFFSET
from bot.cli.main import (
    FriendlyGroup,
    err_console,
    progress,
    topic_slug,
    with_existing_services,
    with_services,
)
from bot.errors import InputError


def _engine(services):  # type: ignore[no-untyped-def]
    engine = services.search
    if engine is None:  # pragma: no cover - tantivy is a hard dependency
        raise InputError("search is not available (tantivy is not installed)")
    return engine


MAX_SHOWN_SOURCES = 20  # a large corpus has hundreds of outlets: name a few, count the rest


def _check_source(services, source: str) -> None:  # type: ignore[no-untyped-def]
    """A --source no document has is a mistake (as an unknown --topic is), not "0 documents"."""
    from bot.store.sources import document_sources, has_site

    known = document_sources(services.db)
    if source.strip().lower() in known or has_site(services.db, source):
        return
    if not known:
        raise click.BadParameter(
            f"unknown source {source!r} (no document has a source)", param_hint="--source"
        )
    more = len(known) - MAX_SHOWN_SOURCES
    shown = ", ".join(known[:MAX_SHOWN_SOURCES]) + (f" and {more} more" if more > 0 else "")
    raise click.BadParameter(f"unknown source {source!r} (one of: {shown})", param_hint="--source")


MAX_SHOWN_CODES = 3  # documents named in one query, shown by title (600 codes were 13 cards)
_WORD = "\x00"  # never in a command-line argument: marks a query word that starts with "-"


class _QueryCommand(click.Command):
    """A command whose query words may start with "-" (an excluded word, "-đấu thầu"): click
    would read "-dau thau" as the short options -d -a -u ... -h (help). A mistyped "--option"
    is still an error, not a word."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = [p for p in self.params if isinstance(p, click.Option)]
        known = {name for p in options for name in p.opts + p.secondary_opts}
        known |= set(ctx.help_option_names)
        with_value = {name for p in options if not p.is_flag for name in p.opts}
        out: list[str] = []
        value_next = False
        for i, arg in enumerate(args):
            if arg == "--":
                out += args[i:]
                break
            name = arg.split("=", 1)[0]
            if (
                not value_next
                and arg[:1] == "-"
                and arg[1:2] not in ("", "-")
                and name not in known
            ):
                out.append(_WORD + arg)
            else:
                out.append(arg)
            value_next = not value_next and name in with_value and "=" not in arg
        return super().parse_args(ctx, out)


@click.command(cls=_QueryCommand)
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--topic", default=None, help="Only this topic: its slug, name or phrase ('kết nạp đảng viên')."
)
@click.option(
    "--source", default=None, help="Only documents from this source (e.g. baokontum.com.vn)."
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, MAX_LIMIT))
@click.option("--offset", default=0, type=click.IntRange(0, MAX_OFFSET))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of text.")
@with_services
def search(
    services,
    query: tuple[str, ...],
    topic: str | None,
    source: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:  # type: ignore[no-untyped-def]
    """Search the documents: words with or without accents, "quoted phrases", codes
    (21-KL/TW, Nghị quyết 35), dates (năm 2022, từ 01/2023, trước 2022), -excluded words.

    With --json, prints an array of {"id", "title", "date", "url", "topics", "score",
    "summary", "snippet"} where "id" is the external id given at ingest.

    \b
    Examples:
      partybot search "kết nạp đảng viên"
      partybot search tham nhung dau thau --limit 5 --json
      partybot search "21-KL/TW" --topic rectification
      partybot search -đấu thầu tham nhũng
    """
    from bot.corpus.text import normalize
    from bot.present.conversation import bending_note, central_line
    from bot.present.render import cut, strip_tags
    from bot.search.catalogue import code_labels
    from bot.timeutil import format_date, format_date_iso, to_local

    if topic:
        topic = topic_slug(services, topic)
    if source:
        _check_source(services, source)
    text = " ".join(word.removeprefix(_WORD) for word in query)
    results = _engine(services).search(text, limit=limit, offset=offset, topic=topic, source=source)
    if not results.total and results.note in ("no_terms", "stopwords"):
        # Nothing to search is the caller's mistake, with --json too: a usage error, not
        # "0 documents" or "[]".
        raise click.UsageError("nothing to search: type words, a document code or a date")
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": h.external_id,
                        "title": h.title,
                        # Vietnam time with its offset: naive UTC read as a date is a
                        # day early for anything published before 07:00.
                        "date": to_local(h.date).isoformat() if h.date else None,
                        "url": h.url,
                        "topics": h.topics,
                        "score": round(h.score, 4),
                        "summary": h.summary,
                        "snippet": h.snippet.text,
                    }
                    for h in results.hits
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    for doc in results.central[:MAX_SHOWN_CODES]:
        # The document the query names: its title first, then what cites it or is about it.
        click.echo(f"{doc.title} ({doc.issuer}, {format_date_iso(doc.date)})")
    said = central_line(results, "en")
    if said and "\n" in said:
        # Whether any article cites it, as the bot says: 13 articles on "Quy định 131" read
        # as citing it when none did (a tester's).
        click.echo(strip_tags(said.split("\n", 1)[1]))
    understood = []
    if results.topic or topic:
        understood.append(f"topic: {results.topic or topic}")
    if results.soft_topic:
        understood.append(f"related topic: {results.soft_topic}")
    if results.codes:
        labels = code_labels(results.codes, results.central)
        more = len(labels) - MAX_SHOWN_CODES
        shown = ", ".join(labels[:MAX_SHOWN_CODES]) + (f" and {more} more" if more > 0 else "")
        understood.append("codes: " + shown)
    if source:
        understood.append(f"source: {source.strip().lower()}")
    noun = "document" if results.total == 1 else "documents"
    # The query as read (control characters and all): a terminal must not beep or move.
    echo = cut(normalize(text), 120)
    click.echo(
        f"{results.total:,} {noun} for «{echo}»"
        + (f" ({'; '.join(understood)})" if understood else "")
    )
    note = bending_note(results, "en")
    if note:
        click.echo(strip_tags(note))
    if not results.total and not services.documents.count():
        # A fresh machine: the first search should say why it finds nothing.
        err_console().print(
            "the database has no documents yet: load some with 'partybot ingest seeds/' "
            "(or 'make run', which loads the seeds)"
        )
    # The note already says what a corrected query searched for ("Searched for: ...").
    translated = results.note in ("typo", "english") or results.translated
    others = results.suggestions[1:] if translated else results.suggestions
    if others:
        click.echo("did you mean: " + " | ".join(others))
    if results.as_typed:
        click.echo(f"search as typed: partybot search {shlex.quote(results.as_typed)}")
    for n, hit in enumerate(results.hits, start=offset + 1):
        topics = ",".join(hit.topics) or "-"
        click.echo(f"\n{n}. {hit.title}")
        click.echo(
            f"   {format_date(hit.date) or '—'}  [{topics}]  {hit.external_id}  score {hit.score:.2f}"
        )
        click.echo(f"   {hit.snippet.text or hit.summary}")
        # Without a URL or a bot to link to: how to read it here (the id is on the line above).
        where = hit.link(services.settings.bot_username) or f"partybot docs show {hit.doc_id}"
        click.echo(f"   {where}")


@click.command()
@click.argument("ref")
@click.option("--sentences", default=3, show_default=True, type=click.IntRange(1, 10))
@click.option("--external", is_flag=True, help="REF is an external id, even if it is a number.")
@with_services
def summarize(services, ref: str, sentences: int, external: bool) -> None:  # type: ignore[no-untyped-def]
    """Print a document's summary (its lead, or the most central sentences).

    REF is the document number or its external id.

    \b
    Example:
      partybot summarize 000_e304ba77d5c08879
    """
    from bot.search.summary import find_lead
    from bot.search.summary import summarize as make_summary

    doc = services.documents.get(ref, external=external, strict=True)
    click.echo(doc.title)
    method = "lead" if find_lead(doc.title, doc.text) else "TextRank"
    click.echo(f"({method}) {make_summary(doc, max_sentences=sentences)}")


@click.group(cls=FriendlyGroup)
def index() -> None:
    """The search index (derived from the database; safe to delete and rebuild).

    \b
    Example:
      partybot index status
    """


@index.command("rebuild")
@with_existing_services
def index_rebuild(services) -> None:  # type: ignore[no-untyped-def]
    """Re-index every document from the database.

    \b
    Example:
      partybot index rebuild
    """
    engine = _engine(services)
    with progress(err_console(), "indexing") as bar:
        task = bar.add_task("indexing", total=services.documents.count() or None)
        count = engine.rebuild(lambda done, total: bar.update(task, completed=done, total=total))
    click.echo(f"indexed {count} documents in {engine.index.folder}")


@index.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_existing_services
def index_status(services, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """Show what the index holds compared with the database.

    \b
    Example:
      partybot index status
    """
    status = _engine(services).status()
    if as_json:
        click.echo(json.dumps(status, indent=1))
        return
    click.echo(f"index folder: {status['folder']}")
    if status["stale"]:
        click.echo(
            f"not usable: {status['stale']}; built when the bot or a search opens it, or by "
            "`partybot index rebuild`"
        )
    click.echo(f"documents: {status['indexed']} indexed, {status['stored']} in the database")
    click.echo(f"changes applied: {status['applied_seq']} of {status['database_seq']}")
    click.echo(f"schema: {status['schema']} (expected {status['schema_expected']})")
    click.echo(f"built: {status['built_at'] or '—'}   size: {status['size_bytes'] / 1e6:.1f} MB")
    if status["rebuilt_on_open"]:
        click.echo(f"rebuilt when opened: {status['rebuilt_on_open']}")


COMMANDS = [search, summarize, index]
