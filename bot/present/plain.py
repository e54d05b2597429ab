"""A plain-text rendering of search results for the CLI's main job."""

from __future__ import annotations

from bot.present.conversation import bending_note, central_line
from bot.present.messages import t
from bot.present.render import strip_tags
from bot.services import Services
from bot.timeutil import format_date


def render_results(services: Services, query: str, limit: int = 5, lang: str = "vi") -> str:
    """Search ``query`` and format the top results as plain text."""
    results = services.search.search(query, limit=limit)
    lines = [strip_tags(t(lang, "plain_results", query=query))]
    # What the bot's header says too: the document the query names, how the query was bent.
    lines += [
        strip_tags(line)
        for line in (central_line(results, lang), bending_note(results, lang))
        if line
    ]
    for n, hit in enumerate(results.hits, start=1):
        date = format_date(hit.date) or t(lang, "no_date")  # never an empty "()"
        lines.append(f"{n}. {hit.title} ({date})")
        text = hit.snippet.text if hit.snippet is not None else ""
        if text or hit.summary:
            lines.append(f"   {text or hit.summary}")
        # No URL and no bot to link to: how to read it here, not an opaque id.
        where = hit.link(services.settings.bot_username) or f"partybot docs show {hit.doc_id}"
        lines.append(f"   {where}")
    if not results.hits:
        lines.append(strip_tags(t(lang, "plain_no_results")))
    if results.as_typed:  # the bot's "search as typed" button, as the query to type
        lines.append(f"{strip_tags(t(lang, 'search_as_typed'))}: {results.as_typed}")
    return "\n".join(lines)
