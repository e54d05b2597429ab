"""Search: query analysis, the derived tantivy index, ranking, summaries and snippets."""

from __future__ import annotations

from bot.search.api import Hit, SearchResults, Snippet
from bot.search.engine import SearchEngine
from bot.search.index import SearchIndex
from bot.search.query import parse_query
from bot.search.summary import snippet, summarize

__all__ = [
    "Hit",
    "SearchEngine",
    "SearchIndex",
    "SearchResults",
    "Snippet",
    "parse_query",
    "snippet",
    "summarize",
]
