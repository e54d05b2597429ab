"""One search over a large index run as two at once, each over half of the index's segments.

tantivy lets go of Python's lock while it searches, so on a machine with two cores two
searches run side by side. The engine uses this for the ranked search of broad queries only
(see ``SPLIT_FROM_TERMS`` in bot/search/engine.py). tantivy-py offers no way to search segments in parallel, so each
half is the query and a range of document ids that takes in some segments whole and leaves
the others out: tantivy drops a clause that every document of a segment matches, and skips a
segment no document of which it matches, so each half costs its share of the documents and
the scores stay exactly those of one search. (A range that cut through a segment would cost
more there and add 1 to those documents' scores; two searches on one segment also wait for
each other: both were measured, so the halves follow the segments.)

Which ids each segment holds is read in the helper thread, once per state of the index (about
40 ms at 100,000 documents); until it is known, and when the segments cannot be split into two
runs of ids of useful sizes, a search runs in one piece.
"""

from __future__ import annotations

import bisect
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import tantivy
from tantivy import DocAddress, FieldType, Occur, Query

from bot.search.index import SCHEMA

log = logging.getLogger(__name__)

SPLIT_MIN_DOCS = 20_000  # a smaller index answers in about a millisecond: not worth a thread
MAX_SIDE = 0.8  # a split whose larger half holds more of the documents saves too little


class Found(NamedTuple):
    """What a search returns that we use: (score or field value, address) pairs, the count."""

    hits: list[tuple[Any, Any]]
    count: int


class HalvedSearch:
    """Searches a large index in two halves at once (``threads`` ≥ 2), else in one piece."""

    def __init__(self, threads: int = 2) -> None:
        self.threads = max(1, min(int(threads), _cores()))
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._plan: tuple[Any, int | None] | None = None  # (index state, first id of half 2)
        self._planning: Any = None  # the state a plan is being made for
        self._last: tuple[tantivy.Searcher, int | None] | None = None  # this searcher's split

    def close(self) -> None:
        """Stops the helper thread (if one was started)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def search(
        self,
        searcher: tantivy.Searcher,
        query: Query,
        limit: int,
        *,
        count: bool = True,
        order_by_field: str | None = None,
        offset: int = 0,
        split: bool = True,
    ) -> Found:
        """``searcher.search`` with the same arguments (in its default, descending order)."""
        kwargs: dict[str, Any] = {"count": count}
        if order_by_field is not None:
            kwargs["order_by_field"] = order_by_field
        middle = self.split_at(searcher) if split else None
        if middle is None:
            result = searcher.search(query, limit, offset=offset, **kwargs)
            return Found(list(result.hits), int(result.count or 0))
        low, high = (
            Query.boolean_query([(Occur.Must, query), (Occur.Must, ids)])
            for ids in (
                Query.range_query(SCHEMA, "id", FieldType.Unsigned, 0, middle, True, False),
                Query.range_query(SCHEMA, "id", FieldType.Unsigned, middle, None, True, True),
            )
        )
        # Each half returns the page up to offset + limit: the merged page's hits can come
        # from either.
        later = self._ensure_pool().submit(searcher.search, high, offset + limit, **kwargs)
        first = searcher.search(low, offset + limit, **kwargs)
        second = later.result()
        # Of equal keys tantivy keeps the hit with the lower address: so does the merge.
        hits = sorted(
            [*first.hits, *second.hits],
            key=lambda h: (_descending(h[0]), h[1].segment_ord, h[1].doc),
        )
        return Found(hits[offset : offset + limit], int(first.count or 0) + int(second.count or 0))

    def split_at(self, searcher: tantivy.Searcher, *, wait: bool = False) -> int | None:
        """The first id of the second half, or None to search in one piece; ``wait`` makes
        the plan now instead of in the helper thread (at start-up)."""
        last = self._last
        if last is not None and last[0] is searcher:
            return last[1]
        middle, known = self._split_at(searcher, wait)
        if known:
            self._last = (searcher, middle)
        return middle

    def _split_at(self, searcher: tantivy.Searcher, wait: bool) -> tuple[int | None, bool]:
        """The split and whether it is known (not still being planned)."""
        if self.threads < 2:
            return None, True
        docs, segments = int(searcher.num_docs), int(searcher.num_segments)
        if docs < SPLIT_MIN_DOCS or segments < 2:
            return None, True
        # A state of the index: its documents and the first id of each segment (a merge or
        # a new segment changes them).
        firsts = searcher.fast_field_values("id", [DocAddress(s, 0) for s in range(segments)])
        state = (docs, tuple(firsts))
        plan = self._plan
        if plan is not None and plan[0] == state:
            return plan[1], True
        if wait:
            return self._make_plan(searcher, state), True
        with self._lock:
            if self._planning == state:
                return None, False  # on its way: one piece until then
            self._planning = state
        self._ensure_pool().submit(self._make_plan, searcher, state)
        return None, False

    def _make_plan(self, searcher: tantivy.Searcher, state: Any) -> int | None:
        try:
            middle = middle_id(segment_ids(searcher))
        except Exception:  # a plan is an optimisation: never a reason to fail a search
            log.exception("could not plan the search halves; searching in one piece")
            middle = None
        self._plan = (state, middle)
        return middle

    def _ensure_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-half")
            return self._pool


def segment_ids(searcher: tantivy.Searcher) -> list[tuple[int, int, int]]:
    """Per segment: its smallest and largest document id and how many documents it holds."""
    found = searcher.search(Query.all_query(), int(searcher.num_docs), count=False)
    addresses = [a for _, a in found.hits]
    ids = searcher.fast_field_values("id", addresses)
    segments = [a.segment_ord for a in addresses]
    if segments != sorted(segments):  # tantivy returns equal scores in address order
        pairs = sorted(zip(segments, ids, strict=True))
        segments, ids = [s for s, _ in pairs], [i for _, i in pairs]
    out: list[tuple[int, int, int]] = []
    start = 0
    while start < len(segments):
        end = bisect.bisect_right(segments, segments[start], lo=start)
        run = ids[start:end]
        out.append((min(run), max(run), end - start))
        start = end
    return out


def middle_id(segments: list[tuple[int, int, int]]) -> int | None:
    """The id that splits the segments into two runs of ids closest to halves, or None when
    no split leaves both halves useful (ids of segments merged across others, one segment)."""
    ordered = sorted(segments)
    total = sum(n for _, _, n in ordered)
    best: tuple[int, int] | None = None  # (larger side, first id of the second half)
    below = highest = 0
    for i, (low, high, n) in enumerate(ordered):
        if i and highest < low:  # every id before this segment is below its smallest
            side = max(below, total - below)
            if best is None or side < best[0]:
                best = (side, low)
        below += n
        highest = max(highest, high)
    if best is None or best[0] > MAX_SIDE * total:
        return None
    return best[1]


def _cores() -> int:
    """The cores this process may run on (a container's share, where the OS says)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _descending(key: Any) -> tuple[int, Any]:
    """Sorts the larger score or field value first, a missing value last (as tantivy)."""
    return (1, 0) if key is None else (0, -key)
