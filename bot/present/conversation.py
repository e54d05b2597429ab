"""The conversation: what the bot answers, independent of Telegram.

Both the Telegram handlers and the offline console call :class:`Conversation` and get
:class:`~bot.render.Reply` objects back. Every method is blocking (it reads the database);
async callers run it in a thread.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.bounds import MAX_OFFSET, MAX_PAGE, clamp, parse_doc_id, parse_int, parse_page
from bot.classifier.verdict import MIN_READABLE_SYLLABLES, judge, readable
from bot.corpus.text import fold_lower, normalize
from bot.corpus.topics import Topic
from bot.errors import NotFound
from bot.present.messages import EXAMPLE_QUERIES, Raw, t
from bot.present.render import Button, Reply, cut, esc, highlight, link, split_html_messages
from bot.search.api import SearchResults
from bot.search.english import english_reading
from bot.search.links import doc_link, paginate_text, parse_start_payload
from bot.search.query import (
    SHORTHAND,
    is_place,
    is_stopword,
    parse_query,
    resolve_topic,
    searched_text,
    without_order,
    without_period,
    without_places,
)
from bot.services import Services
from bot.timeutil import format_date, format_date_iso, to_local

PAGE_SIZE = 5
RELATED = 3  # documents a "related" list shows
# What page_request reads besides a number: the next, previous or last page, or the page of
# the list last shown.
NEXT_PAGE, PREVIOUS_PAGE, LAST_PAGE, LIST_PAGE = 0, -1, -2, -3
LAST_ITEM = -1  # what item_request reads besides a number: the last result on the screen
THIS_ITEM = -2  # … and "cái này", "bài đó": the one result on the screen, or which one is asked
LAST_SEARCHES = 10_000  # users whose last search is remembered for "xem thêm"
LAST_SEARCH_SECONDS = 3600  # "xem thêm" an hour later is a new conversation
LOOSE_PAGES = 10  # pages of close matches shown after those with every word
OTHER_TOPIC_MIN = 0.05  # /classify: other topics shown from this probability
MAX_QUERY_CHARS = 300
MAX_CLASSIFY_CHARS = 8000  # of a pasted text, kept behind its "classify" button
_CALLBACK_LIMIT = 64


class QueryMemory:
    """Remembers long queries behind short ids so paging buttons stay under 64 bytes."""

    def __init__(self, capacity: int = 5000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, query: str) -> str:
        key = hashlib.blake2b(query.encode("utf-8"), digest_size=6).hexdigest()
        with self._lock:
            self._items[key] = query
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return key

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._items.get(key)


@dataclass
class Context:
    """Who is asking, as far as the conversation needs to know."""

    lang: str = "vi"
    user_id: int | None = None
    is_admin: bool = False


class Conversation:
    """Turns requests into replies."""

    def __init__(self, services: Services, *, bot_username: str = "") -> None:
        self.services = services
        self.bot_username = bot_username
        self.memory = QueryMemory()
        # Each user's last search and the page shown, so "xem thêm" typed pages on.
        self.last: OrderedDict[int | None, tuple[str, int, int, float]] = OrderedDict()
        # Each user's open document (id, page, pages, when), so "trang 5", "xem thêm" and
        # "tài liệu liên quan" typed act on it while it is the last thing shown.
        self.reading: OrderedDict[int | None, tuple[int, int, int, float]] = OrderedDict()
        self.shown: dict[int | None, tuple[int, list[int]]] = {}  # see _remember
        # The list a related-documents list replaced, so "back to the list" twice gets back
        # to it (it showed the related list again and again, a tester's).
        self.before_related: dict[int | None, tuple[str, int, int, float]] = {}
        self._last_lock = threading.Lock()

    # --- helpers -------------------------------------------------------------------------

    def _topic_name(self, slug: str, lang: str) -> str:
        topic = self.services.taxonomy.get(slug)
        return topic.name(lang) if topic else slug

    def _query_callback(self, query: str, page: int) -> str:
        data = f"q:{page}:{query}"
        if len(data.encode("utf-8")) <= _CALLBACK_LIMIT:
            return data
        return f"k:{page}:{self.memory.put(query)}"

    def _pager(self, lang: str, page: int, pages: int, make: callable) -> list[list[Button]]:  # type: ignore[valid-type]
        row: list[Button] = []
        if page > 1:
            row.append(Button(t(lang, "prev"), data=make(page - 1)))
        if pages > 1:
            row.append(Button(f"{page}/{pages}", data="noop"))
        if page < pages:
            row.append(Button(t(lang, "next"), data=make(page + 1)))
        return [row] if row else []

    def _render_hits(
        self,
        hits: Sequence,  # type: ignore[type-arg]
        start: int,
        lang: str,
        topic: str | None = None,
        results: SearchResults | None = None,
    ) -> list[str]:
        blocks = []
        period = None
        if results is not None and results.period_named and results.note != "date_relaxed":
            period = results.period
        for n, hit in enumerate(hits, start=start + 1):
            date = format_date(hit.date) or t(lang, "no_date")
            if period is not None and _outside(hit.date, period):
                # Found for naming the year the query asked for, not for its date.
                date += " · " + t(lang, "named_year", year=results.period_named)  # type: ignore[union-attr]
            # Two tags fit a phone's line; the topic browsed is always one of them, or the
            # card looks misfiled under it. Topic names have commas: " | " between them, and
            # "+1" says a tag is not shown (or the same card seems to change labels).
            shown = list(hit.topics[:2])
            if topic in hit.topics and topic not in shown:
                shown = [topic, *shown[:1]]
            topics = " | ".join(self._topic_name(s, lang) for s in shown)
            if len(hit.topics) > len(shown):
                topics += f" +{len(hit.topics) - len(shown)}"
            if not topics and self.services.classifier is not None:
                # General news in the corpus (weather, traffic): said so, not left blank
                # beside Party work in /latest; not before a model has tagged anything.
                topics = t(lang, "no_topic")
            meta = f"📅 {esc(date)}" + (f" · 🏷 {esc(topics)}" if topics else "")
            snippet = hit.snippet
            if snippet is not None and snippet.text:
                body = highlight(
                    cut_snippet(snippet.text),
                    [(s.start, s.end) for s in snippet.spans if s.end <= 400],
                )
            else:
                body = esc(cut(hit.summary, 300))
            target = hit.link(self.bot_username)
            actions = [link(target, t(lang, "open"))] if target else []
            actions.append(f"/doc_{hit.doc_id}")
            subject = results.subject_from if results is not None else None
            if subject is not None and n == start + subject + 1 and n > 1:
                blocks.append(f"<i>{esc(t(lang, 'subject_divider'))}</i>")  # citing ones end
            apart = results.apart_from if results is not None else None
            if apart is not None and n == start + apart + 1:
                # "Hà Giang": 3 articles, then Hà Nội and Bắc Giang (a tester's).
                words = esc(results.together_words or "")
                blocks.append(f"<i>{t(lang, 'apart_divider', words=words)}</i>")
            blocks.append(
                f"<b>{n}. {esc(cut(hit.title, 160))}</b>\n{meta}\n{body}\n{' · '.join(actions)}"
            )
        return blocks

    def _results_reply(
        self, header: str, results, page: int, lang: str, make, pages: int | None = None
    ) -> Reply:  # type: ignore[no-untyped-def]
        pages = pages or max(1, math.ceil(results.total / PAGE_SIZE))
        start = (page - 1) * PAGE_SIZE
        blocks = [header, *self._render_hits(results.hits, start, lang, results.topic, results)]
        text = split_html_messages(["\n\n".join(blocks)])[0]
        return Reply(text, buttons=self._pager(lang, page, pages, make))

    # --- requests --------------------------------------------------------------------------

    def start(self, ctx: Context, name: str, payload: str | None = None) -> list[Reply]:
        """/start, optionally with a ``doc_<id>`` deep-link payload."""
        if payload:
            doc_id = parse_start_payload(payload)
            if doc_id is not None:
                return [self.document(ctx, str(doc_id))]
        buttons = [[Button(q, data=f"x:{i}")] for i, q in enumerate(EXAMPLE_QUERIES)]
        return [Reply(t(ctx.lang, "welcome", name=f" {name}" if name else ""), buttons=buttons)]

    def help(self, ctx: Context) -> Reply:
        """/help."""
        return Reply(t(ctx.lang, "help"))

    def message(self, ctx: Context, text: str, name: str = "") -> Reply:
        """Free text (a private message, a mention): small talk is answered as such ("xin
        chào", "cảm ơn" searched the documents for them), anything else is a query."""
        asked = page_request(text)
        if asked == LIST_PAGE:
            on_screen = self._reading(ctx) is None  # a list, not a document (takes the lock)
            with self._last_lock:
                last = self.last.get(ctx.user_id)
                before = self.before_related.get(ctx.user_id)
                listing = _listing(last[0]) if last is not None else None
                if on_screen and listing is not None and listing[0] == "related" and before:
                    # The related list is on the screen: back is the list before it.
                    last = (*before[:3], time.monotonic())
                    self.last[ctx.user_id] = last
            asked = last[1] if last is not None else 1
            return self._page_on(ctx, asked)
        reading = self._reading(ctx)
        if reading is not None and (asked is not None or related_request(text)):
            try:
                self.services.documents.get(reading[0])
            except NotFound:
                # Deleted while open: said so, not "not found" as if mistyped (a tester's).
                with self._last_lock:
                    self.reading.pop(ctx.user_id, None)
                return Reply(t(ctx.lang, "reading_gone", id=reading[0]))
        if asked is not None:
            if reading is not None and reading[2] > 1:
                return self._turn_page(ctx, reading, asked)
            if reading is not None:
                with self._last_lock:
                    last = self.last.get(ctx.user_id)
                if last is None or time.monotonic() - last[3] > LAST_SEARCH_SECONDS:
                    # A one-page document opened with /doc: it is all there ("search
                    # first" read as if the conversation were lost, a tester's).
                    return Reply(t(ctx.lang, "doc_whole"))
            return self._page_on(ctx, asked)
        item = item_request(text)
        if item == LAST_ITEM:
            with self._last_lock:
                start, ids = self.shown.get(ctx.user_id, (0, []))
            item = start + len(ids) if ids else 1
        elif item == THIS_ITEM:
            if reading is not None:  # the open document: its first page again
                return self.document(ctx, str(reading[0]))
            with self._last_lock:
                start, ids = self.shown.get(ctx.user_id, (0, []))
            if len(ids) > 1:  # which one is not for the bot to guess
                return Reply(t(ctx.lang, "which_item", n=start + len(ids)))
            item = start + 1
        if item is not None:
            return self._open_item(ctx, item)
        if related_request(text):
            # Typed, not tapped: the open document's button ("tài liệu liên quan" was
            # searched as words, a tester's).
            if reading is None:
                return Reply(t(ctx.lang, "related_no_doc"))
            return self.related(ctx, reading[0])
        said = small_talk(text)
        if said == "greeting":
            return self.start(ctx, name)[0]
        if said == "help":
            return self.help(ctx)
        if said is not None:
            return Reply(t(ctx.lang, f"small_talk_{said}"))
        refined = refine_request(text)
        if refined is not None and refined.instead:
            return self.search(ctx, refined.instead)
        if refined is not None:
            return self._refine(ctx, refined, text)
        reply = self.search(ctx, text)
        pasted = len(" ".join(normalize(text).split())) > MAX_QUERY_CHARS
        # Only for a text it can label: offered for 5,000 "a"s, it then said it could not (a
        # tester's).
        if pasted and self.services.classifier and readable(text[:MAX_CLASSIFY_CHARS]):
            # A pasted text, searched by its start: its topics may be what was wanted.
            key = self.memory.put(normalize(text)[:MAX_CLASSIFY_CHARS])
            reply.buttons.append([Button(t(ctx.lang, "classify_pasted"), data=f"c:{key}")])
        return reply

    def _reading(self, ctx: Context) -> tuple[int, int, int, float] | None:
        """The user's open document, when it was shown after their last list."""
        with self._last_lock:
            reading, last = self.reading.get(ctx.user_id), self.last.get(ctx.user_id)
        if reading is None or time.monotonic() - reading[3] > LAST_SEARCH_SECONDS:
            return None
        return reading if last is None or last[3] <= reading[3] else None

    def _turn_page(self, ctx: Context, reading: tuple[int, int, int, float], asked: int) -> Reply:
        """The page ``asked`` (see page_request) of the open document; back from its first
        page is the list it was opened from."""
        doc_id, page, pages, _ = reading
        if asked == PREVIOUS_PAGE and page <= 1:
            with self._last_lock:
                last = self.last.get(ctx.user_id)
            if last is not None:
                return self._page_on(ctx, last[1])
        if asked == NEXT_PAGE and page >= pages:
            return Reply(t(ctx.lang, "doc_end", pages=pages))
        wanted = _target_page(asked, page, pages)
        return _past_the_end(
            self.document(ctx, str(doc_id), max(1, wanted)), wanted, pages, ctx.lang
        )

    def _page_on(self, ctx: Context, asked: int) -> Reply:
        """The page ``asked`` (see page_request) of the user's last search, or how to get
        one."""
        with self._last_lock:
            last = self.last.get(ctx.user_id)
        if last is None or time.monotonic() - last[3] > LAST_SEARCH_SECONDS:
            return Reply(t(ctx.lang, "paging_hint"))
        query, page, pages, _ = last
        listing = _listing(query)
        if asked == NEXT_PAGE and page >= pages:
            shown = query
            if listing is not None:  # the list by its name, not its remembered key
                kind, slug = listing
                shown = {"topic": self._topic_name(slug, ctx.lang), "latest": "/latest"}.get(
                    kind, ""
                )
                if kind == "related":  # the document's title, not "/doc_12" (a tester's)
                    try:
                        title = self.services.documents.get(int(slug)).title
                    except NotFound:
                        title = f"/doc_{slug}"
                    shown = t(ctx.lang, "related") + ": " + title
            return Reply(t(ctx.lang, "paging_end", query=cut(shown, 60), pages=pages))
        if asked == PREVIOUS_PAGE and listing is not None and listing[0] == "related":
            # Back from a related list is the document it was opened from, and back again
            # the list before ("quay lại" showed the related list again, a tester's).
            with self._last_lock:
                before = self.before_related.get(ctx.user_id)
                if before is not None:
                    self.last[ctx.user_id] = (*before[:3], time.monotonic())
            return self.document(ctx, listing[1])
        wanted = _target_page(asked, page, pages)
        if listing is not None:  # "xem thêm" after /topic or /latest pages that list
            kind, slug = listing
            if kind == "topic":
                reply = self.topic(ctx, slug, max(1, wanted))
            elif kind == "related":
                reply = self.related(ctx, int(slug))  # one page: shown again
            else:
                reply = self.latest(ctx, max(1, wanted))
        else:
            reply = self.search(ctx, query, page=max(1, wanted))
        return _past_the_end(reply, wanted, pages, ctx.lang)

    def _open_item(self, ctx: Context, n: int) -> Reply:
        """Result ``n`` of the user's last search, as /doc shows it; without a recent search,
        how to get one ("bài 3 nói gì" searched as words listed articles on "bài", a
        tester's)."""
        with self._last_lock:
            last = self.last.get(ctx.user_id)
        if last is None or time.monotonic() - last[3] > LAST_SEARCH_SECONDS:
            return Reply(t(ctx.lang, "item_no_search", n=n))
        with self._last_lock:
            start, ids = self.shown.get(ctx.user_id, (0, []))
        if start < n <= start + len(ids):
            # One on the screen: that document, even if the list has changed since (after
            # a deletion "bài 1" opened the one shown third, a tester's).
            doc_id = ids[n - 1 - start]
            try:
                self.services.documents.get(doc_id)
            except NotFound:
                return Reply(t(ctx.lang, "item_gone", n=n))
            return self.document(ctx, str(doc_id))
        offset = clamp(n - 1, 0, MAX_OFFSET)
        engine, listing = self.services.search, _listing(last[0])
        if listing is None:
            results = engine.search(last[0], limit=1, offset=offset)
        elif listing[0] == "topic":
            results = engine.by_topic(listing[1], limit=1, offset=offset)
        elif listing[0] == "related":
            related = engine.related(int(listing[1]), k=RELATED)
            results = SearchResults(query="", hits=related[offset : offset + 1], total=len(related))
        else:
            results = engine.latest(limit=1, offset=offset)
        if not results.hits or offset != n - 1:
            # "bài -1" and "bài 0": results are numbered from 1 ("không có bài số 0" named a
            # number the user never typed, a tester's).
            key = "item_missing" if n >= 1 else "item_from_one"
            return Reply(t(ctx.lang, key, n=n, total=results.total))
        return self.document(ctx, str(results.hits[0].doc_id))

    def _refine(self, ctx: Context, refined: Refinement, text: str) -> Reply:
        """The user's last search narrowed or re-dated as ``refined`` asks; without a recent
        search, what the follow-up names searched on its own (or the newest documents)."""
        with self._last_lock:
            last = self.last.get(ctx.user_id)
        if last is None or time.monotonic() - last[3] > LAST_SEARCH_SECONDS:
            if refined.words:
                return self.search(ctx, refined.words)
            if refined.clear:
                return Reply(t(ctx.lang, "paging_hint"))  # nothing to undo
            if refined.oldest:
                return self.search(ctx, "cũ nhất")
            return self.latest(ctx) if refined.newest else self.search(ctx, text)
        base = last[0]
        listing = _listing(base)
        if refined.year_before:
            # The year before the last search's period, or before this one.
            said = parse_query(english_reading(base).vietnamese if english_reading(base) else base)
            start = said.date_from or said.date_to
            year = to_local(start).year if start is not None else to_local(datetime.now(UTC)).year
            refined = replace(refined, year_before=False, words=f"năm {year - 1}")
        if refined.clear:
            if listing is not None:  # a list, not a search: nothing to undo, shown again
                return self._page_on(ctx, 1)
            # The search as first typed: no period, no place or subject it was narrowed by.
            unfiltered = " ".join(_REQUIRED.sub(" ", without_period(base)).split())
            return self.search(ctx, unfiltered or base)
        if listing is not None and listing[0] == "related":
            # Three related documents are no list to narrow: the open document's topic is
            # ("có bài nào mới hơn không" after them was searched as words, and "chỉ lấy năm
            # 2023 thôi" listed every 2023 document, a tester's); without a topic, what the
            # follow-up names alone (not "mới nhất" with it, the newest of all, a tester's).
            topic = self._main_topic(listing[1])
            if topic is None:
                if refined.newest and not refined.words:
                    return self.latest(ctx)
                return self.search(ctx, refined.words or ("cũ nhất" if refined.oldest else text))
            base = topic.name_vi
        elif listing is not None and refined.newest and not refined.words:
            # "có bài nào mới hơn không" after /topic or /latest: that list, already newest
            # first (as a search for the topic's name it took in a document "with the words
            # typed" that nobody typed, a tester's).
            return self._page_on(ctx, 1)
        elif listing is not None:
            # After /topic or /latest: that list as words the search reads the same way (a
            # tester's "năm 2023" after /topic listed every document of 2023).
            topic = self.services.taxonomy.get(listing[1]) if listing[0] == "topic" else None
            base = topic.name_vi if topic is not None else "mới nhất"
            if not refined.oldest:
                # Still newest first, as the list was ("chỉ năm 2024" after /topic came back
                # in no order the answer named, a tester's).
                refined = replace(refined, newest=True)
        english = english_reading(base)
        if english is not None and (not refined.words.isascii() or refined.words.startswith('+"')):
            # "corruption" then "năm ngoái": all of it Vietnamese; and with a place, which is
            # a name in either language ("asset declaration", then "what about Can Tho?",
            # read the place as one more English word, a tester's).
            base = english.vietnamese
        added = parse_query(refined.words) if refined.words else None
        if added is not None and (added.date_from is not None or added.date_to is not None):
            base = without_period(base)  # "còn năm 2022 thì sao": that year instead
            vietnamese = english is None or base == english.vietnamese
            if vietnamese and parse_query(base).question and not added.period_only:
                # Asked after the results, a period narrows them, a question's too (whose
                # period, typed with it, only ranks): "chỉ lấy năm 2022 thôi" after a
                # question listed 2017-2020 articles first (a tester's).
                # "thôi" after it, as typed ("năm 2022 thôi"), unaccented in an unaccented
                # search: "chỉ" before it mixed accents into "dan van kheo" (a tester's).
                only = "thôi" if fold_lower(base) != base.lower() else "thoi"
                refined = replace(refined, words=f"{refined.words} {only}")
        if refined.words.startswith('+"') and refined.words.isascii():
            # A place as English writes it ("only in Saigon" found nothing, a tester's): its
            # Vietnamese name.
            named = english_reading(refined.words[2:-1])
            if named is not None and not named.unknown and is_place(named.vietnamese):
                refined = replace(refined, words=f'+"{named.vietnamese}"')
        if refined.words.startswith('+"'):
            # Another place or subject instead of the last one narrowed by: "ở Cần Thơ thôi",
            # then "chỉ ở Hà Nội", required both and found nothing (a tester's).
            base = " ".join(_REQUIRED.sub(" ", base).split())
            if is_place(refined.words[2:-1]):
                # And a place the search itself named: "sinh hoạt chi bộ ở Cần Thơ", then "ở
                # Sài Gòn thôi", required both (a tester's).
                base = without_places(base) or base
        # An English search stays English ("corruption latest"), or it is not read so.
        stays_english = english is not None and base == last[0]
        ordered = parse_query(english.vietnamese if english is not None else base)
        if (refined.newest and ordered.oldest) or (refined.oldest and ordered.newest):
            # The other order asked for: "cũ nhất trước" after "… mới nhất" (and back).
            base = without_order(base) or base
            english = english_reading(base)
            ordered = parse_query(english.vietnamese if english is not None else base)
        parts = [base, refined.words]
        # Already newest first, in English too ("Resolution 21 latest latest", a tester's).
        newest = parse_query(base).newest or ordered.newest
        if refined.newest and not newest and not (added and added.newest):
            parts.append("latest" if stays_english else "mới nhất")
        if refined.oldest and not (parse_query(base).oldest or ordered.oldest):
            parts.append("oldest" if stays_english else "cũ nhất")
        added_text = " ".join(p for p in parts[1:] if p)
        room = MAX_QUERY_CHARS - len(added_text) - 1
        if len(base) > room:
            # A long pasted search keeps room for the follow-up: cut after it, "năm ngoái"
            # went and the same list came back as if in that year (a tester's).
            base = base[:room].rsplit(" ", 1)[0] if " " in base[:room] else base[:room]
        return self.search(ctx, " ".join(p for p in (base, added_text) if p))

    def _main_topic(self, doc_id: str) -> Topic | None:
        """The topic of document ``doc_id`` most likely, if it has one."""
        try:
            topics = self.services.documents.get(int(doc_id)).topics
        except (NotFound, ValueError):
            return None
        return self.services.taxonomy.get(max(topics, key=topics.__getitem__)) if topics else None

    def _remember(
        self, ctx: Context, query: str, page: int, pages: int, hits: Sequence = (), start: int = 0
    ) -> None:  # type: ignore[type-arg]
        """The list the user sees: what it is, its page, and the documents on the page from
        the ``start``-th, so "bài 2" opens the one shown even if the list changed since."""
        with self._last_lock:
            self.last[ctx.user_id] = (query, page, pages, time.monotonic())
            self.last.move_to_end(ctx.user_id)
            self.shown[ctx.user_id] = (start, [hit.doc_id for hit in hits])
            while len(self.last) > LAST_SEARCHES:
                gone, _ = self.last.popitem(last=False)
                self.shown.pop(gone, None)
                self.before_related.pop(gone, None)

    def search(self, ctx: Context, query: str, page: int = 1) -> Reply:
        """A keyword, code, phrase or question query."""
        # Echoed in the answer: control characters (a terminal's bell, colours) go first.
        query = " ".join(normalize(query).split())
        if not query:
            return Reply(t(ctx.lang, "empty_query"))
        if query.startswith("#") and parse_doc_id(query[1:]) is not None:
            return self.document(ctx, query[1:])  # "#12", as document lists write them
        note = ""
        if len(query) > MAX_QUERY_CHARS:
            query = cut(query, MAX_QUERY_CHARS).rstrip("…")
            note = t(ctx.lang, "query_too_long", limit=MAX_QUERY_CHARS) + "\n"
        engine = self.services.search
        page = clamp(page, 1, MAX_PAGE)
        results = engine.search(query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        if results.total and not results.hits and page > 1:
            # A page past the end (an old button, or forged callback data): the last page.
            page = _last_page(results.total)
            results = engine.search(query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        narrowed_by = [m.strip().lstrip("+").strip().strip('"') for m in _REQUIRED.findall(query)]
        # The header echoes the words, and says what the list was narrowed by on a line of
        # its own: `+"Hà Giang"` is syntax the cadre never typed (a tester's).
        shown_query = cut(searched_text(" ".join(_REQUIRED.sub(" ", query).split()) or query), 100)
        if ctx.lang == "en":
            # The Vietnamese a follow-up added ("… 2023 thôi mới nhất") in an English answer,
            # which says the period and the order on lines of their own (a tester's).
            shown_query = " ".join(_ADDED_VI.sub(" ", shown_query).split()) or shown_query
        if results.topic and not results.hits and not narrowed_by:
            return self.topic(ctx, results.topic, page)
        if not results.hits:
            if results.note == "stopwords":
                return Reply(note + t(ctx.lang, "stopwords_only"))
            if results.note == "no_terms":
                # Only punctuation or symbols ("!!!", "🙂"), or only what to leave out
                # ("-tham nhũng"): nothing was searched.
                key = "only_excluded" if parse_query(query).excludes else "empty_query"
                if key == "empty_query" and any(c.isalnum() for c in query):
                    # Letters, but no word of them ("aaaa…", syllables run together): not
                    # "type what to look for", which reads as if nothing arrived.
                    key = "no_words"
                return Reply(note + t(ctx.lang, key, query=cut(query, 60)))
            if narrowed_by and shown_query != searched_text(query):
                # A follow-up's place or subject that none of the list has: said so, and
                # how to get the list back ("«tham nhũng +"Hà Nội"»" and a dangling "Hoặc
                # …", a tester's).
                phrases = ", ".join(f"«{p}»" for p in narrowed_by)
                lines = [
                    note + t(ctx.lang, "no_results_narrowed", query=shown_query, phrases=phrases),
                    t(ctx.lang, "narrowed_undo"),
                ]
            else:
                lines = [note + t(ctx.lang, "no_results", query=cut(searched_text(query), 100))]
            # Why nothing was found: a code nothing cites, a word no document has, a word
            # both wanted and excluded.
            bent = bending_note(results, ctx.lang)
            if bent:
                lines.append(bent)
            if results.ignored and all(w.isascii() for w in results.ignored):
                # Typed in English (the interface may be): the documents are Vietnamese.
                lines.append(t(ctx.lang, "documents_in_vietnamese"))
            buttons = []
            if results.suggestions:
                lines.append(
                    t(ctx.lang, "try_instead", suggestions=", ".join(results.suggestions[:3]))
                )
                buttons = [
                    [Button(s, data=self._query_callback(s, 1))] for s in results.suggestions[:3]
                ]
            lines.append(t(ctx.lang, "try_topics" if len(lines) > 1 else "try_topics_alone"))
            return Reply("\n".join(lines), buttons=buttons)
        pages = max(1, math.ceil(results.total / PAGE_SIZE))
        if results.complete is not None and not results.topic:
            # Loosened to some of the words: past the documents with all of them, ten pages
            # of close matches ("trang 1/33" for a question read as 33 pages of answers).
            pages = min(pages, max(LOOSE_PAGES, math.ceil(results.complete / PAGE_SIZE)))
            if page > pages:  # an old button past the new end
                page = pages
                results = engine.search(query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        self._remember(ctx, query, page, pages, results.hits, results.offset)
        if results.topic:
            # Tagged documents come first, then untagged ones that contain the words: the
            # header says so, or its count would disagree with /topics.
            mixed = results.tagged is not None and results.tagged < results.total
            # None of the topic's own: "0 documents on the topic, 1 more with the words typed"
            # read as an empty topic that then showed one (a tester's).
            key = "topic_header_mixed" if mixed else "topic_header"
            if mixed and not results.tagged:
                key = "topic_header_untagged_one" if results.total == 1 else "topic_header_untagged"
            header = t(
                ctx.lang,
                key,
                topic=self._topic_name(results.topic, ctx.lang),
                total=results.total,
                tagged=results.tagged,
                others=results.total - (results.tagged or 0),
                page=page,
                pages=pages,
            )
            if narrowed_by:
                # The topic's documents with the place or subject narrowed by: the header
                # says so, or it read as the whole topic (a tester's).
                phrases = ", ".join(f"«{p}»" for p in narrowed_by)
                header += "\n" + t(ctx.lang, "narrowed_to", phrases=phrases)
        elif results.complete is not None:
            # Some of the words would do: the count says how many have all of them, or
            # "136 kết quả" for a long question reads as 136 answers in a corpus of 165.
            header = t(
                ctx.lang,
                "results_header_split" if results.complete else "results_header_split_none",
                query=shown_query,
                complete=results.complete,
                page=page,
                pages=pages,
            )
        else:
            header = t(
                ctx.lang,
                "results_header",
                query=shown_query,
                total=results.total,
                page=page,
                pages=pages,
            )
        if narrowed_by and not results.topic:
            phrases = ", ".join(f"«{p}»" for p in narrowed_by)
            header += "\n" + t(ctx.lang, "narrowed_to", phrases=phrases)
        # The named document's title (up to 300 characters) on the first page only: again on
        # every page, it pushed the results down a phone's screen.
        central = central_line(results, ctx.lang) if page == 1 else None
        if central:
            header = central + "\n" + header
        if results.soft_topic:
            header += "\n" + t(
                ctx.lang, "soft_topic", topic=self._topic_name(results.soft_topic, ctx.lang)
            )
        bent = bending_note(results, ctx.lang, complete=results.topic is not None)
        if bent:
            header += "\n" + bent
        reply = self._results_reply(
            Raw(note).html + header,
            results,
            page,
            ctx.lang,
            lambda p: self._query_callback(query, p),
            pages=pages,
        )
        if results.as_typed:
            # A word the documents do use was read as a typo: one tap searches it as typed.
            data = self._query_callback(results.as_typed, 1)
            reply.buttons.append([Button(t(ctx.lang, "search_as_typed"), data=data)])
        return reply

    def unknown_command(self, ctx: Context, text: str) -> Reply:
        """A command nobody handles ("/foo"): say so, rather than stay silent."""
        words = text.split()
        # One slash off: "//doc 3" is no /doc, and was answered "there is no /doc".
        command = words[0].removeprefix("/").split("@", 1)[0] if words else ""
        if not command.strip("/"):  # "/" or "//": no command to name
            return self.help(ctx)
        return Reply(t(ctx.lang, "unknown_command", command=cut(command, 40)))

    def topics(self, ctx: Context) -> Reply:
        """/topics: a button per topic with its document count."""
        counts = self.services.documents.topic_counts()
        buttons = [
            [
                Button(
                    f"{topic.name(ctx.lang)} ({counts.get(topic.slug, 0)})",
                    data=f"t:{topic.slug}:1",
                )
            ]
            for topic in self.services.taxonomy
        ]
        return Reply(t(ctx.lang, "topics_header"), buttons=buttons)

    def topic(self, ctx: Context, slug: str, page: int = 1) -> Reply:
        """One topic's documents, newest first."""
        taxonomy = self.services.taxonomy
        # A slug, a name, a phrase ("/topic kết nạp đảng viên") or part of one ("/topic kiểm
        # tra"); part of several is a choice to offer.
        within = resolve_topic(slug, taxonomy)
        if len(within) > 1:
            names = ", ".join(f"/topic {s} ({taxonomy.get(s).name(ctx.lang)})" for s in within)
            return Reply(t(ctx.lang, "topic_ambiguous", slug=cut(slug, 60), names=names))
        topic = taxonomy.get(within[0]) if within else None
        if topic is None:
            return Reply(t(ctx.lang, "unknown_topic", slug=cut(slug, 60)))
        page = clamp(page, 1, MAX_PAGE)
        results = self.services.search.by_topic(
            topic.slug, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        if results.total and not results.hits and page > 1:
            page = _last_page(results.total)
            results = self.services.search.by_topic(
                topic.slug, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
            )
        pages = max(1, math.ceil(results.total / PAGE_SIZE))
        self._remember(
            ctx, f"{_LISTING}topic:{topic.slug}", page, pages, results.hits, results.offset
        )
        header = t(
            ctx.lang,
            "topic_header",
            topic=topic.name(ctx.lang),
            total=results.total,
            page=page,
            pages=pages,
        )
        return self._results_reply(header, results, page, ctx.lang, lambda p: f"t:{topic.slug}:{p}")

    def latest(self, ctx: Context, page: int = 1) -> Reply:
        """/latest."""
        page = clamp(page, 1, MAX_PAGE)
        results = self.services.search.latest(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        if results.total and not results.hits and page > 1:
            page = _last_page(results.total)
            results = self.services.search.latest(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        pages = max(1, math.ceil(results.total / PAGE_SIZE))
        self._remember(ctx, f"{_LISTING}latest:", page, pages, results.hits, results.offset)
        header = t(ctx.lang, "latest_header", total=results.total, page=page, pages=pages)
        return self._results_reply(header, results, page, ctx.lang, lambda p: f"l:{p}")

    def document(self, ctx: Context, ref: str, page: int = 1) -> Reply:
        """/doc: the full text, one ≤ 4096-character page at a time."""
        ref = ref.strip().lstrip("#")
        if not ref:
            return Reply(t(ctx.lang, "doc_usage"))
        parts = ref.split()
        if len(parts) == 2 and parse_doc_id(parts[0]) is not None:
            # "/doc 46 2": a page of it, as its buttons turn.
            number = parse_page(parts[1])
            if number is not None:
                ref, page = parts[0], number
        try:
            doc = self.services.documents.get(ref)
        except NotFound:
            said = t(ctx.lang, "doc_not_found", ref=cut(ref, 60))
            if parse_doc_id(ref) is None:  # no number: how to ask, not only "not found"
                said += "\n" + t(ctx.lang, "doc_usage")
            return Reply(said)
        head_parts = [f"<b>{esc(cut(doc.title, 300))}</b>"]
        meta = [format_date(doc.published_at)] + [x for x in (doc.source, doc.author) if x]
        head_parts.append(esc(" · ".join(m for m in meta if m)))
        if doc.topics:
            head_parts.append(
                # Every topic: lists show two and "+N", which /doc must then account for (it
                # showed three of four, a tester's).
                "🏷 " + esc(" | ".join(self._topic_name(s, ctx.lang) for s in doc.topics))
            )
        header = "\n".join(p for p in head_parts if p)
        footer_room = 120
        pages = paginate_text(doc.text, limit=4096 - len(header) - footer_room)
        page = clamp(page, 1, len(pages))
        body = esc(pages[page - 1])
        # Later pages name the document and its date (a forwarded page 2 said neither when).
        short_head = f"<b>{esc(cut(doc.title, 80))}</b>"
        if doc.published_at:
            short_head += "\n" + esc(format_date(doc.published_at))
        parts = [header, body] if page == 1 else [short_head, body]
        url = doc_link(doc, self.bot_username) if doc.url else None
        footer = t(ctx.lang, "doc_page", page=page, pages=len(pages)) if len(pages) > 1 else ""
        if url:
            footer = (footer + " · " if footer else "") + link(url, doc.source or "link")
        if footer:
            parts.append(footer)
        with self._last_lock:
            self.reading[ctx.user_id] = (doc.id, page, len(pages), time.monotonic())
            self.reading.move_to_end(ctx.user_id)
            while len(self.reading) > LAST_SEARCHES:
                self.reading.popitem(last=False)
        buttons = self._pager(ctx.lang, page, len(pages), lambda p: f"d:{doc.id}:{p}")
        buttons.append([Button(t(ctx.lang, "related"), data=f"r:{doc.id}")])
        return Reply("\n\n".join(parts), buttons=buttons)

    def related(self, ctx: Context, doc_id: int) -> Reply:
        """The documents most similar to one."""
        try:
            doc = self.services.documents.get(doc_id)
        except NotFound:
            return Reply(t(ctx.lang, "doc_not_found", ref=cut(str(doc_id), 60)))
        hits = self.services.search.related(doc.id, k=RELATED)
        with self._last_lock:
            before = self.last.get(ctx.user_id)
            if before is not None and (_listing(before[0]) or ("",))[0] != "related":
                self.before_related[ctx.user_id] = before
        # "bài 2 nói gì" opens the second of these, as of any list (it said there were no
        # results yet, a tester's).
        self._remember(ctx, f"{_LISTING}related:{doc.id}", 1, 1, hits)
        blocks = [
            t(ctx.lang, "related_header", title=cut(doc.title, 120)),
            *self._render_hits(hits, 0, ctx.lang),
        ]
        return Reply("\n\n".join(blocks))

    def classify(self, ctx: Context, text: str) -> Reply:
        """Topics of a text with probabilities and the terms that drove them."""
        # Composed, as the index's words are: pasted decomposed (a Mac's, a PDF's), pairs
        # across two words were not recognised and shown as evidence (a tester's).
        text = normalize(text).strip()
        if not text:
            return Reply(t(ctx.lang, "classify_usage"))
        model = self.services.classifier
        if model is None:
            return Reply(t(ctx.lang, "classify_unavailable"))
        search = self.services.search
        verdict = judge(
            model,
            text,
            # Not a pair that straddles two words as the text has them ("luật khai" of "kỷ
            # luật khai trừ"): the model counts syllable pairs, a reader sees words.
            lambda term: not search.straddling(term, text) and not is_stopword(term),
        )
        if not verdict.readable:
            key = "classify_too_short" if verdict.too_short else "classify_unreadable"
            return Reply(t(ctx.lang, key, n=MIN_READABLE_SYLLABLES))
        scores, predicted = verdict.scores, verdict.topics
        lines = [t(ctx.lang, "classify_header")]
        if verdict.short:
            lines.append(t(ctx.lang, "classify_short"))  # "kỷ luật" alone gave 94%
        if not predicted:
            lines.append(t(ctx.lang, "classify_none"))
        for slug in predicted:
            # A model's probability is never certainty: 0.996 is not "100%".
            shown = min(scores.get(slug, 0), 0.99)
            lines.append(f"• <b>{esc(self._topic_name(slug, ctx.lang))}</b> — {shown:.0%}")
            if verdict.terms.get(slug):
                lines.append("  " + t(ctx.lang, "terms", terms=", ".join(verdict.terms[slug])))
        # The nearest other topics, only when they are worth a number: "0%" after "belongs to
        # none of the topics" read as a contradiction.
        others = sorted(
            ((s, p) for s, p in scores.items() if s not in predicted and p >= OTHER_TOPIC_MIN),
            key=lambda kv: -kv[1],
        )[:2]
        if others:
            listed = ", ".join(f"{self._topic_name(s, ctx.lang)} {p:.0%}" for s, p in others)
            key = "classify_others" if predicted else "classify_nearest"
            if not predicted and others[0][1] >= 0.5:
                # "No topic" beside 85% read as a contradiction (a tester's): the model is
                # not sure enough for that topic's bar, which is said.
                key = "classify_nearest_unsure"
            lines.append(t(ctx.lang, key, topics=listed))
        return Reply("\n".join(lines))

    def callback(self, ctx: Context, data: str) -> Reply | None:
        """A button press; None for buttons that do nothing (the page counter).

        Callback data comes from the client and may be forged: every number is parsed with
        bounds, and anything malformed answers "expired" rather than raising.
        """
        if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > _CALLBACK_LIMIT:
            return Reply(t(ctx.lang, "expired"))
        kind, _, rest = data.partition(":")
        if kind == "noop":
            return None
        if kind in ("q", "k"):
            raw_page, _, value = rest.partition(":")
            page = parse_page(raw_page)
            query = value if kind == "q" else self.memory.get(value)
            if page is None or query is None:
                return Reply(t(ctx.lang, "expired"))
            return self.search(ctx, query, page)
        if kind == "t":
            slug, _, raw_page = rest.partition(":")
            page = parse_page(raw_page)
            return Reply(t(ctx.lang, "expired")) if page is None else self.topic(ctx, slug, page)
        if kind == "l":
            page = parse_page(rest)
            return Reply(t(ctx.lang, "expired")) if page is None else self.latest(ctx, page)
        if kind == "d":
            raw_id, _, raw_page = rest.partition(":")
            page = parse_page(raw_page)
            if page is None or parse_doc_id(raw_id) is None:
                return Reply(t(ctx.lang, "doc_not_found", ref=cut(raw_id, 60)))
            return self.document(ctx, raw_id, page)
        if kind == "r":
            doc_id = parse_doc_id(rest)
            if doc_id is None:
                return Reply(t(ctx.lang, "doc_not_found", ref=cut(rest, 60)))
            return self.related(ctx, doc_id)
        if kind == "c":
            pasted = self.memory.get(rest)
            return Reply(t(ctx.lang, "expired")) if pasted is None else self.classify(ctx, pasted)
        if kind == "x":
            index = parse_int(rest, low=0, high=len(EXAMPLE_QUERIES) - 1)
            if index is None:
                return Reply(t(ctx.lang, "expired"))
            return self.search(ctx, EXAMPLE_QUERIES[index])
        return None  # a button of another kind (or version): nothing to do


_POLITE = r"(?:(?:ok|oke|okay|vang|da|u|uh|thoi)\s+)?"
_TO_WHOM = r"(?:\s+(?:ban|bot|em|anh|chi|ad|admin|nhieu|lam|nhe|nha|a|oi))*"
_SMALL_TALK = {
    # "dạ em chào anh chị": who speaks may come first (it was searched, "chào" and all).
    kind: re.compile(rf"{_POLITE}(?:(?:em|e|anh|chi|toi|minh|chau)\s+)?(?:{words}){_TO_WHOM}")
    for kind, words in {
        "greeting": r"xin chao|chao|chao buoi (?:sang|chieu|toi)|alo|a lo|hello|hi|hey"
        r"|(?:hello|hi|hey) there|good (?:morning|afternoon|evening)"
        # "bot ơi": calling the bot (it found nothing for "bot ơi", a tester's).
        r"|(?:bot|ban|ad|admin) oi",
        "thanks": r"(?:xin )?cam on|thank you|thanks|thank|tks|thx|ok|oke|okay|ok roi|duoc roi"
        # "thank you so much" was searched, "corrected" to "thanh you so muc" (a tester's).
        r"|thank you (?:so much|very much)|thanks (?:a lot|so much)|many thanks|great thanks",
        # "help", "giúp tôi với", "what can you do?": the help (searched as words, "help" read
        # as "hẹp"; a tester's).
        "help": r"help|help me|huong dan|giup (?:toi|em|minh)? ?voi|giup toi|can giup do"
        r"|what can you do|how does (?:this|it) work|how do i use (?:this|it|you)"
        r"|ban lam (?:duoc )?gi|bot lam (?:duoc )?gi|dung the nao|su dung the nao"
        # "hướng dẫn sử dụng", "làm sao để dùng bot này", "menu": searched as words, 139
        # articles for "làm sao để dùng bot này" (a tester's).
        r"|huong dan (?:su dung|cach dung)(?: bot)?(?: nay)?|cach (?:su )?dung(?: bot)?(?: nay)?"
        r"|(?:lam (?:sao|the nao)|the nao) (?:de )?(?:su )?dung(?: (?:bot|cai nay|ung dung))?"
        r"(?: nay)?(?: (?:a|vay|the))?|dung bot (?:nhu )?the nao|menu|tro giup"
        r"|(?:bot|ban) (?:co the )?lam (?:duoc )?(?:nhung )?gi",
        # "sai rồi", "không đúng": the answer missed; how to ask again (searched as words,
        # "đúng rồi" too, a tester's).
        "wrong": r"sai roi|sai|khong dung|khong phai|chua dung|sai be bet|khong phai cai nay"
        r"|khong phai bai (?:nay|do)|wrong|that s wrong|not (?:this|that|what i (?:want|meant))",
        "right": r"dung roi|chinh xac|dung (?:the|vay)|chuan|chuan roi|right|correct|exactly"
        r"|that s (?:it|right)",
        # "thôi", "không cần nữa" end the conversation; "ok" acknowledges the answer (both
        # were searched as words: 102 results for "thôi", a tester's).
        "bye": r"tam biet|bye(?: bye)?|goodbye|hen gap lai|thoi|vay thoi|the thoi|khong can nua"
        r"|khong can",
    }.items()
}


# "xem thêm", "tiếp", "trang 2", "more": the user's last search paged on, not searched.
_NEXT_PAGE = re.compile(
    rf"{_POLITE}(?:(?:xem|cho xem|cho|sang|qua|chuyen|chuyen sang|den|toi)\s+)?"
    r"(?:them|tiep|tiep theo|nua|them nua|trang sau"
    r"|trang tiep(?: theo)?|more|next|next page|show more|more results|any others|any more"
    r"|anything else|others"
    # "còn bài nào khác không", "còn nữa không", "bài khác": searched as words, they listed
    # whatever had "bài" and "khác" (a tester's).
    r"|(?:con|co|con co)\s+(?:(?:bai|tai lieu|van ban|ket qua|gi)\s+)?(?:nao\s+)?(?:khac|nua)"
    r"(?:\s+(?:nua|khac))?(?:\s+(?:khong|ko|k))?|(?:them\s+)?(?:bai|tai lieu|ket qua)\s+khac)"
    r"(?:\s+(?:di|nhe|nha|a|voi|khong|ko))?"
)
# "bài 2 nói gì", "mở bài 7", "xem kết quả số 3", "chi tiết bài thứ hai", "open 2", "show me
# the second one": a result of the last search, opened.
_NUMBER_WORDS = {
    "mot": 1, "nhat": 1, "dau tien": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10, "first": 1, "second": 2, "third": 3,
    "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "dau": 1, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
}  # fmt: skip
_WHICH = r"(\d{1,24}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_ITEM = re.compile(
    rf"{_POLITE}(?:(?:mo|xem|coi|doc|cho xem|cho doc|tom tat|xem chi tiet|chi tiet|noi dung)\s+)?"
    rf"(?:bai|ket qua|cai)\s+(?:(?:so|thu)\s+)?{_WHICH}"
    # "mở bài 3 ra", "bài 2 đâu", "bài 2 xem nào" (a tester's were searched as words).
    r"(?:\s+(?:noi ve gi|noi gi|noi nhung gi|viet ve gi|viet gi|the nao|ra sao|co gi|la gi"
    # "bài 3 nói về cái gì" (searched as words, a tester's).
    r"|noi ve cai gi|noi cai gi|viet ve cai gi|viet cai gi|la cai gi|ve cai gi|ve gi"
    # "cái thứ hai nói gì về kê khai tài sản": the subject after it is the list's (it was
    # searched as words, a tester's).
    r"|(?:noi gi|noi nhung gi|viet gi|co gi) ve(?: \w+){1,12}"
    r"|ra|dau|xem|xem nao|coi"
    # "bài 2 có gì đáng chú ý" (a tester's was searched as words).
    r"|co gi (?:dang chu y|hay|moi|quan trong|dac biet|noi bat)|noi dung (?:the nao|ra sao|gi)"
    r"|di|nhe|nha|a|vay))*"
    rf"|(?:please\s+)?(?:(?:open|read|show(?: me)?)\s+)?(?:the\s+)?(?:result|article|number|no)\s+"
    rf"{_WHICH}(?:\s+please)?"
    # "the third one", "second result" alone (a tester's was searched as words).
    rf"|(?:the\s+)?{_WHICH}\s+(?:one|result|article)(?:\s+please)?"
    rf"|(?:please\s+)?(?:open|read|show(?: me)?)\s+(?:the\s+)?{_WHICH}(?:\s+(?:one|result|article))?"
    r"(?:\s+please)?"
    # "what does result 2 say", "what is the second one about", "what does 2 say", "tell me
    # about the second one" (testers').
    rf"|what(?:\s+does|\s+is|\s+s)?\s+(?:the\s+)?(?:(?:result|article|number)\s+{_WHICH}"
    rf"|{_WHICH}\s+(?:one|result|article)|{_WHICH})(?:\s+(?:say|about|say about))?"
    rf"|tell\s+me\s+(?:more\s+)?about\s+(?:the\s+)?(?:(?:result|article|number)\s+)?"
    rf"{_WHICH}(?:\s+(?:one|result|article))?"
    # "what is in the third article", "what does the second one say about asset declaration"
    # (testers').
    rf"|what(?:\s+is|\s+s)?\s+in\s+(?:the\s+)?{_WHICH}(?:\s+(?:one|result|article))?"
    rf"|what\s+does\s+(?:the\s+)?{_WHICH}(?:\s+(?:one|result|article))?\s+say"
    r"(?:\s+about(?:\s+\w+){1,8})?"
)
_NEGATIVE = re.compile(r"(?<!\w)[-\u2212\u2013]\s*\d")  # "-3", "−3": a number below zero
# "bài cuối", "mở kết quả cuối cùng": the last one on the screen (searched as words).
_LAST_ITEM = re.compile(
    rf"{_POLITE}(?:(?:mo|xem|doc|cho xem|tom tat)\s+)?(?:bai|ket qua|cai)\s+cuoi(?:\s+cung)?"
    r"(?:\s+(?:noi gi|noi ve gi|co gi|di|nhe|a))?|(?:open\s+)?the\s+last\s+(?:one|result)"
)
# "cái này nói gì", "mở văn bản đó ra", "open it": the one on the screen, when there is one
# (searched as words, 129 articles for "cái này nói gì", a tester's).
_THIS_ITEM = re.compile(
    rf"{_POLITE}(?:(?:mo|xem|doc|cho xem|tom tat)\s+)?(?:cai|bai|van ban|tai lieu|tin)\s+(?:nay|do|kia|ay)"
    r"(?:\s+(?:ra|noi gi|noi ve gi|noi ve cai gi|noi cai gi|viet gi|la gi|co gi|the nao|di|nhe|a|vay))*"
    r"|(?:open|read|show me)\s+(?:it|this|that|this one|that one)|what does (?:it|this|that) say"
    # "tóm tắt giúp tôi bài đó", "summarize it": the open one (searched as words, a tester's).
    r"|tom tat (?:giup |gium |cho |dum )?(?:toi |em |minh )?(?:cai|bai|van ban|tai lieu|tin)"
    r" (?:nay|do|kia|ay)(?: (?:di|nhe|voi|a))?"
    r"|(?:summari[sz]e|sum up)(?: (?:it|this|that|this one|that one|the article))?(?: please)?"
)
_RELATED = re.compile(
    rf"{_POLITE}(?:(?:co|con|xem|cho xem|tim|mo)\s+)?(?:(?:nhung|cac|may)\s+)?"
    r"(?:bai|tai lieu|van ban|tin)(?:\s+(?:khac|nao))*\s+(?:lien quan|tuong tu|giong (?:vay|the)"
    r"|cung chu de)(?:\s+(?:khong|ko|k|nua|di|nhe|nha|a|voi bai nay|den bai nay|bai nay))*"
    r"|(?:show\s+)?(?:similar|related)(?:\s+(?:documents|docs|articles|ones|ones too))?"
)
# "trang 3", "sang trang hai", "qua trang 4" (a tester's "trang hai" was searched as words).
_PAGE_N = re.compile(
    rf"{_POLITE}(?:(?:xem|cho xem|sang|qua|chuyen sang|den|toi|mo)\s+)?(?:trang|page)\s+"
    rf"(?:(?:so|thu)\s+)?{_WHICH}"
    # "second page", "go to page two" (a tester's were searched as words).
    rf"|(?:(?:go\s+)?to\s+)?(?:the\s+)?{_WHICH}\s+page|go\s+to\s+page\s+{_WHICH}"
)
_OTHER_PAGE = {
    PREVIOUS_PAGE: re.compile(
        rf"{_POLITE}(?:(?:xem|cho xem|quay lai|lui lai|ve|sang|qua|lui)\s+)?(?:trang truoc"
        r"|quay lai|lui lai"
        r"|previous|previous page|back|go back)"
    ),
    # "quay lại danh sách", "back to the list": the list as last shown (a tester's "quay lai
    # danh sach" was searched as words and replaced it).
    LIST_PAGE: re.compile(
        rf"{_POLITE}(?:(?:quay lai|quay ve|ve|tro lai|xem lai|lui ve)\s+)?(?:danh sach(?: ket qua)?|ket qua)"
        r"(?:\s+(?:cu|truoc|luc nay|vua roi|tim kiem))?|back to (?:the )?(?:list|results)"
    ),
    LAST_PAGE: re.compile(
        rf"{_POLITE}(?:(?:xem|cho xem|sang|qua|den|toi)\s+)?(?:trang cuoi(?: cung)?|last page)"
    ),
    1: re.compile(rf"{_POLITE}(?:(?:xem|cho xem)\s+)?(?:trang dau|first page)"),
}


# Courtesy around a request: "cho tôi xem bài 5", "mở bài 5 giúp tôi", "anh ơi trang sau với"
# (a tester's were searched as words).
_COURTESY_BEFORE = re.compile(
    r"^(?:(?:anh|chi|ban|bot|ad|admin|em|e|a|c|b) oi )?(?:(?:lam on|vui long|xin) )?"
    r"(?:(?:cho|giup|gium) (?:toi|em|e|minh|mk|chau|con|anh|chi) )?(?=(?:xem|doc|mo|tom tat|bai"
    r"|trang|ket qua|cai|tai lieu|sang|qua) )"
)
_COURTESY_AFTER = re.compile(
    r"(?: (?:giup|gium|dum|ho)(?: (?:toi|em|e|minh|mk|chau|con|anh|chi|voi))?| voi| duoc khong"
    r"| dc ko| duoc ko| nhe| nha| a| di| voi a| please)+$"
)


# The query parser's chat shorthand, folded as requests are matched; "k" too, which a query
# keeps as a letter.
_SHORT_WORDS = {key: fold_lower(word) for key, word in SHORTHAND.items()} | {"k": "khong"}


def _request_words(text: str) -> str:
    """The message folded to words, chat shorthand written out ("bai 1 noi j" was searched,
    a tester's), without the courtesy around a request."""
    words = " ".join(re.sub(r"[^\w]+", " ", fold_lower(normalize(text))).split())
    if len(words) > 200:
        return words
    words = " ".join(_SHORT_WORDS.get(w, w) for w in words.split())
    return _COURTESY_AFTER.sub("", _COURTESY_BEFORE.sub("", words)) or words


def _target_page(asked: int, page: int, pages: int) -> int:
    """The page number ``asked`` (see page_request) means, from ``page`` of ``pages``."""
    return {NEXT_PAGE: page + 1, PREVIOUS_PAGE: page - 1, LAST_PAGE: pages}.get(asked, asked)


def _past_the_end(reply: Reply, wanted: int, pages: int, lang: str) -> Reply:
    """``reply`` (the last page), saying so when a page past the end was asked for ("trang
    3" of two showed page 2 without a word, a tester's)."""
    if wanted > pages > 0:
        # A number past any page is not echoed: "trang 999…9" read "no page 1000".
        key = "past_the_end" if wanted < MAX_PAGE else "past_the_end_far"
        reply.html = t(lang, key, asked=wanted, pages=pages) + "\n" + reply.html
    return reply


def page_request(text: str) -> int | None:
    """Which page of results the message asks for: NEXT_PAGE, PREVIOUS_PAGE, LAST_PAGE or a
    page's number ("trang 3"); None when it asks for something else."""
    words = _request_words(text)
    if not words or len(words) > 30:
        return None
    if _NEXT_PAGE.fullmatch(words):
        return NEXT_PAGE
    for page, pattern in _OTHER_PAGE.items():
        if pattern.fullmatch(words):
            return page
    numbered = _PAGE_N.fullmatch(words)
    if numbered is not None:
        if _NEGATIVE.search(text):
            return 1  # "trang -3" is no page 3 (the minus went with the punctuation)
        # "trang 0" is the first page, "trang 99999…" the last (both were searched as words).
        which = next(g for g in numbered.groups() if g is not None)
        return clamp(int(which) if which.isdigit() else _NUMBER_WORDS[which], 1, MAX_PAGE)
    return None


def related_request(text: str) -> bool:
    """Whether the message asks for the documents related to the open one ("tài liệu liên
    quan", "có bài nào tương tự không", "related")."""
    words = _request_words(text)
    return bool(words) and len(words) <= 60 and _RELATED.fullmatch(words) is not None


def item_request(text: str) -> int | None:
    """Which result of the last search the message asks to open ("bài 2 nói gì": 2), or
    None."""
    words = _request_words(text)
    if words and len(words) <= 40 and _LAST_ITEM.fullmatch(words):
        return LAST_ITEM
    if words and len(words) <= 40 and _THIS_ITEM.fullmatch(words):
        return THIS_ITEM
    found = _ITEM.fullmatch(words) if words and len(words) <= 90 else None
    if found is None:
        return None
    which = next(g for g in found.groups() if g is not None)
    if _NEGATIVE.search(text):
        return 0  # "bài -1" is no result 1: refused as "bài 0" is
    # "bài 0" is no result of the list (it was searched as the words "bài 0", a tester's).
    return int(which) if which.isdigit() else _NUMBER_WORDS[which]


# "chỉ lấy năm 2023 thôi", "còn năm 2022 thì sao", "ở Hà Nội thôi", "bài nào mới hơn",
# "only 2023": the last search narrowed, or its period changed, not these words searched
# (a tester's "chỉ lấy năm 2023 thôi" listed articles with "lấy" and "thôi").
_REFINE = re.compile(
    rf"{_POLITE}(?P<lead>(?:the |vay )?con |the |vay |chi (?:(?:lay|xem|tim|can|muon xem|muon|loc|hien)"
    r" )?|loc (?:(?:theo|lay) )?|them (?:dieu kien )?|rieng |only (?:(?:in|from|for) )?"
    r"|just (?:(?:in|from|for) )?|in |from "
    r"|what about (?:(?:in|from) )?|how about (?:(?:in|from) )?"
    # "có bài nào ở Thanh Hóa không", "anything in Thanh Hoa?" (searched on their own, the
    # subject lost, a tester's).
    r"|(?P<any>co (?:bai|tin|tai lieu|van ban)(?: nao)? |anything (?:in|from) "
    r"|any (?:(?:articles?|documents?|news|ones) )?(?:in|from) ))?"
    r"(?:(?:nhung|cac) )?(?:(?:bai|tai lieu|van ban|ket qua)(?: nao)? )?"
    r"(?P<payload>.+?)"
    r"(?P<tail> thoi(?: nhe| nha| a| di| duoc khong)?| thi sao(?: a| nhi)?| thi the nao| only| then"
    # "ở Cần Thơ có không", "ở Huế có bài nào không" (testers').
    r"| co(?: bai nao| gi)?(?: khong| ko| k)(?: a)?|(?(any) (?:khong|ko|k)(?: a)?|(?!)))?"
)
_NEWER = re.compile(
    rf"{_POLITE}(?:(?:co|con|con co|xem|cho xem|tim)\s+)?(?:(?:nhung|cac|may)\s+)?"
    r"(?:(?:bai|tai lieu|van ban|ket qua|tin)\s+)?(?:nao\s+)?"
    r"(?:moi hon|moi nhat|moi day|gan day|gan day hon|gan nhat|moi ra)(?:\s+(?:nua|thoi))?"
    r"(?:\s+(?:khong|ko|k|di|nhe|nha|a|truoc))*"
    r"|(?:show\s+)?(?:the\s+)?(?:newer|newest|latest|most recent)(?:\s+(?:ones|first|results))*"
    # "any newer ones?", "anything more recent" (a tester's was searched as words).
    r"|(?:are there\s+)?(?:any|anything)\s+(?:newer|more recent|recent|new)(?:\s+(?:ones|results))?"
    r"|(?:sort|order)(?:\s+them)?\s+by\s+(?:date|newest|latest)(?:\s+first)?"
)

# "xếp cũ nhất trước", "bài cũ hơn", "từ cũ đến mới", "oldest first": the last search, oldest
# first (it was searched as the words "cũ", a tester's).
_OLDER = re.compile(
    rf"{_POLITE}(?:(?:co|con|con co|xem|cho xem|tim|xep|sap xep|xep lai)\s+)?"
    r"(?:(?:theo\s+)?(?:thu tu\s+)?)?(?:(?:nhung|cac|may)\s+)?"
    r"(?:(?:bai|tai lieu|van ban|ket qua|tin)\s+)?(?:nao\s+)?"
    r"(?:cu hon|cu nhat|cu truoc|cu nhat truoc|som nhat|tu cu (?:den|toi|sang) moi"
    r"|(?:ngay|thoi gian) cu (?:nhat )?truoc)(?:\s+(?:nua|thoi))?"
    r"(?:\s+(?:khong|ko|k|di|nhe|nha|a|truoc))*"
    r"|(?:show\s+)?(?:the\s+)?(?:older|oldest|earliest)(?:\s+(?:ones|first|results))*"
    r"|(?:are there\s+)?(?:any|anything)\s+older(?:\s+(?:ones|results))?"
    r"|(?:sort|order)(?:\s+them)?\s+by\s+(?:oldest|earliest)(?:\s+first)?"
)


@dataclass(frozen=True)
class Refinement:
    """What a follow-up asks of the last search: ``words`` to add (a period replaces the
    last search's), or ``newest`` (``oldest``) first."""

    words: str = ""
    newest: bool = False
    oldest: bool = False
    clear: bool = False  # "bỏ lọc": the last search without its period and required phrases
    instead: str = ""  # "còn tham nhũng thì sao": another subject, searched on its own
    year_before: bool = False  # "so với năm trước thì sao": the year before the last search's


def refine_request(text: str) -> Refinement | None:
    """The narrowing or re-dating a message asks of the last search ("chỉ lấy năm 2023
    thôi", "còn năm 2022 thì sao", "ở Hà Nội thôi", "có bài nào mới hơn không", "only
    2023"), or None when it is a query of its own."""
    shown = " ".join(normalize(text).split()).strip(" ?!.,;:…")
    # "2023 only please": the courtesy is no word to search (a tester's).
    shown = re.sub(r"(?i)^please,?\s+|,?\s+please$", "", shown)
    # "show only 2023 results", "limit to 2022", "filter by 2023", "restrict to Can Tho",
    # "only articles from 2024": an English narrowing (each was searched as words, a
    # tester's).
    shown = re.sub(
        r"(?i)^(?:show only|show just|limit(?: it| them)? to|filter(?: it| them)? by|restrict"
        r"(?: it| them)? to|narrow(?: it| them)?(?: down)? to)\s+",
        "only ",
        shown,
    )
    shown = re.sub(
        r"(?i)^(only|just) (?:the )?(?:articles|results|documents|ones|news)"
        r" (?:from|in|of)\s+",
        r"\1 ",
        shown,
    )
    shown = re.sub(r"(?i)^(only \d{4}) (?:results|articles|documents|ones)$", r"\1", shown)
    # "show me 2023 only": "show me" is no word to search either (it was, a tester's).
    shown = re.sub(
        r"(?i)^(?:can you\s+)?show me(?:\s+(?:the ones|those|articles|documents))?\s+", "", shown
    )
    if not shown or len(shown) > 80:
        return None
    for english, vietnamese in _ENGLISH_PERIODS.items():
        shown = re.sub(rf"(?i)\b{english}\b", vietnamese, shown)
    folded = fold_lower(shown)  # one character per character: offsets hold in ``shown``
    if _NEWER.fullmatch(re.sub(r"[^\w]+", " ", folded).strip()):
        return Refinement(newest=True)
    if _OLDER.fullmatch(re.sub(r"[^\w]+", " ", folded).strip()):
        return Refinement(oldest=True)
    if _CLEAR.fullmatch(re.sub(r"[^\w]+", " ", folded).strip()):
        return Refinement(clear=True)
    if _YEAR_BEFORE.fullmatch(re.sub(r"[^\w]+", " ", folded).strip()):
        return Refinement(year_before=True)
    found = _REFINE.fullmatch(folded)
    if found is None or not (found.group("lead") or found.group("tail")):
        # A period alone ("năm 2023") after a search is that search in that period (it
        # listed every document of 2023, a tester's).
        alone = parse_query(shown)
        dated = alone.date_from is not None or alone.date_to is not None
        if dated and not (alone.content_terms or alone.codes or alone.phrases):
            return Refinement(words=shown, newest=alone.newest)
        return None
    lead, tail = (found.group("lead") or "").strip(), (found.group("tail") or "").strip()
    payload = shown[found.start("payload") : found.end("payload")].strip(" ,")
    first = fold_lower(payload).split()[0] if payload.split() else ""
    if not payload or len(payload.split()) > 6 or first in {"khong", "ko", "dung", "thoi"}:
        return None
    if small_talk(payload) is not None:
        return None  # "cảm ơn thôi"
    parsed = parse_query(payload)
    dated = parsed.date_from is not None or parsed.date_to is not None
    if parsed.newest and not parsed.content_terms and not dated:
        return Refinement(newest=True)
    words = payload.split()
    if fold_lower(words[0]) in _PLACE_WORDS and len(words) > 1:
        words = words[1:]
    if fold_lower(words[0]) in _PLACE_KINDS and len(words) > 1 and is_place(" ".join(words[1:])):
        # "ở tỉnh Quảng Ninh thôi" required "tỉnh Quảng Ninh", which "Tỉnh ủy Quảng Ninh"
        # is not (a tester's): the place's name.
        words = words[1:]
    if found.group("any") and not dated and not is_place(" ".join(words)):
        return None  # "có bài nào về tham nhũng không": a question of its own
    if not dated and (
        lead.startswith(("con", "vay", "the", "what", "how"))
        or tail in {"thi sao", "then"}
        or tail.startswith("co ")
    ):
        if is_place(" ".join(words)):
            # "còn Nghệ An thì sao": the same search in another place, which replaces the
            # one narrowed by (it was searched as words, "còn" and all, a tester's).
            return Refinement(words='+"' + " ".join(words).strip('"') + '"')
        if tail in {"thi sao", "thi the nao", "then"} or lead in _ANOTHER_SUBJECT:
            # "còn tham nhũng thì sao", "thế còn kỷ luật?": another subject, searched
            # without the words that ask for it (they were searched, "còn" and "sao" with
            # it, 50 results where "tham nhũng" has 29, a tester's).
            return Refinement(instead=" ".join(words))
        return None  # "thế nào là …": a query of its own
    if lead == "chi" and not tail and not dated and first not in _PLACE_WORDS:
        return None  # a bare "chỉ" starts a word as often as a request: "chỉ thị", "chỉ đạo"
    if not dated and not parsed.content_terms:
        return None
    if lead in {"in", "from"} and not dated and not all(t.capital for t in parsed.content_terms):
        return None  # "in Ha Giang" narrows; "in the party" is a query of its own
    if dated:
        if lead.startswith(("chi", "rieng", "only", "just")) or tail.startswith(("thoi", "only")):
            # "chỉ năm 2018 thôi": that year's articles alone, not later ones naming it (a
            # 2021 article naming "Luật … năm 2018" was kept, a tester's).
            english = lead.startswith(("only", "just")) or tail.startswith("only")
            only = "thôi" if english or fold_lower(payload) != payload.lower() else "thoi"
            return Refinement(words=f"{payload} {only}", newest=parsed.newest)
        return Refinement(words=payload, newest=parsed.newest)
    # Words to narrow by are required (+"…"): "ở Cần Thơ thôi" is the articles on Cần Thơ,
    # not more pages of close matches with Cần Thơ among their words (a tester's).
    return Refinement(words='+"' + " ".join(words).strip('"') + '"', newest=parsed.newest)


# "so với năm trước thì sao", "năm trước thì sao", "compared to the year before?": the last
# search a year earlier (searched as words, a budget article's "so với năm trước" first, a
# tester's).
_YEAR_BEFORE = re.compile(
    rf"{_POLITE}(?:(?:the |vay |con |the con )?(?:so voi |con )?nam truoc(?: do)?"
    r"(?: (?:thi sao|the nao|ra sao|thi the nao))?(?: (?:a|nhi))?"
    r"|(?:what about |how about |compared (?:to|with) )?(?:the )?(?:year before|previous year)"
    r"(?: then)?)"
)
# "bỏ lọc", "mọi năm": a narrowing undone (there was no way to say it, a tester's).
_CLEAR = re.compile(
    rf"{_POLITE}(?:bo|xoa|huy)\s+(?:het\s+)?(?:loc|dieu kien|gioi han)(?:\s+(?:thoi gian|nam|dia"
    r" diem|noi|di|nhe|nha|a))*|(?:tat ca|moi|het)\s+(?:cac\s+)?(?:nam|thoi diem|noi)(?:\s+(?:di"
    r"|nhe|a))*|(?:clear|remove|drop)\s+(?:the\s+|all\s+)?(?:(?:year|date|place|period)\s+)?"
    r"filters?|all years|any time"
)
_REQUIRED = re.compile(r'(?:^|\s)\+\s?"[^"]*"')  # a phrase a follow-up narrowed by
_ADDED_VI = re.compile(r"(?<!\w)(?:thôi|mới nhất|cũ nhất)(?!\w)")  # what a follow-up adds
# Leads that ask for another subject whatever follows: "thế còn kỷ luật?", "what about
# corruption?" ("thế" alone starts "thế nào là …").
_ANOTHER_SUBJECT = {"the con", "vay con", "con", "what about", "how about"}
# Words before a place or subject a follow-up narrows by: "chỉ ở Cần Thơ", "về đấu thầu".
_PLACE_WORDS = {"o", "tai", "trong", "ve", "cua", "thuoc"}
_PLACE_KINDS = {"tinh", "tp", "huyen", "quan", "xa", "phuong", "thi xa"}  # before a place's name
# An English period said in words: its Vietnamese, which the query parser reads.
_ENGLISH_PERIODS = {
    "last year": "năm ngoái",
    "this year": "năm nay",
    "last month": "tháng trước",
    "this month": "tháng này",
    "last week": "tuần trước",
    "this week": "tuần này",
}

_THANKS_EMOJI = set("👍🙏👌❤♥💯🤝🫡")
_EMOJI_DECOR = re.compile(r"[\s\ufe0f\u200d\U0001f3fb-\U0001f3ff!.]+")  # skin tones, joiners


def small_talk(text: str) -> str | None:
    """``greeting``, ``thanks``, ``help`` or ``bye`` when that is all the message says (punctuation
    and emoji aside), else None."""
    words = " ".join(re.sub(r"[\W\d_]+", " ", fold_lower(normalize(text))).split())
    shown = set(_EMOJI_DECOR.sub("", text))
    if not words and shown and shown <= _THANKS_EMOJI:
        return "thanks"  # a thumbs-up after an answer, on a phone (it asked for a query)
    if not words or len(words) > 40:
        return None
    for kind, pattern in _SMALL_TALK.items():
        if pattern.fullmatch(words):
            return kind
    return None


def central_line(results: SearchResults, lang: str) -> str | None:
    """The catalogued document the query names, if any: a cadre asking for "Quy định 08"
    sees which text that is before the articles that cite it."""
    for doc in results.central[:1]:
        key = "central_document"
        if results.citing is not None and results.citing < results.total:
            key = "central_document_cited" if results.citing else "central_document_uncited"
            if results.citing == 1:
                key = "central_document_cited_one"  # "The 1 articles citing it" (a tester's)
        date = format_date_iso(doc.date)
        return t(lang, key, title=doc.title, date=date, n=results.citing)
    return None


def bending_note(results: SearchResults, lang: str, *, complete: bool = True) -> str | None:
    """How the engine had to bend the query, if it did, so approximate answers are not
    mistaken for exact ones: a typo corrected, words or a date left out, a phrase loosened;
    and the words no document has, which were left out. ``complete=False``: not how many
    have every word (the bot's header says it)."""
    lines = [_bent(results, lang)]
    if results.newest and results.newest_of:
        # The best matches by date, not all: said, or the list seemed to shrink for no reason
        # ("71 kết quả", then "7" for "có bài nào mới hơn không", testers').
        lines.insert(0, t(lang, "note_newest_best", n=results.total, of=results.newest_of))
    elif results.oldest and results.newest_of:
        lines.insert(0, t(lang, "note_oldest_best", n=results.total, of=results.newest_of))
    elif results.newest:
        lines.insert(0, t(lang, "note_newest"))
    elif results.oldest:
        lines.insert(0, t(lang, "note_oldest"))
    for typed, forms in results.via:
        lines.append(t(lang, "note_via", typed=cut(typed, 60), forms=cut(", ".join(forms), 120)))
    if results.period is not None and results.note not in ("date_relaxed", "period_empty"):
        period = period_label(*results.period, lang=lang)
        named = results.period_named
        if named and any(_outside(hit.date, results.period) for hit in results.hits):
            # "Thời gian: năm 2022" above an article of 2024 read as a broken filter.
            lines.insert(0, t(lang, "note_period_named", period=period, year=named))
        elif results.period_first:
            key = "note_period_first"
            if (
                results.hits
                and not results.offset
                and all(_outside(hit.date, results.period) for hit in results.hits)
            ):
                # "năm nay có bài nào về kết nạp không": none of this year among the best,
                # said, not "this year's rank first" above a 2019 article (a tester's).
                key = "note_period_first_none"
            lines.insert(0, t(lang, key, period=period))
        elif results.period_reports:
            days = results.period_reports
            lines.insert(0, t(lang, "note_period_reports", period=period, days=days))
        else:
            lines.insert(0, t(lang, "note_period", period=period))
    if results.complete is not None and complete:
        keys = {0: "note_complete_none", 1: "note_complete_one"}
        lines.append(t(lang, keys.get(results.complete, "note_complete"), n=results.complete))
    if results.together is not None and results.together > 0:
        key = "note_together_one" if results.together == 1 else "note_together"
        words = results.together_words or ""
        lines.append(t(lang, key, n=results.together, words=words))
    if results.absent_names:
        # "kỷ luật ở Đắk Nông" listed Đắk Lắk's cases under "approximate results".
        names = cut(", ".join(results.absent_names), 80)
        lines.append(t(lang, "note_absent_names", names=names))
    for kind, code in results.kind_mismatch[:2]:
        lines.append(t(lang, "note_kind_mismatch", kind=cut(kind, 30), code=cut(code, 30)))
    if results.unread:
        lines.append(t(lang, "note_unread", words=cut(", ".join(results.unread), 80)))
    if results.ignored:
        key = "note_ignored" if results.hits else "note_no_document_has"
        lines.append(t(lang, key, words=cut(", ".join(results.ignored), 80)))
    if results.contradicted:
        words = cut(", ".join(results.contradicted), 80)
        lines.append(t(lang, "note_contradicted", words=words))
    shown = [w for w in results.excluded if w not in results.contradicted]
    if shown and (results.hits or results.excluded_hits):
        key, n = (
            ("note_excluded_hits", results.excluded_hits)
            if results.excluded_hits
            else ("note_excluded", 0)
        )
        lines.append(t(lang, key, words=cut(", ".join(shown), 80), n=n))
    if results.date_widened:
        typed, searched = results.date_widened
        # The date alone: "từ 31/02/2023" is from February on, as the period line says; "from
        # «từ 31/02/2023»: searched February" read as February alone (a tester's).
        typed = re.sub(
            r"(?i)^(?:kể từ|từ|đến|tới|sau|trước|since|from|until|before|after)\s+", "", typed
        )
        unit = ("tháng " if "/" in searched else "năm ") if lang == "vi" else ""
        period = unit + searched
        lines.append(t(lang, "note_date_widened", typed=cut(typed, 40), period=period))
    return "\n".join(line for line in lines if line) or None


def _outside(date: datetime | None, period: tuple[datetime | None, datetime | None]) -> bool:
    """Whether a document of ``date`` (naive UTC) was published outside ``period``."""
    start, end = period
    return date is not None and (
        (start is not None and date < start) or (end is not None and date >= end)
    )


def period_label(start: datetime | None, end: datetime | None, *, lang: str) -> str:
    """A period as a reader says it: "năm 2025", "tháng 5/2023", "ngày 26/12/2023", "từ
    01/01/2022", "từ 01/03/2022 đến 30/06/2022". ``end`` is exclusive, both naive UTC."""
    first = to_local(start).date() if start else None
    last = to_local(end).date() - timedelta(days=1) if end else None
    words = WORDS_VI if lang == "vi" else WORDS_EN
    if first and last:
        if first == last:
            return f"{words['day']}{first:%d/%m/%Y}"
        if first.day == 1 and (last + timedelta(days=1)).day == 1:
            if (first.month, last.month, first.year) == (1, 12, last.year):
                return f"{words['year']}{first.year}"
            if (first.year, first.month) == (last.year, last.month):
                return f"{words['month']}{first.month}/{first.year}"
            if first.year == last.year and last.month - first.month == 2 and first.month % 3 == 1:
                n = first.month // 3 + 1
                quarter = ("I", "II", "III", "IV")[n - 1] if lang == "vi" else str(n)
                return f"{words['quarter']}{quarter}/{first.year}"  # "quý I/2023"
            if first.year == last.year and (first.month, last.month) in ((1, 6), (7, 12)):
                half = words["first_half" if first.month == 1 else "second_half"]
                return f"{half}{first.year}"  # "6 tháng đầu năm 2024"
        return f"{words['from']}{first:%d/%m/%Y}{words['to']}{last:%d/%m/%Y}"
    if first:
        return f"{words['from']}{first:%d/%m/%Y}"
    return f"{words['until']}{last:%d/%m/%Y}" if last else ""


WORDS_VI = {
    "day": "ngày ",
    "year": "năm ",
    "quarter": "quý ",
    "first_half": "6 tháng đầu năm ",
    "second_half": "6 tháng cuối năm ",
    "month": "tháng ",
    "from": "từ ",
    "to": " đến ",
    "until": "đến ",
}
WORDS_EN = {
    "day": "",
    "year": "",
    "month": "",
    "quarter": "Q",
    "first_half": "first half of ",
    "second_half": "second half of ",
    "from": "from ",
    "to": " to ",
    "until": "until ",
}


def _bent(results: SearchResults, lang: str) -> str | None:
    if results.note in ("relaxed", "any_terms"):
        # Not beside "only 2 of them have every word" (the words, not as typed together:
        # both lines stood under one header, a tester's).
        return None if results.complete else t(lang, "note_relaxed")
    if results.note in ("typo", "english") and results.suggestions:
        key = "note_english" if results.note == "english" else "note_typo"
        corrected = results.suggestions[0]
        for typed, forms in results.via:
            # The spelling searched for, not the one the next line says no document writes
            # ("Đã tìm theo: … Đắc Lắc" above "Không tài liệu nào viết «Đắc Lắc»": a tester's).
            if forms and typed in corrected:
                corrected = corrected.replace(typed, forms[0])
        said = t(lang, key, corrected=cut(corrected, 100))
        if results.english_relaxed and results.complete is None:
            said += "\n" + t(lang, "note_relaxed")
        return said
    if results.note == "phrase_relaxed":
        return t(lang, "note_phrase_relaxed")
    # An English query's reading is said whatever else is ("did you mean: sinh hoạt chi bộ
    # 2026" stood in its place when the period had nothing, a tester's).
    searched = (
        "\n" + t(lang, "note_english", corrected=cut(results.suggestions[0], 100))
        if results.translated and results.suggestions
        else ""
    )
    if results.note == "date_relaxed":
        if results.period is not None and any(results.period):
            # Which period ("hôm nay" at 3 a.m. is a day the user may not expect; a tester's).
            period = period_label(*results.period, lang=lang)
            return t(lang, "note_date_relaxed_period", period=period) + searched
        return t(lang, "note_date_relaxed") + searched
    if results.note == "period_empty" and results.period is not None:
        period = period_label(*results.period, lang=lang)
        return t(lang, "note_period_empty", period=period) + searched
    if results.note == "code_uncited":
        return t(lang, "note_code_uncited" if results.hits else "no_document_cites")
    if results.note == "words_apart":
        return t(lang, "note_words_apart")
    if results.note == "phrase_partial":
        if results.phrase_hits == 1:
            return t(lang, "note_phrase_partial_one")
        return t(lang, "note_phrase_partial", n=results.phrase_hits)
    return None


# A remembered "last search" that was a listing, not a query: "\0topic:admission", "\0latest:".
# A query typed never starts with NUL (normalize drops control characters).
_LISTING = "\0"


def _listing(remembered: str) -> tuple[str, str] | None:
    """("topic", slug) or ("latest", "") when the last answer was such a list, else None."""
    if not remembered.startswith(_LISTING):
        return None
    kind, _, slug = remembered[1:].partition(":")
    return kind, slug


def _last_page(total: int) -> int:
    return clamp(math.ceil(total / PAGE_SIZE), 1, MAX_PAGE)


def cut_snippet(text: str, limit: int = 400) -> str:
    """Snippets are already cut by the engine; this only guards against very long ones."""
    return text if len(text) <= limit else text[:limit]
