"""The search results contract shared by the engine, the CLI and the Telegram layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Span:
    """A highlighted range ``[start, end)`` in a snippet's text."""

    start: int
    end: int


@dataclass
class Snippet:
    """Plain text cut at word boundaries plus the ranges that matched the query."""

    text: str
    spans: list[Span] = field(default_factory=list)


@dataclass
class Hit:
    """One ranked document."""

    doc_id: int
    external_id: str
    title: str
    date: datetime | None  # naive UTC publication date (None when unknown)
    url: str | None  # the original article URL when known
    topics: list[str]  # slugs, most probable first
    score: float
    # The snippet and the summary are made on first use: a results page shows a few hits'
    # snippets, and making them for every hit would cost more than ranking it.
    snippet_value: Snippet | None = field(default=None, repr=False)
    # Given the hit itself, not holding it: a hit and a function that refers back to it are
    # a reference cycle, which only the garbage collector frees (docs/search.md, snippets).
    make_snippet: Callable[[Hit], Snippet] | None = field(default=None, repr=False, compare=False)
    summary_text: str | None = field(default=None, repr=False)
    summarize: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    @property
    def snippet(self) -> Snippet:
        """Query-focused sentence(s); the summary's first sentence when none matches."""
        if self.snippet_value is None:
            self.snippet_value = self.make_snippet(self) if self.make_snippet else Snippet("")
        return self.snippet_value

    def link(self, bot_username: str) -> str:
        """The article's own http(s) URL, else a t.me deep link that opens it in the bot."""
        from bot.search.links import bot_link

        if self.url and self.url.startswith(("http://", "https://")):
            return self.url
        return bot_link(self.doc_id, bot_username)

    @property
    def summary(self) -> str:
        """2–3 sentences, plain text: the lead, or the most central sentences."""
        if self.summary_text is None:
            self.summary_text = self.summarize() if self.summarize is not None else ""
        return self.summary_text


@dataclass
class SearchResults:
    """A page of hits and what the engine understood of the query."""

    query: str
    hits: list[Hit]
    total: int  # matching documents (all pages)
    offset: int = 0
    limit: int = 10
    topic: str | None = None  # the query named this topic (topic listing, newest first)
    tagged: int | None = None  # of ``total``, documents labelled ``topic`` (the rest match words)
    soft_topic: str | None = None  # a question-like query was classified as this topic
    codes: list[str] = field(default_factory=list)  # document codes found in the query
    suggestions: list[str] = field(
        default_factory=list
    )  # when nothing matched: other queries to try
    note: str | None = None  # e.g. "stopwords only"
    central: list[Any] = field(default_factory=list)  # catalogued documents the query names
    # When a word the documents do use was searched as its correction ("tự diễn bến" as "tự
    # diễn biến"): the query with that word in quotes, which searches it as typed.
    as_typed: str | None = None
    # Words typed that no document has (nor a close spelling of them): left out of the search,
    # and the answer says so rather than let the user think they matched.
    ignored: list[str] = field(default_factory=list)
    # Words of an English query the glossary could not read (the rest was searched).
    unread: list[str] = field(default_factory=list)
    # A kind's name typed before a code of another kind ("Kết luận", "21-NQ/TW"): the code
    # was searched, and the answer says so.
    kind_mismatch: list[tuple[str, str]] = field(default_factory=list)
    # Words typed both to find and to leave out ("tham nhũng -tham"): left out, not searched.
    contradicted: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # words and phrases typed after "-"
    excluded_hits: int | None = None  # documents found but for the excluded words
    phrase_hits: int | None = None  # of ``total``, documents with the quoted phrase itself
    # Of ``total``, the documents with every word, when the search was loosened to fewer.
    complete: int | None = None
    newest: bool = False  # asked for the newest ("bài mới nhất về …"): by date, newest first
    oldest: bool = False  # asked for the oldest ("văn bản cũ nhất về …"): oldest first
    newest_of: int | None = None  # ... the best-matching ``total`` of this many matches
    # Expressions no document writes as typed, each with the synonyms searched instead
    # ("Sài Gòn" → "TP.HCM", "thành phố Hồ Chí Minh").
    via: list[tuple[str, list[str]]] = field(default_factory=list)
    # Of ``total``, the documents with a two-syllable query's words side by side, when the
    # others have them only apart.
    together: int | None = None
    together_words: str | None = None  # those two syllables, as searched ("kỷ luật")
    # Where on this page the hits with them side by side end and those with them apart begin
    # (an index into ``hits``), when the page splits so: the answer draws a line there.
    apart_from: int | None = None
    # The period the query's own words asked for ("từ năm 2022"), as (start, end): naive UTC,
    # the end exclusive; either may be None.
    period: tuple[datetime | None, datetime | None] | None = None
    # The year of ``period`` when documents naming it count too (published in January 2024,
    # "kết quả năm 2023"): such a document is dated outside the period the answer states.
    period_named: str | None = None
    # Days after ``period`` whose articles count too (a quarter's reports), when any.
    period_reports: int = 0
    # A question's period ranks its documents first rather than filtering ("năm nay chi bộ
    # có 2 quần chúng…, có kết nạp được không?" tells the situation, not the articles' date).
    period_first: bool = False
    # Read in English, and loosened to some of its words: the answer says both (the English
    # line had replaced "no document has all the words", a tester's).
    english_relaxed: bool = False
    translated: bool = False  # an English query, searched as ``suggestions[0]`` (Vietnamese)
    # When the query names a catalogued document: the documents citing it come first, then
    # those on its subject. ``citing``: how many cite it, when this page shows where they end
    # (or that none does); ``subject_from``: the index in ``hits`` where its subject's start.
    citing: int | None = None
    # Names the query capitalises that no document has ("Đắk Nông", when "Đắk Lắk" is all
    # there is): the documents found have only some of their syllables.
    absent_names: list[str] = field(default_factory=list)
    subject_from: int | None = None
    date_widened: tuple[str, str] | None = None  # a date no calendar has: (typed, searched)
