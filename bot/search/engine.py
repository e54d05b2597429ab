"""The search engine: ranked, accent-insensitive search over the derived tantivy index.

Ranking (all queries are built programmatically from :func:`bot.search.query.parse_query`;
user text never reaches a query parser):

* every keyword syllable is one clause: BM25 on the accent-folded body, plus the title (×1.5;
  with the accents typed, when they tell the word apart as for the exact field), plus — when the user typed accents and the accented form is rarer than the folded
  one (next to other words: in fewer than nine in ten of its documents) — the exact-accent
  field (×1.0), so "tham nhũng" outranks "những";
* a syllable found nowhere — or typed with accents it never has ("vi phạn") — is matched by
  its one-edit variants that exist (a typo), at ×0.6, preferring edits that keep the accents
  typed and, next to another word, those that form a real pair with it (a three-letter word
  is corrected only so); the best correction is offered as a suggestion; a real word that
  stands next to neither neighbour ("tự diễn bến") is replaced by a variant they go with
  ("biến");
* adjacent syllables add a match on the ``pairs`` field (×2.0), which indexes every pair of
  adjacent folded syllables ("tham_nhung"): most Vietnamese words are two syllables, so this is
  a word-level match that lets "tham nhung" typed without accents prefer the word over "tham
  gia … những" (a phrase query on positions ranks the same at several times the cost);
* up to four syllables (two words) must all match; a longer query first needs all of them and,
  when fewer than ten documents have them all, half of them (a longer question: any one of
  them); any query whose every syllable finds fewer than ten documents is relaxed the same way
  (one missing syllable, then any one), the documents with every syllable still ranking first;
* quoted text is a required phrase; document codes are required exact keyword terms
  (``21-KL/TW`` matches ``21-KL/TW``, ``21-KL/TƯ`` and a bare ``Kết luận 21``, never
  ``21-NQ/TW`` or ``20-KL/TW``); ``-word`` excludes;
* a question-like query ("làm sao để…", "…như thế nào?") adds a constant bonus (×2.0) for the
  topic the classifier gives it (or a topic phrase it contains) — a soft filter;
* equal scores go to the newer document.

A query that *names* a topic (its slug, its name, or a strong phrase such as "kết nạp đảng
viên" or "kiểm tra giám sát") lists the documents tagged with that topic, newest first, and then
the untagged documents that match the words, by score: tags come from the classifier and cover
articles that use other words; the keyword tail catches articles the classifier missed (and is
all there is before a model has tagged anything).
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Container
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import tantivy
from tantivy import Occur, Query

from bot.bounds import MAX_LIMIT, MAX_OFFSET, clamp
from bot.corpus.text import (
    fold,
    fold_lower,
    iy_variant,
    plausible_syllable,
    syllable_shapes,
    telex_word,
    tokenize,
)
from bot.errors import PartyBotError, SearchError, StoreError
from bot.search.api import Hit, SearchResults, Snippet
from bot.search.catalogue import Catalogue, CentralDocument, load_catalogue
from bot.search.english import english_reading
from bot.search.halves import HalvedSearch
from bot.search.index import (
    PAIR_MAX_CHARS,
    SCHEMA,
    TITLE_CODE,
    TOKEN_PATTERN,
    SearchIndex,
    from_timestamp,
    timestamp,
)
from bot.search.index import pairs as index_pairs
from bot.search.query import (
    _FOLDED_STOPWORDS,
    ABBREVIATIONS,
    PLACE_SYLLABLES,
    QUOTE_CHARS,
    ParsedQuery,
    Term,
    _terms,
    is_stopword,
    may_name_topic,
    parse_query,
    topic_spelling,
)
from bot.search.summary import first_sentence, summarize
from bot.search.summary import snippet as make_snippet
from bot.search.synonyms import Synonyms, load_synonyms, with_abbreviations

if TYPE_CHECKING:
    from bot.corpus.topics import Taxonomy
    from bot.store.documents import DocumentStore

log = logging.getLogger(__name__)

SYNC_INTERVAL = 1.0  # seconds between change-log checks before a search
W_TITLE = 1.5
W_EXACT = 1.0
# Next to other words, a form with these accents in nine in ten of the documents with its
# letters ("đảng" among "dang") is not boosted: the boost hardly tells them apart, and it is a
# pass over one of the longest lists in the index (6-8% of a keyword query at 100,000
# documents; first unseen set nDCG@10 0.911 → 0.910, own set 0.951 → 0.953).
EXACT_MAX_SHARE = 0.9
W_BIGRAM = 2.0
# A loosened query's documents with every word: first set 0.912 -> 0.917 (3: 0.914, 5: 0.916,
# 12: 0.916, 100 as a strict tier: 0.906), own set 0.953 -> 0.954.
W_ALL_WORDS = 8.0
W_SUBJECT_WHOLE = 16.0  # a loosened query's subject, every word of it, beside a name it lacks
# A two-syllable query's documents saying it as a word: no set moved at 4 or 8 (own typed
# right 0.962 -> 0.963); for every pair of a longer query, the first set fell (0.917 -> 0.914).
W_WORD = 8.0
# A title holding four or more of the query's syllables as typed, in order: a document named
# (a long report whose title was typed whole came 8th; at 8 and 32 it stayed 6th and 2nd
# behind shorter articles with the same words, a tester's). No query of the judged sets moved
# at 8, 32 or 100.
W_TITLE_PHRASE = 100.0
TITLE_PHRASE_FROM = 4  # content syllables from which a query may be a title typed whole
TOGETHER_COUNT_MAX = 5_000  # a pair in more documents is not counted under a filter for a note
W_TYPO = 0.6
W_SOFT_TOPIC = 2.0
W_BARE_CODE = 0.6
W_TIER = 1000.0  # documents citing the code or holding the exact phrase rank above the rest
SYN_MIN_KEPT = 2  # query syllables besides the expression before synonyms are tried
W_SYNONYM = 0.8  # the query said another way (bot/search/synonyms.py)
# A year asked for with words ("kỷ luật … năm 2022") also finds later articles naming it: the
# year's own come first among those matching as well.
W_IN_PERIOD = 8.0
NEWEST_POOL = 50  # "mới nhất": the best matches ordered by date are drawn from so many …
NEWEST_SHARE = 0.5  # … scoring at least this share of the best (or the second, when the best
NEWEST_OUTLIER = 2.0  # scores over this many times as much)
W_NAMED_LEAD = 3.0  # times W_ALL_WORDS when a place's subject alone is a way in
W_UNTAGGED = 4.0  # own set 0.954 → 0.959 (1: 0.957, 3: 0.958, 6: 0.960); first set unchanged
# The articles citing what replaced a catalogued document: above its subject's, below W_TIER / 2
# (where the citing tier ends for the answer).
W_REPLACEMENT = W_TIER / 4
W_TITLE_CODE = 50.0  # a citing document with the code in its title (see _citing)
W_SUBJECT = 1.0  # a catalogued document's subject words, for articles that do not cite it
SUBJECT_PAIRS = 8  # a catalogued document's most distinctive word pairs (two make a match)
PHRASE_SLOP = 1  # a quoted phrase still matches with one word inserted
WORDS_FROM = 3  # syllables from which a query's words, not only its syllables, are required
WORD_SHARE = 0.3  # two syllables together in this share of the documents with the rarer: a word
WORD_MIN_DOCS = 2
MAX_RUN_TOGETHER = 28  # letters of a word tried as syllables typed without spaces
SYLLABLE_ALONE = 3  # _respelled: one syllable alone costs three words of two
MAX_SYLLABLE_LETTERS = 7  # "nghiêng", the longest Vietnamese syllable
MAX_VIA_SHOWN = 3  # synonyms named when the expression typed is in no document
MAX_READINGS = 400  # accented readings of an unaccented pair looked up for its share
# A broad query (a question, or so many syllables) matches most of a large index: its ranked
# search takes several milliseconds, long enough for two halves at once to pay off. Waking
# the helper thread on an idle host costs 0.1-0.2 ms, about what halving a short query's
# search or a count saves (measured: code queries 0.4 ms slower at the median when split).
SPLIT_FROM_TERMS = 6
W_FIGURE = 2.0  # a figure of three digits or more, as typed, counts this much more
_FIGURE = re.compile(r"\d{1,3}(?:[.,]\d{3})+|\d{3,}")
_YEARISH = re.compile(r"19\d\d|20\d\d")  # a year is a date's, not a figure's
RELAX_BELOW = 10  # a long query with fewer matches for all its syllables is relaxed
MAX_IGNORED_SHOWN = 5  # words left out that the answer names
PHRASE_ENOUGH = 10  # with fewer exact matches than this, close variants follow them
SOFT_TOPIC_MIN = 0.35  # classifier probability needed for a soft topic
# Two syllables each in this share of the documents are scored as a union (see _keywords).
COMMON_SHARE = 0.3
TIE_WINDOW = 20  # extra hits fetched so the newest-first tie-break sees past the page edge
TYPO_MIN_CHARS = 4
SHORT_TYPO_MIN_CHARS = 3  # shorter words are corrected only when a neighbour confirms it
STRANDED_SHARE = 200  # a word next to its neighbours in under 1/200 of its documents: a typo?
STRANDED_MAX_SHARE = 0.5  # a word in more of the documents is never taken for a typo so
STRANDED_GAIN = 10  # …if a one-edit variant stands next to one ten times as often
COLLOCATION_SHARE = 0.1  # …in a tenth of that neighbour's documents ("diễn biến")
REPAIR_INTERVAL = 600.0  # at most one automatic rebuild per ten minutes
_DAMAGE_WORDS = ("corrupt", "ioerror", "io error", "failed to open", "no such file", "checksum")


def _looks_damaged(exc: BaseException) -> bool:
    """True for tantivy's errors about unreadable files (not for our own bugs)."""
    text = str(exc).lower()
    return isinstance(exc, OSError) or any(word in text for word in _DAMAGE_WORDS)


IY_SHARE = 4  # the other spelling of i/y is taken when this many times more documents use it


_ALPHABET = "abcdeghiklmnopqrstuvxy"
_FOREIGN = re.compile(r"[^a-y]|[fjw]")  # letters Vietnamese does not use: a foreign word
_TOKENS = re.compile(TOKEN_PATTERN)  # letters of folded Vietnamese syllables


@dataclass
class _Stored:
    """A hit's stored fields, shaped like a Document for summarize()."""

    id: int
    external_id: str
    title: str
    text: str
    url: str | None
    source: str | None
    published_at: datetime | None
    topics: list[str]
    content_hash: str
    codes: list[list[Any]]  # documents the text cites: (line, start, end, key, full form)
    sentences: list[list[int]] | None  # per line, its sentences' offsets (start, end, …)


@dataclass
class _Built:
    query: Query | None
    corrections: dict[str, str] = field(default_factory=dict)  # typed → corrected syllable
    folded_corrections: dict[str, str] = field(default_factory=dict)
    match: Query | None = None  # the same documents without the score boosts (for counting)
    unknown: list[str] = field(default_factory=list)
    central: list[CentralDocument] = field(default_factory=list)  # catalogued documents cited
    said: list[Term] = field(default_factory=list)  # synonyms tried, for snippets to mark
    replaced: list[str] = field(default_factory=list)  # real words searched as corrected
    accents_typed: bool = False  # the query has an accented word
    telex_typed: bool = False  # … a word typed in Telex, tone key and all ("keets")
    # Neighbouring content words asked for, and those some document has side by side: none
    # of them ("bầu cử" where documents say "bầu" and "cử tri") is worth saying.
    pairs_asked: int = 0
    pairs_found: int = 0
    clauses: int = 0  # syllables the query could require (words no document has are not)
    every: Query | None = None  # a loosened query's documents with every syllable (a bonus)
    # … and with every word as typed, for counting: a syllable whose typed accents tell the
    # word apart counts with them ("nhũng", not "những"), though it lets a document in and
    # earns the bonus folded (measured: as typed, the bonus lost "dệt may" for "nhà máy").
    every_typed: Query | None = None
    distinct: dict[str, str] = field(default_factory=dict)  # such syllables: folded → typed
    every_differs: bool = False  # every_typed asks more than every (accents, names)
    citing: list[Query] = field(default_factory=list)  # per code: the documents citing it
    # Typos corrected to a function word: typed form → (folded, clause, boosts), searched only
    # when nothing else is ("lại làm vic" is "việc").
    function_words: dict[str, tuple[str, Query, list[Query]]] = field(default_factory=dict)
    expression: set[str] = field(default_factory=set)  # typed syllables of synonym expressions
    # Expressions no document writes as typed, with the synonyms searched instead.
    via: list[tuple[str, list[str]]] = field(default_factory=list)


def _name_score(pair_df: dict[str, int]) -> Query:
    """A name's spelling (its pairs, in order, with their document counts) scored as every
    spelling is: by how often a document names it, through its rarest pair (so "tp ho chi
    minh" is not worth three times "tp hcm"), and whether its title does."""
    pairs = list(pair_df)
    words = [p.split("_")[0] for p in pairs] + [pairs[-1].split("_")[1]]
    in_title = Query.phrase_query(SCHEMA, "title_f", words)
    best = min(pairs, key=lambda p: pair_df[p])
    return _should([_boost(_term("pairs", best), W_BIGRAM), _boost(in_title, W_TITLE)])


@dataclass(frozen=True)
class _NameWay:
    """A name as the query spells it ("thành phố hồ chí minh"): documents writing it so (its
    syllables side by side, with what else the query needs), their score (None when no
    document writes it so), its pairs, its syllables, and the documents writing it any way."""

    way: Query
    score: Query | None
    pairs: frozenset[str]
    words: frozenset[str]
    spelled: Query


@dataclass
class _Found:
    """An attempt that found documents: its page, count, query and note."""

    scored: list[tuple[float, Any]]
    total: int
    built: _Built
    note: str | None
    exact_phrases: int
    filters: list[Query] = field(default_factory=list)  # the attempt's filters


def _pair_terms(pairs: list[str], outside: Container[str] = ()) -> list[Query]:
    """Pair terms for ``pairs`` ("dan_van"), less those with a syllable in ``outside``."""
    return [_term("pairs", p) for p in pairs if not set(p.split("_")) & set(outside)]


def _term(field_name: str, value: str) -> Query:
    return Query.term_query(SCHEMA, field_name, value)


def _boost(query: Query, weight: float) -> Query:
    return query if weight == 1.0 else Query.boost_query(query, weight)


def _should(queries: list[Query]) -> Query:
    return (
        queries[0]
        if len(queries) == 1
        else Query.boolean_query([(Occur.Should, q) for q in queries])
    )


def _all(queries: list[Query]) -> Query:
    return (
        queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Must, q) for q in queries])
    )


def _between(name: str, start: datetime | None, end: datetime | None) -> Query:
    """Documents whose date field ``name`` is in [start, end) (either end open when None)."""
    return Query.range_query(
        SCHEMA,
        name,
        tantivy.FieldType.Integer,
        timestamp(start) if start else None,
        timestamp(end) if end else None,
        include_upper=end is None,
    )


# Every document with a publication date.
_EVER = Query.range_query(SCHEMA, "published", tantivy.FieldType.Integer, -(2**62), None)


def _capitalised_runs(parsed: ParsedQuery) -> list[list[Term]]:
    """The query's runs of capitalised content words, the names it says ("Sóc Trăng")."""
    runs: list[list[Term]] = [[]]
    for term in parsed.terms:
        if term.capital and not term.stop:
            runs[-1].append(term)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _typed_apart(searcher: tantivy.Searcher, parsed: ParsedQuery, built: _Built) -> bool:
    """A query of two or three syllables, each typed with accents and none corrected, that
    no document writes side by side as typed ("ô dù": only "ở dự án")."""
    content = parsed.content_terms
    if not 2 <= len(content) <= 3 or len(parsed.terms) != len(content):
        return False
    if not all(t.accented and t.exact not in built.corrections for t in content):
        return False
    if any(t.folded in ABBREVIATIONS for t in content):
        return False  # "kỷ luật đv": the documents write it out ("đảng viên")
    return not all(
        _exact_pair_df(searcher, f"{a.exact}_{b.exact}") for a, b in itertools.pairwise(content)
    )


def _exact_pair_df(searcher: tantivy.Searcher, pair: str) -> int:
    """Documents with this pair of syllables as written ("đảng_viên")."""
    return int(searcher.doc_freq("pairs_x", pair.encode()))


def _word_bonus(searcher: tantivy.Searcher, field_name: str, pair: str, weight: float) -> Query:
    """``weight`` for every document with the term (a pair of ``pairs_x`` or ``pairs_once``,
    or ``untagged``): their term queries score every document alike (bytes fields have no
    field norms), so the boost that makes one document score ``weight`` does for all. A
    constant-score query would say the same, but a union with one is scored several times
    slower: 3.2 against 2.0 ms for "tổ chức" at 100,000 documents."""
    term = Query.term_query(SCHEMA, field_name, pair.encode())
    hits = searcher.search(term, limit=1, count=False).hits
    return Query.boost_query(term, weight / hits[0][0]) if hits and hits[0][0] > 0 else term


def _phrase_said(content: list[str]) -> list[Query]:
    """What a document outside a topic must hold to say its phrase (folded content
    syllables): each two-syllable word's pair, and a last syllable alone."""
    said = [_term("pairs", f"{a}_{b}") for a, b in zip(content[::2], content[1::2], strict=False)]
    if said and len(content) % 2:
        said.append(_term("text_f", content[-1]))
    return said


def _is_term(query: Query) -> bool:
    """A term query, boosted or not (tantivy's Python binding says so only in its repr)."""
    return repr(query).startswith(("Query(TermQuery(", "Query(Boost(query=TermQuery("))


def _terms_together(optional: list[Query]) -> list[Query]:
    """Optional clauses with their term queries in one union of their own, beside the other
    clauses: the same documents and the same scores (a union's score is its clauses' sum).
    tantivy scores a union of term queries alone with a scorer made for them, and any other
    clause among them (a constant score, a phrase, a union) drops the whole union to a
    general one: "đảng viên dự bị bao lâu thì được xét chính thức?" took 8.4 ms to rank at
    100,000 documents with its 21 term queries among 3 other clauses, 7.4 with them grouped."""
    terms = [q for q in optional if _is_term(q)]
    if len(terms) < 2 or len(terms) == len(optional):
        return optional
    return [_should(terms), *(q for q in optional if not _is_term(q))]


def _filter(query: Query) -> Query:
    # Filters decide membership, not rank.
    return Query.const_score_query(query, 0.0)


def phrase_query(words: list[str], slop: int = PHRASE_SLOP) -> Query:
    """A phrase query on the folded text, led by the ``pairs`` and ``skips`` fields.

    In a document with the phrase, each two neighbouring words of it are next to each other
    (a pair) or, with slop 1, one word apart (a skip); both fields come from the same folded
    text. Requiring that first selects the same documents and scores them the same (the
    filter scores nothing); tantivy then checks positions only in documents that can match
    instead of in every document with the words (the phrase row of docs/benchmarks.md).
    """
    if len(words) == 1:
        # tantivy panics on a phrase of one term, and a panic is no Exception: it ended the
        # whole process (a tester's +"Huế").
        return _term("text_f", words[0])
    exact = Query.phrase_query(SCHEMA, "text_f", words, slop=slop)
    if slop > 1 or len(words) < 2 or any(len(w) > PAIR_MAX_CHARS for w in words):
        return exact  # a long word is in no pair; wider gaps are not indexed
    gaps: list[Query] = []
    for a, b in dict.fromkeys(itertools.pairwise(words)):
        pair = _term("pairs", f"{a}_{b}")
        gaps.append(_should([pair, _term("skips", f"{a}~{b}")]) if slop else pair)
    return Query.boolean_query([(Occur.Must, _filter(_all(gaps))), (Occur.Must, exact)])


def phrase_as_typed(phrase: list[Term]) -> Query:
    """A quoted phrase (see phrase_query) whose words typed with accents are in the document
    with those accents: '"nói thẳng"' had a tax article's "nói. Trong tháng" among those
    "with the quoted phrase" (a tester's)."""
    query = phrase_query([t.folded for t in phrase])
    accented = list(dict.fromkeys(t.exact for t in phrase if t.accented))
    if not accented:
        return query
    return _all([query, _filter(_all([_term("text_x", w) for w in accented]))])


_ENGLISH_WORD = re.compile(r"(?<![\w])[A-Za-z][A-Za-z'-]*(?![\w])")


def _english_within(text: str, unknown: list[str], words: int) -> dict[str, str]:
    """English inside a Vietnamese query ("kỷ luật party member", "sinh hoat chi bo meeting"),
    each with its Vietnamese: runs of words no document has, read whole by the glossary, or
    else word by word. Only in a query of ``words`` mostly known to the documents: a sentence
    mostly English is read as English or not at all (see english_reading)."""
    missing = {w.lower() for w in unknown if w.isascii()}
    # Mostly English and all ASCII: english_reading reads it whole or not at all. With
    # Vietnamese accents in it, no reading of the whole takes it, so its English runs are read
    # here however many ("party members in private companies kết nạp" lost every English
    # word, a tester's).
    if not missing or (text.isascii() and 2 * len(set(unknown)) > words):
        return {}
    words = [
        m
        for m in _ENGLISH_WORD.finditer(text)
        if all(part in missing for part in re.split(r"[-']", m.group(0).lower()) if part)
    ]
    runs: list[tuple[int, int]] = []
    for m in words:  # consecutive words (a space apart) make one run
        if runs and text[runs[-1][1] : m.start()].isspace():
            runs[-1] = (runs[-1][0], m.end())
        else:
            runs.append((m.start(), m.end()))
    found = {}
    for start, end in runs:
        run = text[start:end]
        reading = english_reading(run)
        if reading is not None and not reading.unknown:
            found[run] = reading.vietnamese
            continue
        for word in run.split():
            alone = english_reading(word)
            if alone is not None and not alone.unknown:
                found[word] = alone.vietnamese
    return found


def _respelled(searcher: tantivy.Searcher, word: str) -> str | None:
    """A word no document has, as the documents write it: a letter held down on a phone
    ("nhũngggg": "nhũng"), or syllables typed without their spaces ("thamnhung",
    "ketnapdangvien": "tham nhung", "ket nap dang vien"), read as the fewest words of two
    syllables the documents write side by side (a syllable alone costs more). None when
    neither reads it, or its only reading is syllables alone ("thamlua")."""
    number = re.fullmatch(r"([^\W\d_]{4,})(\d{1,4})", word)
    if number is not None:
        # "nghiquyet21", "Quyđịnh08": a document's kind and number, run together.
        letters = number.group(1)
        known = searcher.doc_freq("text_f", fold_lower(letters))
        spelled = letters if known else _respelled(searcher, letters)
        return f"{spelled} {number.group(2)}" if spelled else None
    folded = fold_lower(word)
    if not folded.isalpha() or len(folded) > MAX_RUN_TOGETHER:
        return None
    held = re.sub(r"(.)\1{2,}", r"\1", word)
    if held != word and searcher.doc_freq("text_f", fold_lower(held)):
        return held
    if plausible_syllable(folded):
        return None  # one syllable no document has ("chào"), not two run together ("chà o")
    n = len(folded)
    # A Vietnamese syllable the documents have: "ts" (of "PGS.TS.") read "documents" as "do
    # cu men ts" (a tester's).
    syllable = functools.cache(
        lambda a, b: (
            plausible_syllable(folded[a:b]) and bool(searcher.doc_freq("text_f", folded[a:b]))
        )
    )
    # best[i]: the cheapest reading of folded[:i] as words (a word of two syllables the
    # documents write side by side costs 1, a syllable alone SYLLABLE_ALONE), with the
    # starts of its last word's syllables.
    best: list[tuple[int, tuple[int, ...]] | None] = [(0, ())] + [None] * n
    for end in range(1, n + 1):
        for mid in range(max(0, end - MAX_SYLLABLE_LETTERS), end):
            if not syllable(mid, end):
                continue
            ways = [(mid, SYLLABLE_ALONE, (mid,))]
            for start in range(max(0, mid - MAX_SYLLABLE_LETTERS), mid):
                pair = f"{folded[start:mid]}_{folded[mid:end]}"
                if syllable(start, mid) and searcher.doc_freq("pairs", pair):
                    ways.append((start, 1, (start, mid)))
            for start, cost, starts in ways:
                before = best[start]
                if before is not None and (
                    best[end] is None or before[0] + cost < best[end][0]  # type: ignore[index]
                ):
                    best[end] = (before[0] + cost, starts)
    if best[n] is None:
        return None
    words, end = [], n
    while end:
        starts = best[end][1]  # type: ignore[index]
        bounds = [*starts[1:], end]
        words.append(" ".join(word[a:b] for a, b in zip(starts, bounds, strict=True)))
        end = starts[0]
    if all(" " not in w for w in words):
        return None  # syllables alone, none a word the documents write: no reading of it
    return " ".join(reversed(words))


def _variants(word: str, within: Container[str] | None = None) -> list[tuple[str, int, str]]:
    """One-edit variants of a folded word: (variant, position, kind) for mirroring on the
    exact form (fold keeps one character per character, so positions line up). ``within``:
    only the variants it holds, in the same order (checked as made: most are not)."""
    out: list[tuple[str, int, str]] = []
    add = out.append
    keep = (lambda v: True) if within is None else within.__contains__
    for i in range(len(word)):
        head, letter, tail = word[:i], word[i], word[i + 1 :]
        if keep(v := head + tail):
            add((v, i, "delete"))
        if tail and keep(v := head + tail[0] + letter + tail[1:]):
            add((v, i, "swap"))
        for c in _ALPHABET:
            if c != letter and keep(v := head + c + tail):
                add((v, i, "replace"))
    for i in range(len(word) + 1):
        head, rest = word[:i], word[i:]
        for c in _ALPHABET:
            if keep(v := head + c + rest):
                add((v, i, "insert"))
    return out


# The accented letters of Vietnamese: a correction takes one of these forms, not "ü" or "å"
# (a foreign name keeps its letters: it is found by its folded form, as typed).
_VIETNAMESE_ACCENTED = frozenset(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
)


@functools.cache
def _letter_forms(letter: str) -> tuple[str, ...]:
    """Every lower-case Vietnamese letter that folds to ``letter`` ("a": "a", "à", "ă", "ậ",
    …): 18 forms of "a", not the 29 of every Latin script, each one a lookup in the index."""
    codes = itertools.chain(range(0x61, 0x7B), range(0xC0, 0x250), range(0x1EA0, 0x1F00))
    return tuple(
        c
        for c in map(chr, codes)
        if (c.isascii() or c in _VIETNAMESE_ACCENTED) and c.islower() and fold_lower(c) == letter
    )


def _accent_prefixes(folded: str) -> list[str]:
    """Prefixes under which every accented form of a folded syllable is in the term list: its
    leading consonants ("ngh", with "đ" for "d") followed by each form of its first vowel,
    or each form of its first letter.

    The first vowel narrows the walk: under "d" and "đ" alone lie a fifth of the index's
    words, each returned from tantivy as a tuple (0.7 ms for "dang" at 100,000 documents,
    0.14 ms through its 58 two-letter prefixes)."""
    head = folded[: len(folded) - len(folded.lstrip("bcdfghjklmnpqrstvwxz"))]
    if not head:
        return list(_letter_forms(folded[:1])) if folded else []
    onsets = [head, "đ" + head[1:]] if head[0] == "d" else [head]
    if len(head) == len(folded):
        return onsets
    return [onset + form for onset in onsets for form in _letter_forms(folded[len(head)])]


def _as_name(written: str) -> str:
    """A name's spelling from the synonym groups (kept in lower case) as a name is written:
    "tp hồ chí minh" is "TP Hồ Chí Minh", an abbreviation in capitals."""
    return " ".join(
        w.upper() if not any(c in "aeiouy" for c in fold_lower(w)) else w[:1].upper() + w[1:]
        for w in written.split()
    )


def _accented_forms(searcher: tantivy.Searcher, folded: str) -> dict[str, int]:
    """Every accented form of a folded syllable the documents use, with its document count."""
    return {
        form: df
        for prefix in _accent_prefixes(folded)
        for form, df in searcher.terms_with_prefix("text_x", prefix)
        if len(form) == len(folded) and fold_lower(form) == folded
    }


def _reading_share(searcher: tantivy.Searcher, a: str, b: str) -> float:
    """Of the documents with the rarer syllable of the pair's commonest accented reading,
    the share that have that reading side by side (0 when fewer than WORD_MIN_DOCS do)."""
    forms_a, forms_b = _accented_forms(searcher, a), _accented_forms(searcher, b)
    if not forms_a or not forms_b or len(forms_a) * len(forms_b) > MAX_READINGS:
        return 0.0
    together, fa, fb = max(
        (_exact_pair_df(searcher, f"{x}_{y}"), x, y) for x in forms_a for y in forms_b
    )
    rarer = min(forms_a[fa], forms_b[fb])
    return together / rarer if together >= WORD_MIN_DOCS and rarer else 0.0


def _telex_typed(searcher: tantivy.Searcher, term: Term) -> bool:
    """Whether ``term`` reads as Telex with both a letter and a tone key ("keets", "ddangr"),
    which no slip of the finger makes, spelling a word the documents have and not itself one
    of theirs (an English "news" or "books" in a query says nothing about the others)."""
    if term.accented or term.exact[-1:] not in ("s", "f", "r", "x", "j"):
        return False
    telex = telex_word(term.exact)
    if telex is None or fold_lower(telex) == term.folded[:-1]:
        return False
    return not searcher.doc_freq("text_f", term.folded) and bool(searcher.doc_freq("text_x", telex))


def _keeps_accents(exact: str, folded: str, pos: int, kind: str) -> bool:
    """Whether the edit at ``pos`` leaves every accented letter typed in ``exact``: an insert
    or a swap does; a delete or a replace does when the letter is plain, a delete also when
    the letter is doubled ("thựực")."""
    if kind in ("insert", "swap") or exact[pos] == folded[pos]:
        return True
    return kind == "delete" and exact[pos] in (exact[pos - 1 : pos] + exact[pos + 1 : pos + 2])


def _pair_count(
    searcher: tantivy.Searcher, exact: str, neighbours: tuple[list[str], list[str]]
) -> int:
    """Documents with the commonest pair ``exact`` forms with a neighbour, both as typed."""
    left, right = neighbours
    return max(
        [_exact_pair_df(searcher, f"{w}_{exact}") for w in left]
        + [_exact_pair_df(searcher, f"{exact}_{w}") for w in right],
        default=0,
    )


def _mirror(exact: str, variant: str, pos: int, kind: str) -> str:
    """Apply to the accented word the edit that turned its fold into ``variant``."""
    if kind == "delete":
        return exact[:pos] + exact[pos + 1 :]
    if kind == "swap":
        return exact[:pos] + exact[pos + 1] + exact[pos] + exact[pos + 2 :]
    if kind == "replace":
        return exact[:pos] + variant[pos] + exact[pos + 1 :]
    return exact[:pos] + variant[pos] + exact[pos:]


@functools.lru_cache(maxsize=512)
def _subject_pairs(subject: str) -> tuple[str, ...]:
    """A catalogued subject's word pairs without a function word, each once: the same for
    every query naming it (only how many documents have each changes with the index)."""
    out = []
    for pair in dict.fromkeys(index_pairs(fold_lower(subject)).split()):
        a, _, b = pair.partition("_")
        if a not in _FOLDED_STOPWORDS and b not in _FOLDED_STOPWORDS:
            out.append(pair)
    return tuple(out)


def required(n: int) -> int:
    """Syllables a document must contain out of ``n`` in the query.

    All of them up to four (two words: needing one of "kết nạp" would let "kết luận" in),
    then half: a cadre's longer query mixes the article's words with their own ("kiểm điểm
    cuối năm hết nể nang" for an article on "kiểm điểm, xếp loại cuối năm"), and BM25 with the
    word pairs ranks the documents that match more of it first. Such a query first tries all
    its syllables and only falls back to half when that finds few documents. Measured on the
    first unseen query set (96 queries): two thirds 0.877, half 0.891 (nDCG@10), and any
    lower share gave the same ranking; the project's own judged set did not move.
    """
    return n if n <= 4 else -(-n // 2)


def _snippet_of(
    hit: Hit, *, doc: _Stored, parsed: ParsedQuery | None, subject: ParsedQuery | None = None
) -> Snippet:
    """The hit's snippet; for a document found by a cited document's subject, the sentence
    on that subject; else its summary's first sentence."""
    snip = (
        make_snippet(doc.text, parsed, codes=doc.codes, sentences=doc.sentences)
        if parsed is not None
        else Snippet("")
    )
    if not snip.text and subject is not None:
        snip = make_snippet(doc.text, subject, sentences=doc.sentences)
    if snip.text:
        return snip
    return Snippet(first_sentence(hit.summary))


def _excluding(
    parsed: ParsedQuery,
    citing: Callable[[list[str]], Query],
    spellings: Callable[[list[str]], list[list[str]]] = lambda words: [words],
) -> list[Query]:
    """A filter leaving out the documents with an excluded word, phrase or code (none
    without). Words typed with accents keep them: "-đấu" leaves "đầu tư" in. ``citing``
    gives the documents citing a code's keys, as a wanted code finds them."""
    out = [(Occur.MustNot, _term("text_f", w)) for w in parsed.excluded]
    out += [(Occur.MustNot, _term("text_x", w)) for w in parsed.excluded_exact]
    out += [(Occur.MustNot, phrase_query(words, 0)) for words in parsed.excluded_phrases]
    for words, exact in zip(parsed.required_phrases, parsed.required_exact, strict=True):
        ways = [phrase_query(way, 0) for way in spellings(words)]
        if exact:
            # Typed with accents, the phrase as typed: +"Thanh Hóa" kept an article on
            # Quảng Ngãi for its "Phạm Thanh Hòa" (a tester's). Its other spellings
            # (+"Sài Gòn": "TP.HCM") are names of their own.
            marks = [
                Query.term_query(SCHEMA, "pairs_x", f"{a}_{b}".encode())
                for a, b in itertools.pairwise(exact)
            ] or [_term("text_x", exact[0])]
            ways[0] = _all([ways[0], *marks])
        out.append((Occur.Must, _should(ways)))
    for keys in parsed.excluded_codes:
        # Every way of citing it: those of a wanted code ("-Nghị quyết 4" leaves out
        # "Nghị quyết Trung ương 4 khóa XII"), and the key a bare "Kết luận 21" gives.
        bare = {k.split("/", 1)[0] for k in keys if re.match(r"[A-Z]*\d+-[A-Z]+/", k)}
        out += [(Occur.MustNot, _term("codes", k)) for k in dict.fromkeys([*keys, *bare])]
        out.append((Occur.MustNot, citing(keys)))
    return [Query.boolean_query([(Occur.Must, Query.all_query()), *out])] if out else []


@functools.lru_cache(maxsize=256)
def _subjects_query(subjects: tuple[str, ...]) -> ParsedQuery:
    """Catalogued documents' subjects as a query, for the snippets of the documents found by
    them: such a document need not cite the code, so it shows why it is about it instead."""
    return parse_query(" ".join(subjects))


def _suggestion(
    parsed: ParsedQuery, built: _Built, filled: dict[str, str] | None = None
) -> str | None:
    """The query as typed with its typos corrected, when any were: its year, excluded words
    and capitals kept ("dại hội chi bộ nhiệm kỳ 2025" is "đại hội chi bộ nhiệm kỳ 2025", and
    "tham nhungg -đấu thầu" still leaves out "đấu thầu" when the suggestion is searched);
    ``filled``, accents for words typed without them beside accented ones."""
    if not built.corrections:
        return None
    fixes = {**(filled or {}), **built.corrections}
    text, parts, end = parsed.text, [], 0
    for token in tokenize(text):
        fixed = fixes.get(token.text.lower())
        if fixed is None:
            continue
        if token.text[:1].isupper():
            fixed = fixed[:1].upper() + fixed[1:]
        parts += [text[end : token.start], fixed]
        end = token.start + len(token.text)
    corrected = " ".join(("".join(parts) + text[end:]).split())
    return corrected if corrected and corrected != " ".join(text.split()) else None


def _quoted(text: str, words: list[str]) -> str | None:
    """``text`` with each syllable that is one of ``words`` (lower case) in quotes: a quoted
    word is searched as typed, never corrected. None when ``text`` has quotes of its own,
    which new ones could pair with."""
    if any(c in QUOTE_CHARS for c in text):
        return None
    out: list[str] = []
    end = 0
    for token in tokenize(text):
        if token.text.lower() in words:
            out += [text[end : token.start], f'"{token.text}"']
            end = token.end
    return "".join(out) + text[end:]


def _corrected(parsed: ParsedQuery, built: _Built) -> ParsedQuery:
    """The query with typos replaced by their corrections and the synonyms it was searched
    with (for snippets: a document found by "sinh hoạt chi bộ" shows that sentence)."""
    if built.said:
        parsed = replace(parsed, terms=[*parsed.terms, *built.said])
    if not built.corrections:
        return parsed
    terms = [
        replace(
            t,
            folded=built.folded_corrections.get(t.folded, t.folded),
            exact=built.corrections.get(t.exact, t.exact),
            # Corrected to a function word and searched as one: not marked either.
            stop=t.stop or t.exact in built.function_words,
        )
        for t in parsed.terms
    ]
    return replace(parsed, terms=terms)


class SearchEngine:
    """Search, topic listings, related documents; the index follows the database."""

    def __init__(
        self,
        index: SearchIndex,
        documents: DocumentStore,
        taxonomy: Taxonomy,
        *,
        classifier: Callable[[], Any | None] = lambda: None,
        catalogue: Catalogue | None = None,
        synonyms: Synonyms | None = None,
        threads: int = 2,
    ) -> None:
        self.index = index
        self.halves = HalvedSearch(threads)  # a large index searched in two halves at once
        self.documents = documents
        self.taxonomy = taxonomy
        self.classifier = classifier  # the current topic model, asked per question (hot reload)
        self.catalogue = catalogue or load_catalogue()
        self.synonyms = synonyms or with_abbreviations(load_synonyms(), ABBREVIATIONS)
        self._last_check = 0.0
        self._sync_lock = threading.Lock()
        self._follower: threading.Thread | None = None  # see follow()
        self._stop_following = threading.Event()
        self._soft_cache: OrderedDict[str, str | None] = OrderedDict()  # query → soft topic
        self._last_repair = -REPAIR_INTERVAL
        self._soft_lock = threading.Lock()

    # --- index upkeep ---------------------------------------------------------------------

    def sync(self) -> int:
        """Apply document changes from the database (also those made by other processes)."""
        self._last_check = time.monotonic()
        return self.index.sync()

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Re-index everything from the database; returns the number of documents."""
        self._last_check = time.monotonic()
        return self.index.rebuild(progress)

    def status(self) -> dict[str, Any]:
        """Numbers for ``partybot index status``."""
        from bot.search.index import SCHEMA_VERSION, IndexMeta

        # A status changes nothing: an index that needs building is said so, not built (it
        # moved the admin's own file aside when INDEX_DIR named one, a tester's).
        stale = self.index.stale_reason() if self.index.index is None else None
        if stale is None:
            self.index.ensure_open()
        state = (IndexMeta.read(self.index.folder) if stale is None else None) or IndexMeta()
        store = self.documents
        return {
            "folder": str(self.index.folder),
            "stale": stale,
            "indexed": self.index.num_docs() if stale is None else 0,
            "stored": store.count(),
            "applied_seq": state.seq,
            "database_seq": store.last_change(),
            "pending_gaps": len(state.gaps),
            "schema": state.schema,
            "schema_expected": SCHEMA_VERSION,
            "built_at": state.built_at,
            "size_bytes": self.index.size_bytes(),
            "rebuilt_on_open": self.index.rebuilt_reason,
        }

    def warm(self) -> None:
        """Open the index (rebuilding it when needed) and pay the one-time costs of a first
        search: the index files read into the OS cache, the folding tables, the syllable
        shapes, compiled patterns and the index's dictionaries. The bot calls this at start,
        so its first users do not wait for them."""
        self._maybe_sync()  # opens (or rebuilds) the index, under the engine's lock
        self.index.preload()
        fold_lower("đ" * 256)  # long enough to build the lookup table (see bot.corpus.text)
        fold("đ" * 256)
        syllable_shapes()  # what typo correction looks variants up in
        self.halves.split_at(self.index.searcher(), wait=True)  # which segments each half takes
        for hit in self.search("đảng viên", limit=1).hits:
            _ = (hit.snippet, hit.summary)

    def follow(self, interval: float = SYNC_INTERVAL) -> None:
        """Catch up with the database every ``interval`` seconds in a background thread, so
        that no search pays for the check (0.2-0.8 ms at 100,000 documents, in one search a
        second otherwise). The bot calls this at start, after :meth:`warm`; calling it again
        does nothing while the thread runs. :meth:`stop_following` ends it."""
        if self._follower is not None and self._follower.is_alive():
            return
        self._stop_following.clear()
        self._follower = threading.Thread(
            target=self._follow, args=(interval,), name="search-follow", daemon=True
        )
        self._follower.start()

    def stop_following(self) -> None:
        """End the thread :meth:`follow` started; searches check for changes again."""
        self._stop_following.set()
        if self._follower is not None:
            self._follower.join(timeout=10)
            self._follower = None

    def _follow(self, interval: float) -> None:
        failing = False  # say a failure once per outage, not once a second
        while not self._stop_following.wait(interval):
            try:
                self._catch_up(raise_errors=True)
            except StoreError as exc:
                # The index is derived: searches use it while the database is away.
                if not failing:
                    log.warning("search: could not check for changes (retrying): %s", exc)
                failing = True
            except Exception:  # a thread nobody awaits: say it, and try again next time
                if not failing:
                    log.exception("search: catching up with the database failed (retrying)")
                failing = True
            else:
                if failing:
                    log.info("search: caught up with the database again")
                failing = False

    def _maybe_sync(self) -> None:
        """Catch up with the database at most once a second, and only when it moved (unless
        :meth:`follow` does that in the background)."""
        if self.index.index is None:
            with self._sync_lock:
                if self.index.index is None:
                    self.index.open()
                    self._last_check = time.monotonic()
            return
        following = self._follower is not None and self._follower.is_alive()
        if following or time.monotonic() - self._last_check < SYNC_INTERVAL:
            return
        self._catch_up()

    def _catch_up(self, *, raise_errors: bool = False) -> None:
        """Apply the database's changes, or read another process's commit."""
        if not self._sync_lock.acquire(blocking=False):
            return  # another thread is syncing; search what we have
        try:
            self._last_check = time.monotonic()
            if self.index.pending():
                self.index.sync()
            else:
                # Another process sharing the folder may have applied the changes.
                self.index.refresh()
        except StoreError as exc:
            if raise_errors:
                raise
            # The index is derived: serve it while the database is briefly away.
            log.warning("search: could not check for changes: %s", exc)
        finally:
            self._sync_lock.release()

    # --- query building -------------------------------------------------------------------

    def _term_clause(
        self,
        searcher: tantivy.Searcher,
        term: Term,
        built: _Built,
        neighbours: tuple[list[str], list[str]] | None = None,
    ) -> tuple[Query | None, list[Query]]:
        """(what a document must contain for this syllable, optional score boosts).

        The requirement is on the folded body alone: the title and the exact-accent text are
        both inside it, so their matches can be optional boosts, which tantivy scores much
        more cheaply than a union per syllable.
        """
        df = searcher.doc_freq("text_f", term.folded)
        other = None if term.keep else iy_variant(term.exact)
        if other is not None:
            # "kỉ luật" is "kỷ luật", "lí luận" "lý luận": i and y after these consonants are
            # two spellings of one syllable. The documents' spelling when they mostly write it
            # so ("Không tài liệu nào có từ: kỉ" answered a tester's "kỉ luật").
            folded_other = fold_lower(other)
            # With accents, as typed: "mĩ" against "mỹ" (folded, "mi" has "bánh mì" too).
            field, typed, spelled = (
                ("text_x", term.exact, other)
                if term.accented
                else ("text_f", term.folded, folded_other)
            )
            df_other = searcher.doc_freq(field, spelled)
            if df_other > IY_SHARE * searcher.doc_freq(field, typed):
                built.corrections[term.exact] = other
                built.folded_corrections[term.folded] = folded_other
                spelled = replace(term, exact=other, folded=folded_other)
                return self._term_clause(searcher, spelled, built, neighbours)
        if not df and not term.keep and not term.accented:
            # Typed in Telex with the input method off ("keets napj ddangr vieen"): the word
            # it spells, as the answer says ("Đã tìm theo: kết nạp đảng viên"). Only in a
            # query with a word that has both a letter and a tone key: a last s, f, r, x or
            # j alone may as well be a slip of the finger ("dangf", taken off by the one-edit
            # corrections below), and so may a doubled letter ("chaan" is not "chân").
            telex = telex_word(term.exact) if built.telex_typed else None
            if telex is not None and searcher.doc_freq("text_x", telex):
                folded = fold_lower(telex)
                built.corrections[term.exact] = telex
                built.folded_corrections[term.folded] = folded
                if is_stopword(telex):  # not required, as a function word typed right
                    built.function_words[term.exact] = (folded, _term("text_f", folded), [])
                    return None, []
                spelled = replace(term, exact=telex, folded=folded, accented=True)
                return self._term_clause(searcher, spelled, built, neighbours)
        dfx = searcher.doc_freq("text_x", term.exact) if term.accented else 0
        match: list[Query] = []
        boosts: list[Query] = []
        expansion = ABBREVIATIONS.get(term.folded)
        if expansion is not None:
            # "ubkt" is written "Ủy ban Kiểm tra" in most articles: either form matches.
            pairs = [f"{a}_{b}" for a, b in itertools.pairwise(expansion.split())]
            if all(searcher.doc_freq("pairs", p) for p in pairs):
                spelled = _all([_term("pairs", p) for p in pairs])
                if df > 0:
                    return _should([_term("text_f", term.folded), spelled]), [
                        _boost(_term("title_f", term.folded), W_TITLE)
                    ]
                return spelled, []
        stranded: int | None = None
        if df > 0 and _FIGURE.fullmatch(term.folded) and not _YEARISH.fullmatch(term.folded):
            # A figure typed ("kết nạp 2.200 đảng viên") names the article that reports it:
            # the one document with it came second, under one with more "kết nạp" (a
            # tester's).
            return _term("text_f", term.folded), [_boost(_term("text_f", term.folded), W_FIGURE)]
        if df > 0:
            match.append(_term("text_f", term.folded))
            if 0 < dfx < df and (neighbours is None or dfx < EXACT_MAX_SHARE * df):
                # Accents typed that tell the word apart: the title counts with them too.
                boosts.append(_boost(_term("title_x", term.exact), W_TITLE))
                boosts.append(_boost(_term("text_x", term.exact), W_EXACT))
                built.distinct[term.folded] = term.exact  # dropped again if corrected below
            else:
                boosts.append(_boost(_term("title_f", term.folded), W_TITLE))
            if term.keep:
                return match[0], boosts  # typed in quotes: as typed
            stranded = self._stranded(searcher, term, df, neighbours)
            if (dfx or not term.accented) and stranded is None:
                return match[0], boosts
            built.distinct.pop(term.folded, None)
            # The letters exist but never with these accents ("vi phạn"), or the word exists
            # but next to none of its neighbours ("tự diễn bến", a letter dropped from
            # "biến"): keep the match and add the one-edit corrections ("phạm", "biến") below.
        if term.keep:
            built.unknown.append(term.exact)
            return None, []
        short = len(term.folded) < TYPO_MIN_CHARS
        if short or not term.folded.isalpha():
            # A number is never a typo: "Quy định 123" is not "Quy định 213".
            confirmable = bool(
                short
                and neighbours
                and len(term.folded) >= SHORT_TYPO_MIN_CHARS
                and term.folded.isalpha()
            )
            # Typed with accents no document has ("thấ nội dung"), a short word is a typo
            # like any other: its letters alone ("tha") match nearly anything.
            if match and stranded is None and not (confirmable and term.accented):
                return match[0], boosts
            if not confirmable:
                built.unknown.append(term.exact)
                return None, []
            # A short word found nowhere ("hot" in "sinh hot chi bộ") or only with other
            # accents is corrected only to a variant that forms a real pair with a neighbour
            # (below): on its own, a three-letter word has a close match in nearly any text.
            # With none, one found with other accents is searched without them, as before.
        found: list[tuple[tuple[bool, int], str, str]] = []
        retone: str | None = None  # the letters' best form, when already looked up
        retyped = False  # the neighbours chose an edit over the letters as typed
        seen: set[str] = set()
        vdf_of: dict[str, int] = {}
        # A Vietnamese word's correction is a Vietnamese syllable: looking up only those
        # spares most of the index lookups (a five-letter word has ~250 one-edit variants).
        plausible = (
            [] if _FOREIGN.search(term.folded) else _variants(term.folded, syllable_shapes())
        )
        variants = plausible or _variants(term.folded)
        for variant, pos, kind in variants:
            if variant in seen:
                continue
            seen.add(variant)
            vdf = searcher.doc_freq("text_f", variant)
            if not vdf:
                continue
            vdf_of[variant] = vdf
            exact = _mirror(term.exact, variant, pos, kind)
            # Accents the user typed are deliberate: prefer edits that keep them ("nhũnh" →
            # "nhũng", not "nhanh"; "tưưởng" → "tưởng" and "nhũgn" → "nhũng" keep them too).
            keeps = not term.accented or _keeps_accents(term.exact, term.folded, pos, kind)
            if term.accented and keeps and not searcher.doc_freq("text_x", exact):
                other = self._letter_form(searcher, exact, pos, kind)
                keeps, exact = other is not None, other or exact
            found.append(((keeps, vdf), variant, exact))
        if term.accented:
            # Accents typed are deliberate: a correction must exist with them ("bóng" is not
            # corrected to some unrelated "uống"; "nhũnh" still becomes "nhũng").
            found = [f for f in found if f[0][0]]
            # A Vietnamese syllable typed with its accents, found nowhere, is likelier a real
            # word the documents do not use ("lười biếng") than a typo: like a word found
            # with other accents, it is corrected only to a word a neighbour pairs with.
            real_word = not match and term.folded in syllable_shapes()
            if (match or real_word) and neighbours:
                # The letters exist with other accents, so this may be a real word the
                # documents do not use ("giàu"): correct it only to a word that forms a real
                # pair with a neighbour ("vi phạn" → "vi phạm"), not to any close word ("già").
                left, right = neighbours
                found = [
                    f
                    for f in found
                    if any(_exact_pair_df(searcher, f"{w}_{f[2]}") for w in left)
                    or any(_exact_pair_df(searcher, f"{f[2]}_{w}") for w in right)
                ]
                if found and not dfx:
                    # No document has these accents, and a slipped tone is likelier than a
                    # wrong letter with the tone right: when the letters as typed pair with a
                    # neighbour as often as the best edit does, they are kept, with the tone
                    # the neighbours say ("vi phảm" is "vi phạm", not "vi phải"; below).
                    own, retone = self._best_form(searcher, term.folded, "", neighbours)
                    edit = max(_pair_count(searcher, f[2], neighbours) for f in found)
                    if own and own >= edit:
                        found = []
                    else:
                        # The neighbours prefer the edit, which keeps the typed accents,
                        # to any form of the letters ("ý điểm chuẩ" is "điểm chuẩn", not
                        # "chưa"): searched as corrected, as the answer says.
                        retyped = True
        if neighbours and (len(found) > 1 or short or stranded is not None):
            # The neighbours say which correction was meant: those forming a real word pair
            # with one ("đảnng viên" → "đảng", as in "đảng viên") are kept, the others, however
            # common ("đang"), would only widen the match (and cost a union of long lists).
            left, right = ([fold_lower(w) for w in side] for side in neighbours)
            paired: list[tuple[tuple[bool, int, int], str, str]] = []
            for (keeps, _), variant, exact in found:
                before = [searcher.doc_freq("pairs", f"{w}_{variant}") for w in left]
                after = [searcher.doc_freq("pairs", f"{variant}_{w}") for w in right]
                together = max(before + after)
                if stranded is not None and not self._collocates(
                    searcher, neighbours, variant, before + after, stranded
                ):
                    continue
                if together:
                    # The commoner pair is the likelier word: "sinh hot" is "sinh hoạt"
                    # ("sinh_hoat" in many documents), not the commoner syllable "hội". With
                    # accents typed, the pair as typed comes first, each correction in the
                    # accented form that pairs best ("đng" + "a" is "đang", but next to
                    # "viên" it is "đảng"; "dới mọi" is "dưới mọi", though "toi_moi" holds
                    # "tôi mới"): when two or more pair, see which pairs as typed.
                    paired.append(((keeps, 0, together), variant, exact))
            if term.accented and paired:
                forms = [
                    self._best_form(searcher, variant, term.exact, neighbours)
                    if len(paired) > 1
                    else (0, variant)
                    for _, variant, _ in paired
                ]
                paired = [
                    ((keeps, typed_pair, together), variant, form if typed_pair else exact)
                    for ((keeps, _, together), variant, exact), (typed_pair, form) in zip(
                        paired, forms, strict=True
                    )
                ]
            # The likeliest pair alone is searched, as the answer says ("Đã tìm theo: sinh
            # hoạt chi bộ"): "hồ" (in "Hồ Chí Minh") pairs with "chi" too, but only widened
            # the match with a long list. A short word reaches here only with neighbours:
            # none pairing leaves it unknown.
            # A stranded word is replaced only by one its neighbours confirm.
            if paired:
                (keeps, _, together), variant, exact = max(paired)
                found = [((keeps, together), variant, exact)]
            elif short or stranded is not None:
                found = []
            if paired and term.accented and len(paired) == 1:
                # The edit kept the typed accents ("đng" + "a" is "đang"); the neighbour says
                # which accented form was meant ("đảng", as in "đảng viên").
                key, variant, exact = found[0]
                found = [
                    (
                        key,
                        variant,
                        self._accent_form(searcher, variant, exact, term.exact, neighbours),
                    )
                ]
        if not found:
            content = (
                (
                    [w for w in neighbours[0] if not is_stopword(w)],
                    [w for w in neighbours[1] if not is_stopword(w)],
                )
                if neighbours
                else None
            )
            if match and term.accented and not dfx and content and any(content):
                # No one-edit word keeps these accents, and the letters are a word with
                # others: a mistyped tone ("mặt trẩn"). Still matched by its letters. Only a
                # content word tells the tone: a function word stands next to nearly any
                # word ("không nhàm chán" is not "không nhằm").
                form = retone if content == neighbours else None
                boosts += self._retoned(searcher, term, df, content, built, form=form)
            if match:
                return match[0], boosts
            built.unknown.append(term.exact)
            return None, []
        found.sort(reverse=True)
        if stranded is not None:
            # Its neighbours say the word was mistyped: searched as corrected, as the answer
            # says ("Đã tìm theo: tự diễn biến"), not also as typed; the answer offers the
            # query with the word in quotes, to search it as typed.
            match, boosts = [], []
            built.replaced.append(term.exact)
        elif short or retyped:
            # Only a neighbour's pair got a short word here: searched as corrected, as the
            # answer says ("thấy nội dung"), not also by its letters ("tha", "thà", …).
            match, boosts = [], []
        shown = found[0][2] if term.accented else found[0][1]
        if not term.accented and neighbours and built.accents_typed:
            # A word typed without accents in a query typed with them ("tổ chc", "sinh hot
            # chi bộ") lacked the letters to carry them: the answer names the form it pairs
            # with ("tổ chức", "sinh hoạt"), not bare letters. The search itself stays folded.
            shown = self._accent_form(searcher, shown, shown, "", neighbours)
        built.corrections[term.exact] = shown
        built.folded_corrections[term.folded] = found[0][1]
        for _, variant, exact in found[:3]:
            match.append(_boost(_term("text_f", variant), W_TYPO))
            boosts.append(_boost(_term("title_f", variant), W_TYPO * W_TITLE))
            xdf = searcher.doc_freq("text_x", exact) if term.accented else 0
            # The same rule as for a word typed right (see EXACT_MAX_SHARE).
            if xdf and (neighbours is None or xdf < EXACT_MAX_SHARE * vdf_of[variant]):
                boosts.append(_boost(_term("text_x", exact), W_TYPO * W_EXACT))
        if is_stopword(built.corrections[term.exact]):
            # Corrected to a function word ("không đượcc công" → "được"): searched as if typed
            # so, which requires no function word (the pairs it forms still score).
            built.function_words[term.exact] = (term.folded, _should(match), boosts)
            return None, []
        return _should(match), boosts

    @staticmethod
    def _stranded(
        searcher: tantivy.Searcher,
        term: Term,
        df: int,
        neighbours: tuple[list[str], list[str]] | None,
    ) -> int | None:
        """For ``term``, a word in ``df`` documents that, between two content words the
        documents use, hardly ever stands next to either (in fewer than one in STRANDED_SHARE
        of its documents), the most documents it does so in; None for any other word. Typed
        so, it is likely another word with a letter dropped, doubled or changed ("tự diễn
        bến" for "tự diễn biến").

        Only a word between two others: at a query's edge, or next to a function word or a
        word found nowhere, a missing pair says nothing ("chống tin xuyên tạc" is not
        "thông tin")."""
        if not neighbours or not neighbours[0] or not neighbours[1]:
            return None
        if len(term.folded) < SHORT_TYPO_MIN_CHARS or not term.folded.isalpha():
            return None
        if df > STRANDED_MAX_SHARE * searcher.num_docs:
            # A word in most documents is no typo for want of a pair: "con" in "sinh con thứ
            # 3" typed without accents became "đơn" (of "đơn thư"; a tester's).
            return None
        left, right = ([fold_lower(w) for w in side] for side in neighbours)
        if any(w in _FOLDED_STOPWORDS for w in left + right):
            return None
        # Asked of every word between two others: the pairs first, which rule out most.
        together = [searcher.doc_freq("pairs", f"{w}_{term.folded}") for w in left]
        together += [searcher.doc_freq("pairs", f"{term.folded}_{w}") for w in right]
        if max(together) * STRANDED_SHARE >= df:
            return None
        if not all(searcher.doc_freq("text_f", w) for w in left + right):
            return None
        # A neighbour typed with accents no document has is itself mistyped ("ý điểm chuẩ"):
        # the pairs its letters form ("chưa") say nothing about this word.
        typed = zip(neighbours[0] + neighbours[1], left + right, strict=True)
        if any(w != f and not searcher.doc_freq("text_x", w) for w, f in typed):
            return None
        return max(together)

    @staticmethod
    def _collocates(
        searcher: tantivy.Searcher,
        neighbours: tuple[list[str], list[str]],
        variant: str,
        together: list[int],
        stranded: int,
    ) -> bool:
        """Whether ``variant``, a correction of a stranded word, forms with one of its
        ``neighbours`` a pair ``STRANDED_GAIN`` times commoner than the word as typed did
        (``together``: its folded pair counts, left neighbours first), and in at least
        ``COLLOCATION_SHARE`` of that neighbour's documents: a word that nearly comes with it
        ("diễn" → "diễn biến"), not merely some pair ("bộ" → "bộ già"). A neighbour typed with
        its accents counts with them: "con thứ" is not "đơn thư", whose "thư" has none (a
        tester's "đảng viên sinh con thứ 3" was searched as "sinh don thứ 3")."""
        left, right = neighbours
        for i, (w, n) in enumerate(zip(left + right, together, strict=True)):
            folded = fold_lower(w)
            if n <= STRANDED_GAIN * (stranded + 1) or n < COLLOCATION_SHARE * searcher.doc_freq(
                "text_f", folded
            ):
                continue
            if w.lower() == folded:
                return True
            # Most of the pair's documents write the neighbour as typed.
            forms = _accented_forms(searcher, variant)
            pairs = [f"{w.lower()}_{f}" if i < len(left) else f"{f}_{w.lower()}" for f in forms]
            if 2 * max((_exact_pair_df(searcher, p) for p in pairs), default=0) >= n:
                return True
        return False

    @staticmethod
    def _accent_form(
        searcher: tantivy.Searcher,
        variant: str,
        mirrored: str,
        typed: str,
        neighbours: tuple[list[str], list[str]],
    ) -> str:
        """The accented form of the correction ``variant`` that forms the commonest word pair
        with a neighbour as typed, among the forms keeping every accented letter the user
        typed; ``mirrored`` (the edit applied to the typed word) when none pairs."""
        together, form = SearchEngine._best_form(searcher, variant, typed, neighbours)
        return form if together else mirrored

    @staticmethod
    def _best_form(
        searcher: tantivy.Searcher,
        variant: str,
        typed: str,
        neighbours: tuple[list[str], list[str]],
    ) -> tuple[int, str]:
        """(documents with the pair, form) for the accented form of ``variant`` that forms the
        commonest pair with a neighbour as typed, keeping every accented letter of ``typed``;
        (0, ``variant``) when none pairs."""
        marks = {c for c in typed if fold_lower(c) != c}
        best: tuple[int, int, str] = (0, 0, variant)
        for form, df in _accented_forms(searcher, variant).items():
            if not marks - set(form):
                best = max(best, (_pair_count(searcher, form, neighbours), df, form))
        return (best[0], best[2]) if best[0] else (0, variant)

    @staticmethod
    def _letter_form(searcher: tantivy.Searcher, exact: str, pos: int, kind: str) -> str | None:
        """``exact`` with the letter an insert or a replace put at ``pos`` in the accented
        form the documents have most ("ồng" + "d" is "đồng", "cmờng" with "u" is "cường"):
        the edit gave the bare letter. None when no form of it exists."""
        if kind not in ("insert", "replace"):
            return None
        best: tuple[int, str] | None = None
        for form in _letter_forms(exact[pos]):
            if form != exact[pos]:
                candidate = exact[:pos] + form + exact[pos + 1 :]
                df = searcher.doc_freq("text_x", candidate)
                if df and (best is None or df > best[0]):
                    best = (df, candidate)
        return best[1] if best else None

    def _retoned(
        self,
        searcher: tantivy.Searcher,
        term: Term,
        df: int,
        neighbours: tuple[list[str], list[str]],
        built: _Built,
        *,
        strict: bool = False,
        form: str | None = None,
    ) -> list[Query]:
        """For a word matched by its letters because its accents look mistyped ("mặt
        trẩn"): the accented form its neighbours pair with becomes the correction the answer
        shows and the snippets mark ("mặt trận"), and it is preferred; the boost for it, if
        any. ``strict``, for a word that exists as typed but not beside its neighbours
        ("thâm tra"): only when that form and a neighbour make a collocation (their pair in
        a tenth of the documents of either, and more than ``STRANDED_GAIN`` of them): a
        neighbour may be the one mistyped ("đảng viện mới" is not "viện mỗi", one
        document's pair). ``form``: that form, when the caller has looked it up."""
        if form is None:
            form = self._accent_form(searcher, term.folded, term.folded, "", neighbours)
        if form == term.folded or form == term.exact:
            return []
        if strict:
            left, right = neighbours
            words = left + right
            together = [_exact_pair_df(searcher, f"{w}_{form}") for w in left] + [
                _exact_pair_df(searcher, f"{form}_{w}") for w in right
            ]
            # A collocation: a tenth of the neighbour's documents or of the form's own.
            least = COLLOCATION_SHARE * searcher.doc_freq("text_x", form)
            if not any(
                n > STRANDED_GAIN
                and n >= min(least, COLLOCATION_SHARE * searcher.doc_freq("text_x", w))
                for w, n in zip(words, together, strict=True)
            ):
                return []
        built.corrections[term.exact] = form
        if searcher.doc_freq("text_x", form) < EXACT_MAX_SHARE * df:
            return [_boost(_term("text_x", form), W_EXACT)]
        return []

    @staticmethod
    def _doubtful_accents(searcher: tantivy.Searcher, parsed: ParsedQuery) -> set[str]:
        """Accented syllables whose accents look mistyped: the pair they form with a
        neighbour exists without accents but never as typed."""
        doubtful: set[str] = set()
        confirmed: set[str] = set()
        for a, b in itertools.pairwise(parsed.terms):
            if not (a.accented or b.accented) or a.stop or b.stop:
                continue
            if _exact_pair_df(searcher, f"{a.exact}_{b.exact}"):
                confirmed.update((a.exact, b.exact))
                continue
            if searcher.doc_freq("pairs", f"{a.folded}_{b.folded}"):
                # Only words that exist as typed: an unknown form ("phạn") is a typo the
                # one-edit corrections already handle ("phạm").
                doubtful.update(
                    t.exact for t in (a, b) if t.accented and searcher.doc_freq("text_x", t.exact)
                )
        # A syllable that forms a real pair with its other neighbour was typed right: "chi bộ
        # nhiệm kỳ" is "chi bộ" + "nhiệm kỳ", not a mistyped "bổ nhiệm".
        return doubtful - confirmed

    def _keywords(
        self,
        searcher: tantivy.Searcher,
        parsed: ParsedQuery,
        *,
        slack: int | None = None,
        extra_terms: list[str] | None = None,
        loose_phrases: bool = False,
        topic_boost: list[Query] | None = None,
        either_word: list[str] | None = None,
    ) -> _Built:
        """The keyword part of a query: terms, pairs, phrases, codes, exclusions; ``topic_boost``,
        optional clauses of the caller's (a question's topic), scored with the others: as a
        clause beside the query, tantivy would look one up at every document found."""
        built = _Built(
            None,
            accents_typed=any(t.accented for t in parsed.terms),
            telex_typed=any(_telex_typed(searcher, t) for t in parsed.terms),
        )
        must: list[Query] = []
        should: list[Query] = []
        clauses: list[Query] = []
        terms = list(parsed.content_terms)
        for year in extra_terms or []:
            terms.append(Term(year, year, False))
        unique: dict[tuple[str, str], Term] = {}
        for term in terms:
            unique.setdefault((term.folded, term.exact), term)
        doubtful = self._doubtful_accents(searcher, parsed)
        clause_of: dict[str, Query] = {}
        requirement: Query | None = None
        around: dict[str, tuple[list[str], list[str]]] = {}  # exact → (left, right) neighbours
        for a, b in itertools.pairwise(parsed.terms):
            around.setdefault(a.exact, ([], []))[1].append(b.exact)
            around.setdefault(b.exact, ([], []))[0].append(a.exact)
        # An expression of the synonym groups, typed as such, is no typo: "Sài Gòn" (which
        # the documents write "TP.HCM") became "Sài Còn" beside "chi bộ khu phố" (a
        # tester's). Its syllables are matched as typed, and its synonyms find the rest.
        as_written: set[str] = set()  # … typed with the accents the group writes it with
        for found in self.synonyms.find([t.folded for t in parsed.terms]):
            span = parsed.terms[found.start : found.end]
            built.expression.update(t.exact for t in span)
            written = self.synonyms.written(tuple(t.folded for t in span)) or ""
            if re.findall(r"\w+", written.lower()) == [t.exact for t in span]:
                as_written.update(t.exact for t in span)  # "Sài Gòn" is no "Sài Gọn"
        for run in _capitalised_runs(parsed):
            if len(run) > 1 and any(_FOREIGN.search(t.folded) for t in run):
                # A foreign name ("World Cup"): none of its words is a Vietnamese typo ("Cup"
                # became "Cứ", a tester's).
                as_written.update(t.exact for t in run if not t.accented)
        # A province named with its accents is that name: "Đà Nẵng" is no "Đà Bắc" beside a
        # "năng lực" (14 corruption articles "with every word" for "tham nhũng ở Đà Nẵng",
        # none naming the city, a tester's). Its syllables are required with their accents.
        named_pairs: dict[str, list[str]] = {}  # an accented syllable of it → its pairs
        for run in _capitalised_runs(parsed):
            if (
                len(run) >= 2
                and all(t.accented or fold_lower(t.exact) == t.exact.lower() for t in run)
                and any(t.accented for t in run)
                and tuple(t.folded for t in run) in PLACE_SYLLABLES
            ):
                pairs = [f"{a.folded}_{b.folded}" for a, b in itertools.pairwise(run)]
                named_pairs.update((t.exact, pairs) for t in run if t.accented)
        for term in unique.values():
            original = term
            if term.exact in as_written:
                term = replace(term, keep=True)
            near = around.get(term.exact)
            done = False
            typed: Term | None = None  # as typed, when matched without its accents
            if term.exact in doubtful and not term.keep:
                # A stranded word's letters may be what is wrong ("tự diễn bến"): replaced
                # when its neighbours confirm a correction (a doubtful word exists as typed,
                # so otherwise the clause is given up without leaving a trace), else treated
                # as below.
                clause, boosts = self._term_clause(searcher, term, built, near)
                done = term.exact in built.replaced
                if not done:
                    # Typed with accents that never occur next to its neighbour ("đảng
                    # viện"): match it as if typed without accents, so "đảng viên" is found.
                    typed, term = term, replace(term, exact=term.folded, accented=False)
            if not done:
                clause, boosts = self._term_clause(searcher, term, built, near)
            fixed = built.folded_corrections.get(original.folded, original.folded)
            if original.exact in built.expression and fixed != original.folded:
                # Other letters for a syllable of an expression: taken as typed instead (a
                # tone put right, "chi bọ" → "chi bộ", still is).
                for key in (original.exact, term.exact):
                    built.corrections.pop(key, None)
                    built.function_words.pop(key, None)
                built.folded_corrections.pop(original.folded, None)
                built.replaced = [
                    w for w in built.replaced if w not in (original.exact, term.exact)
                ]
                typed, term = None, replace(original, keep=True)
                clause, boosts = self._term_clause(searcher, term, built, near)
            if typed is not None and clause is not None and near:
                df = searcher.doc_freq("text_f", term.folded)
                boosts = boosts + self._retoned(searcher, typed, df, near, built, strict=True)
            if (
                clause is not None
                and original.exact in named_pairs
                and term.exact == original.exact
                and searcher.doc_freq("text_x", term.exact)
            ):
                # A filter: the name's score stays what its syllables earn. Its syllables
                # side by side, too: "Thanh Hóa năm 2024" listed a Cần Thơ article for its
                # "nhà văn hóa" (a tester's).
                side = [_term("text_x", term.exact)]
                side += [
                    _term("pairs", pair)
                    for pair in named_pairs[term.exact]
                    if searcher.doc_freq("pairs", pair)
                ]
                clause = _all([clause, _filter(_all(side))])
            if clause is not None:
                clauses.append(clause)
                clause_of[term.folded] = clause
                should.extend(boosts)
        # A syllable of an expression no document writes so is found by its synonyms, if at
        # all: no word "no document has" ("Sài Gòn", which the documents write "TP.HCM").
        built.unknown = [w for w in built.unknown if w not in built.expression]
        if not clauses:
            for folded, clause, boosts in built.function_words.values():
                clauses.append(clause)
                clause_of[folded] = clause
                should.extend(boosts)
            built.function_words.clear()
        name_pairs: set[str] = set()  # pairs of a name the query spells (scored as the name)
        built.clauses = len(clauses)
        if clauses:
            requirement = self._requirement(clauses, slack)
            if either_word:
                # Two words, few documents with both: also either one, as a word ("kiểm
                # điểm" or "xếp loại"), not any two of the four syllables ("kiểm", "loại").
                words = [_term("pairs", p) for p in either_word]
                requirement = _should([self._requirement(clauses, 1), *words])
            n = len(clauses)
            need = max(1, n - slack) if slack is not None else required(n)
            loosened = need < n
            subject_way: Query | None = None
            subject_whole: Query | None = None
            # The query's words, looked up once for the loosened query's bonuses below.
            loose_pairs = self._word_pairs(searcher, parsed, built) if loosened else []
            if loosened and not either_word:
                # One word missing may be the place, not the subject: "tuyên truyền ở Sài
                # Gòn" listed a city budget report and a bus crash (the name and "truyền"),
                # not the articles on "tuyên truyền" elsewhere (a tester's). The subject's
                # every word anywhere is one more way in; the name still ranks its own first.
                named = {
                    t.folded
                    for run in _capitalised_runs(parsed)
                    if len(run) >= 2 and not all(t.capital for t in parsed.content_terms)
                    for t in run
                }
                # A name of the synonym groups is a name however it is typed ("Thành phố Hồ
                # Chí Minh" with "phố" in lower case is all name, no subject).
                folded_words = [
                    built.folded_corrections.get(t.folded, t.folded) for t in parsed.terms
                ]
                for match in self.synonyms.find(folded_words):
                    if match.name:
                        named.update(t.folded for t in parsed.terms[match.start : match.end])
                subject = [c for w, c in clause_of.items() if w not in named]
                if named and len(subject) >= 2 and len(subject) < n:
                    subject_way = _all(subject)
                    requirement = _should([requirement, subject_way])
                    # Its words as words, for the bonus below ("dân" and "vận tải" are no
                    # "dân vận").
                    subject_whole = _all([subject_way, *_pair_terms(loose_pairs, named)])
            if not loosened and not either_word and n >= WORDS_FROM:
                # Every word means the words, not their syllables anywhere: "kỷ luật đảng
                # viên" had a conscription story with "luật" and "thế kỷ" among its
                # documents "with every word" (a tester's).
                words = self._words(searcher, parsed, built)
                if words:
                    requirement = _all([requirement, *words])
            must.append(requirement)
            # Synonyms: the query with an expression replaced by another of its group is one
            # more way in ("họp chi bộ" finds "sinh hoạt chi bộ"), scored a little lower.
            matches = self._synonym_ways(
                searcher,
                parsed,
                clause_of,
                clauses=len(clauses),
                slack=slack,
                said=built.said,
                fixed=built.folded_corrections,
                via=built.via,
            )
            if matches:
                # Membership from any way of saying it; the score from the typed words, except
                # that an expression scores as the best of itself and its synonyms (a little
                # lower), so a document saying both is not counted twice.
                ways = [way for _, way, _, _ in matches]
                # A name is said as a name: "Thành phố Hồ Chí Minh" is not "thành phố" in one
                # place and the President's name in another.
                named = [name for *_, name in matches if name is not None]
                typed_ways = [name.way for name in named] if named else [must[0]]
                if subject_way is not None:
                    typed_ways.append(subject_way)
                spans = {w for inside, *_ in matches for w in inside}
                scoring = [c for w, c in clause_of.items() if w not in spans]
                for inside, _, scores, name in matches:
                    if name is not None:
                        # Every spelling of a name is the name: no lower score for "TP.HCM".
                        typed_score = [] if name.score is None else [name.score]
                        should.append(Query.disjunction_max_query([*typed_score, *scores]))
                        name_pairs.update(name.pairs)
                        continue
                    typed = _should([clause_of[w] for w in inside if w in clause_of])
                    said = [_boost(score, W_SYNONYM) for score in scores]
                    scoring.append(Query.disjunction_max_query([typed, *said]))
                if (
                    need == 1
                    and not named
                    and subject_way is None
                    and not either_word
                    and not parsed.phrases
                    and not parsed.codes
                ):
                    # Any one word will do (a question): the scoring clauses are the way in,
                    # evaluated once. As a filter beside them, every syllable's documents were
                    # read twice (7.4 against 6.5 ms to rank "đảng viên dự bị bao lâu thì
                    # được xét chính thức?" at 100,000 documents). They also let in the
                    # documents with a synonym and none of the other words ("MTTQ" for "Mặt
                    # trận Tổ quốc có vai trò gì?"), or with part of one ("kết nạp", of
                    # "đảng viên mới kết nạp"): related words, scored as such.
                    must = [_should(_terms_together(scoring))]
                else:
                    must = [_filter(_should([*typed_ways, *ways]))]
                    should.extend(scoring)
            if loosened:
                # Loosened to some of the words: the documents with all of them get a bonus,
                # as "the documents with every word still come first" promises ("dân vận
                # khéo" ranked an article without "khéo" above one with the movement's name).
                # A name counts as its words, whichever way it is spelled.
                names = [name for *_, name in matches if name is not None]
                inside = {w for name in names for w in name.words}
                every = [c for w, c in clause_of.items() if w not in inside]
                every += [name.spelled for name in names]
                # Its words as words, as the first attempt required them: a budget article
                # with "an sinh", "hoạt động", "Chi cục" and "bố trí" had every syllable of
                # "sinh hoạt chi bộ TP.HCM" and led it, above three with the words (a
                # tester's).
                words = _pair_terms(loose_pairs, inside) if n >= WORDS_FROM else []
                # A name capitalised counts as the name, its syllables side by side: "2 có đủ
                # các từ" stood where one article named the person, and Hà Giang's articles,
                # with "Hà" and a "nội dung", led "sinh hoạt chi bộ Hà Nội" (a tester's).
                fixed = built.folded_corrections
                said_names = [
                    _term(
                        "pairs", f"{fixed.get(a.folded, a.folded)}_{fixed.get(b.folded, b.folded)}"
                    )
                    for run in _capitalised_runs(parsed)
                    for a, b in itertools.pairwise(run)
                    if not all(t.capital for t in parsed.content_terms)
                    and not {a.folded, b.folded} & inside
                ]
                every += words + said_names
                built.every = _all(every)
                typed = {w: _term("text_x", x) for w, x in built.distinct.items()}
                built.every_typed = _all(
                    [typed.get(w, c) for w, c in clause_of.items() if w not in inside]
                    + [name.spelled for name in names]
                    + said_names
                    + words
                )
                built.every_differs = bool(built.distinct or said_names)
                # With the subject alone a way in, its articles from elsewhere say more of it
                # than the place's own: those with every word keep their lead, as promised.
                bonus = W_ALL_WORDS * (W_NAMED_LEAD if subject_way is not None else 1)
                should.append(Query.const_score_query(built.every, bonus))
                if subject_whole is not None:
                    # The subject said whole comes before the place with a syllable of it:
                    # "dân vận Bình Dương" led with a tax office's debts in Bình Dương, for
                    # its "dân" (a tester's).
                    should.append(Query.const_score_query(subject_whole, W_SUBJECT_WHOLE))
        # Adjacent syllables as pairs (see the module docstring).
        fixed, corrected_stop = built.folded_corrections, built.function_words
        two_syllables = len(parsed.content_terms) == 2
        for a, b in itertools.pairwise(parsed.terms):
            # A typo corrected to a function word counts as one ("khôông được" as "không
            # được"): a pair with one function word still says which word was meant.
            if (a.stop or a.exact in corrected_stop) and (b.stop or b.exact in corrected_stop):
                continue
            wa, wb = fixed.get(a.folded, a.folded), fixed.get(b.folded, b.folded)
            # A word no document has was left out: no pair with it is asked for.
            left_out = a.exact in built.unknown or b.exact in built.unknown
            # An abbreviation is mostly written out ("đv": "đảng viên"): no pair is asked of
            # it ("kỷ luật đv" said no document had every word, a tester's).
            short = wa in ABBREVIATIONS or wb in ABBREVIATIONS
            built.pairs_asked += not (a.stop or b.stop or left_out or short)
            if f"{wa}_{wb}" in name_pairs:
                built.pairs_found += 1  # scored with the name, once, whichever spelling
            elif searcher.doc_freq("pairs", f"{wa}_{wb}"):
                should.append(_boost(_term("pairs", f"{wa}_{wb}"), W_BIGRAM))
                built.pairs_found += not (a.stop or b.stop)
                if two_syllables and not (a.stop or b.stop):
                    # Two syllables are mostly one word ("thanh hoa", "ky luat"): the
                    # documents saying it come before those with its syllables apart, title
                    # matches of each ("thanh niên Biên Hòa") notwithstanding.
                    word = ("pairs_once", f"{wa}_{wb}")
                    exact = f"{a.exact}_{b.exact}"
                    if (
                        a.accented
                        and b.accented
                        and a.exact not in built.corrections
                        and b.exact not in built.corrections
                        and _exact_pair_df(searcher, exact)
                    ):
                        # Typed with accents: the word as typed ("Mường Lạt", not "Mường Lát").
                        word = ("pairs_x", exact)
                    should.append(_word_bonus(searcher, *word, W_WORD))
        if not two_syllables:
            should.extend(self._names_said(searcher, parsed, built, name_pairs))
        content = parsed.content_terms
        if (
            len(content) == 3
            and len(parsed.terms) == 3
            and not parsed.phrases
            and not name_pairs
            and not any(t.exact in built.unknown for t in content)
        ):
            # Three syllables, mostly one name or expression ("báo cáo viên", "đoàn thanh
            # niên"): the documents saying it come before those with its syllables apart, as
            # for two (a tester's "only 13 have «báo cáo viên» together" ranked one without).
            said = phrase_query([fixed.get(t.folded, t.folded) for t in content], slop=0)
            should.append(Query.const_score_query(said, W_WORD))
        if (
            len(content) >= TITLE_PHRASE_FROM
            # A question names no document (and the phrase cost its search 7%, p50 and p95).
            and not parsed.question
            and not parsed.phrases
            and not parsed.codes
            and not any(t.exact in built.unknown for t in content)
        ):
            # A title typed whole ("báo cáo tổng kết công tác xây dựng Đảng"): that document
            # first, however long its text (a report of 1.6 million characters was 8th
            # behind shorter articles with the same words, a tester's).
            titled = Query.phrase_query(
                SCHEMA, "title_f", [fixed.get(t.folded, t.folded) for t in content], slop=0
            )
            should.append(Query.const_score_query(titled, W_TITLE_PHRASE))
        # Quoted phrases and document codes rank in tiers: documents with the exact phrase, or
        # citing the document, come first (a large constant), then documents that only have
        # the phrase's words or are about the cited document's subject.
        alternatives: list[Query] = []
        for phrase in parsed.phrases:
            words = [t.folded for t in phrase]
            exact = phrase_as_typed(phrase)
            should.append(_boost(Query.phrase_query(SCHEMA, "title_f", words), W_TITLE))
            if not loose_phrases:
                must.append(exact)  # first try: only documents with the phrase as typed
                continue
            # The tier's constant goes inside the ways in, not beside them: a clause beside
            # them is looked up again for every document they find.
            alternatives += [exact, Query.const_score_query(exact, W_TIER)]
            if any(t.accented for t in phrase):
                # Its letters with other tones are a way in, below the tier.
                alternatives.append(phrase_query(words))
            # Few have it as typed: then the documents with every content word of the phrase,
            # anywhere (none may be unknown), after them.
            content = list(dict.fromkeys(t.folded for t in phrase if not t.stop))
            known = [w for w in content if searcher.doc_freq("text_f", w)]
            loose = [_term("text_f", w) for w in known] if len(known) == len(content) else []
            if loose:
                alternatives.append(_all(loose))
                should.extend(loose)
        for keys in parsed.codes:
            cite, central, named = self._citing(keys, parsed.text)
            built.citing.append(cite)
            # The tier, then within it: the code in the title, and how often a document
            # names the code by its terms. Scoring the whole citing query instead (the tier's
            # way in, again, with its aliases' two-clause lookups) took a quarter of a
            # catalogued code's time at 100,000 documents for the same order.
            alternatives += [
                Query.const_score_query(cite, W_TIER),
                Query.const_score_query(self._titled(keys, central), W_TITLE_CODE),
                named,
            ]
            for doc in central:
                if doc in built.central:
                    continue  # named twice ("Kết luận 21 … 21-KL/TW"): one document
                built.central.append(doc)
                subject = self._subject(searcher, doc.subject)
                if subject is not None:
                    # A way in that also scores: counted 1 + W_SUBJECT times, as if it were
                    # a way in plus a boost, for one evaluation instead of two.
                    alternatives.append(_boost(subject, 1.0 + W_SUBJECT))
                for code in doc.replaced_by:
                    # "Quy định 102" (replaced by 69-QĐ/TW): the articles citing what replaced
                    # it lead the subject's tier (the answer named 69 and did not list two of
                    # its three citing articles: a tester's). They do not cite the code asked
                    # for, so below the citing tier (see subject_from).
                    bare = code.split("/")[0] + "/*"  # "Quy định 69", issuer unwritten
                    cites = _should([_term("codes", code), _term("codes", bare)])
                    alternatives.append(Query.const_score_query(cites, W_REPLACEMENT))
                # No boost for the document's topic: on the first unseen set it changed no
                # code query's nDCG@10, and looking it up for every citing or subject
                # document cost a sixth of the query at 100,000 documents.
        if alternatives:
            if must:
                # The keywords are one more way in, and score wherever they occur.
                alternatives.append(_all(must))
                should.extend(clauses)
            must = [_should(alternatives)]
        if not must:
            return built
        if (
            len(clauses) == 2
            and len(must) == 1  # no phrase, which would lead a cheaper intersection
            and must[0] is requirement
            and not slack  # both required: an intersection
            and all(
                searcher.doc_freq("text_f", fixed.get(w, w)) >= COMMON_SHARE * searcher.num_docs
                for w in clause_of
            )
        ):
            # Two common syllables ("tổ chức", "cán bộ"): they decide membership as a filter
            # and score as optional clauses. The same documents and scores, but tantivy then
            # intersects the two long lists without scoring them and scores one union of every
            # clause, which it does faster than scoring while it intersects: 10 to 25% less
            # for such a query at 100,000 documents. With a rarer syllable, or more of them,
            # the intersection led by the rarest list is cheaper (measured on 180 queries).
            must[0] = _filter(requirement)
            should = clauses + should
        # General news (no topic) after Party work that matches as well: "khai trừ" listed a
        # school's opening day ("khai trường"), "ghế nóng" a coach crash. A lower score for
        # the few untagged documents, not a higher one for the many tagged, which would add
        # their long list to every query; when none has a topic, nothing changes. Among the
        # other optional clauses: beside the query (_combine's extra), tantivy would look it
        # up at every document found, a quarter more time for "tổ chức".
        should.append(_word_bonus(searcher, "untagged", "y", -W_UNTAGGED))
        should.extend(topic_boost or [])
        # Excluded words are not here: every search applies them as a filter (_excluding).
        required_only = [(Occur.Must, q) for q in must]
        should = _terms_together(should)
        built.query = Query.boolean_query(required_only + [(Occur.Should, q) for q in should])
        built.match = Query.boolean_query(required_only)
        return built

    @staticmethod
    def _names_said(
        searcher: tantivy.Searcher, parsed: ParsedQuery, built: _Built, spelled: set[str]
    ) -> list[Query]:
        """A bonus for the documents saying a name the query capitalises ("kỷ luật đảng viên
        ở Sóc Trăng", "Quảng Ninh kỷ luật cán bộ"): the place or person asked about, rather
        than an article from elsewhere with more of the other words. W_WORD, as for a word
        said in a two-syllable query: weighed by the query's length instead, the name put
        articles from the place on another subject first ("Lào Cai phát triển đảng viên
        vùng cao" led with a landslide). Each name by its rarest pair, accents as typed when
        both syllables have them. None in a query capitalised throughout, where capitals say
        nothing, nor for a name of the synonym groups (``spelled``: its pairs), which every
        spelling of it scores alike ("TP.HCM" as "TP Hồ Chí Minh")."""
        terms = parsed.content_terms
        if len(terms) < 3 or all(t.capital for t in terms):
            return []
        fixed, corrected = built.folded_corrections, built.corrections
        bonuses = []
        for run in _capitalised_runs(parsed):
            folded = [
                f"{fixed.get(a.folded, a.folded)}_{fixed.get(b.folded, b.folded)}"
                for a, b in itertools.pairwise(run)
            ]
            if not folded or spelled.intersection(folded):
                continue
            found = []
            for (a, b), pair in zip(itertools.pairwise(run), folded, strict=True):
                if a.accented and b.accented and not {a.exact, b.exact} & set(corrected):
                    exact = f"{a.exact}_{b.exact}"
                    found.append((_exact_pair_df(searcher, exact), "pairs_x", exact))
                else:
                    found.append((searcher.doc_freq("pairs", pair), "pairs_once", pair))
            said = sorted(f for f in found if f[0])
            if said:
                bonuses.append(_word_bonus(searcher, said[0][1], said[0][2], W_WORD))
        return bonuses

    @classmethod
    def _words(cls, searcher: tantivy.Searcher, parsed: ParsedQuery, built: _Built) -> list[Query]:
        """:meth:`_word_pairs` as queries."""
        return _pair_terms(cls._word_pairs(searcher, parsed, built))

    @staticmethod
    def _word_pairs(searcher: tantivy.Searcher, parsed: ParsedQuery, built: _Built) -> list[str]:
        """The query's two-syllable words, found from the index: of its adjacent content
        syllables, the pairs that stand together in enough of the documents having their rarer
        syllable (``WORD_SHARE``), chosen left to right without overlap, the better of two
        overlapping ones first ("kết nạp | đảng viên", not "nạp đảng")."""
        fixed = built.folded_corrections
        terms = parsed.terms
        share: list[float] = []
        for a, b in itertools.pairwise(terms):
            if a.stop or b.stop or a.exact in built.unknown or b.exact in built.unknown:
                share.append(0.0)
                continue
            wa, wb = fixed.get(a.folded, a.folded), fixed.get(b.folded, b.folded)
            together = searcher.doc_freq("pairs", f"{wa}_{wb}")
            rarer = min(searcher.doc_freq("text_f", wa), searcher.doc_freq("text_f", wb))
            folded = together / rarer if together >= WORD_MIN_DOCS and rarer else 0.0
            exact = 0.0
            if (a.accented or b.accented) and not {a.exact, b.exact} & built.corrections.keys():
                # Typed with accents, also counted as typed: folding adds the commoner
                # "luận" (kết luận, bình luận) to "luân", so "luân chuyển" fell short of a
                # word and "luân chuyển cán bộ về xã" had "bình luận" articles among those
                # "with every word" (a tester's). One syllable has none by nature ("tham
                # nhũng": "những" made it no word, and a student article's "tham gia" and
                # "Hà Nội" led "tham nhũng Hà Nội", a tester's).
                together = _exact_pair_df(searcher, f"{a.exact}_{b.exact}")
                rarer = min(
                    searcher.doc_freq("text_x", a.exact), searcher.doc_freq("text_x", b.exact)
                )
                exact = together / rarer if together >= WORD_MIN_DOCS and rarer else 0.0
            elif not (a.accented or b.accented) and folded < WORD_SHARE and together:
                # Typed without accents: counted as the documents mostly write the pair, for
                # the same reason ("luan chuyen" is "luân chuyển", not "luận"; a tester's).
                exact = _reading_share(searcher, wa, wb)
            share.append(max(folded, exact))
        words: list[str] = []
        i = 0
        while i < len(share):
            if share[i] >= WORD_SHARE and not (i + 1 < len(share) and share[i + 1] > share[i]):
                a, b = terms[i], terms[i + 1]
                words.append(f"{fixed.get(a.folded, a.folded)}_{fixed.get(b.folded, b.folded)}")
                i += 2
            else:
                i += 1
        return words

    @staticmethod
    def _requirement(clauses: list[Query], slack: int | None) -> Query:
        """What a document must match of these syllable clauses."""
        n = len(clauses)
        need = max(1, n - slack) if slack is not None else required(n)
        if need >= n:
            return _all(clauses)  # an intersection: driven by the rarest syllable
        return Query.boolean_query(
            [(Occur.Should, c) for c in clauses], minimum_number_should_match=need
        )

    def _synonym_ways(
        self,
        searcher: tantivy.Searcher,
        parsed: ParsedQuery,
        clause_of: dict[str, Query],
        *,
        clauses: int,
        slack: int | None,
        said: list[Term],
        fixed: dict[str, str],
        via: list[tuple[str, list[str]]] | None = None,
    ) -> list[tuple[list[str], Query, list[Query], _NameWay | None]]:
        """Each synonym expression in the query (its folded syllables) with another way in
        (by any of its synonyms) and each synonym's score; the synonyms' words go to ``said``.
        Expressions are looked for in the query with its typos corrected (``fixed``). For a
        name, also the way in of the name as typed (its syllables side by side), which then
        stands for the typed syllables anywhere.

        The way in: documents holding the synonym (every word pair of it) and as much of the
        rest of the query as the query itself needs. A query with fewer than two syllables
        besides the expression is taken as typed: it names a thing ("nêu gương" is not "làm
        gương", "dân vận khéo" is a movement), while a cadre's longer query describes one in
        their own words ("cách họp chi bộ không nhàm chán"). Measured on the first unseen
        set, requiring two kept the same quality as one and spares the short queries the
        cost of the extra ways in (a few milliseconds at 100,000 documents).
        """
        words = [fixed.get(t.folded, t.folded) for t in parsed.terms]  # typos corrected
        need = max(1, clauses - slack) if slack is not None else required(clauses)
        found: list[tuple[list[str], Query, list[Query], _NameWay | None]] = []

        def df(i: int) -> int:  # documents with the pair of syllables i and i + 1
            return searcher.doc_freq("pairs", f"{words[i]}_{words[i + 1]}")

        for match in self.synonyms.find(words):
            start, end = match.start, match.end
            if (end < len(words) and df(end - 1) > df(end - 2) > 0) or (
                start > 0 and df(start - 1) > df(start) > 0
            ):
                # The expression's edge syllable belongs with its neighbour outside ("kết nạp
                # đảng viên" is "kết nạp" + "đảng viên", not "kết nạp đảng" + "viên"). Not
                # for one no document writes as typed ("Sài Gòn", always "TP.HCM"): any pair
                # with a neighbour outweighs none ("Sài Gòn chi bộ khu phố", a tester's).
                continue
            inside = [t.folded for t in parsed.terms[match.start : match.end] if not t.stop]
            kept = [clause_of[w] for w in clause_of if w not in inside]
            if len(kept) < SYN_MIN_KEPT and not match.name:
                continue
            # The synonym stands for the expression's syllables; the rest must make up the
            # remainder of what the query needs.
            rest = max(0, need - len([w for w in set(inside) if w in clause_of]))
            scores: list[Query] = []
            written: list[str] = []  # the synonyms some document writes
            typed: _NameWay | None = None
            extra = [self._requirement(kept, len(kept) - min(rest, len(kept)))] if rest else []
            spelled_ways: list[Query] = []  # documents writing a synonym, nothing else
            for alt in match.alternatives:
                if len(alt.folded) == 1:  # an abbreviation ("MTTQ"): its one word
                    short = alt.folded[0]
                    if not searcher.doc_freq("text_f", short):
                        continue
                    spelled_ways.append(_term("text_f", short))
                    scores.append(_boost(_term("text_f", short), W_BIGRAM))
                    said.extend(_terms(alt.written))
                    written.append(alt.written)
                    continue
                pairs = [f"{a}_{b}" for a, b in itertools.pairwise(alt.folded)]
                pair_df = {p: searcher.doc_freq("pairs", p) for p in pairs}
                if not all(pair_df.values()):
                    continue  # no document says it this way either
                # Scored by its word pairs (rarer than its syllables, so cheaper to score).
                score = [_boost(_term("pairs", p), W_BIGRAM) for p in pairs]
                spelled = _all([_term("pairs", p) for p in pairs])
                spelled_ways.append(spelled)
                scores.append(_name_score(pair_df) if match.name else _should(score))
                said.extend(_terms(alt.written))
                written.append(alt.written)
            if match.name and scores:
                pairs = [f"{a}_{b}" for a, b in itertools.pairwise(words[start:end])]
                pair_df = {p: searcher.doc_freq("pairs", p) for p in pairs}
                spellings = spelled_ways
                name_words = frozenset(inside)
                if all(pair_df.values()):
                    as_typed = _all([_term("pairs", p) for p in pairs])
                    typed = _NameWay(
                        _all([as_typed, *extra]),
                        _name_score(pair_df),
                        frozenset(pairs),
                        name_words,
                        _should([as_typed, *spellings]),
                    )
                else:  # nobody writes it as typed: no way in, nothing to score
                    nothing = Query.boolean_query([])
                    typed = _NameWay(
                        nothing, None, frozenset(pairs), name_words, _should(spellings)
                    )
            typed_pairs = [f"{a}_{b}" for a, b in itertools.pairwise(words[start:end])]
            if (
                written
                and via is not None
                and not all(searcher.doc_freq("pairs", p) for p in typed_pairs)
            ):
                # No document writes it as typed ("Sài Gòn"): the answer says what it was
                # searched as ("TP.HCM"), or the documents seem to lack the words asked for.
                span = parsed.terms[start:end]
                shown = " ".join(
                    t.exact[:1].upper() + t.exact[1:] if t.capital else t.exact for t in span
                )
                forms = [_as_name(w) if match.name else w for w in dict.fromkeys(written)]
                via.append((shown, forms[:MAX_VIA_SHOWN]))
            if scores:
                # One way in for every synonym: the rest of the query (``extra``, "k of these
                # syllables") is then evaluated once, not once per synonym. tantivy cannot
                # skip ahead in such a clause, so each costs a full pass over its syllables'
                # documents, however rare the synonym that leads it.
                found.append((inside, _all([_should(spelled_ways), *extra]), scores, typed))
        return found

    def _citing(self, keys: list[str], text: str) -> tuple[Query, list[CentralDocument], Query]:
        """The documents citing a query's code (its keys), the catalogued documents it names,
        and the code's own terms as a scored query (how often a document names it, without
        the costlier ways of citing it). Wanted or excluded, a code is found the same ways."""
        # Each code term once, weighted by how often it is named: the code typed is mostly
        # the catalogued one's too, and a term twice is its list read twice for one score.
        weights: dict[str, float] = {keys[0]: 1.0}
        for k in keys[1:]:
            weights[k] = weights.get(k, 0.0) + W_BARE_CODE
        central = self.catalogue.lookup(keys, text)
        for doc in central:
            # Every way an article cites the same document: its code, a bare "Nghị quyết
            # số 4", or "Nghị quyết Trung ương 4" together with its term ("khóa XII").
            weights[doc.full] = weights.get(doc.full, 0.0) + 1.0
            weights[f"{doc.key}/*"] = weights.get(f"{doc.key}/*", 0.0) + W_BARE_CODE
        parts = [_boost(_term("codes", k), w) for k, w in weights.items()]
        named = _should(list(parts))
        for doc in central:
            for alias, term in doc.aliases:
                parts.append(
                    Query.boolean_query(
                        [
                            (Occur.Must, _term("codes", alias)),
                            (Occur.Must, _term("text_f", term.lower())),
                        ]
                    )
                )
        return _should(parts), central, named

    def _spellings(self, words: list[str]) -> list[list[str]]:
        """A phrase (folded words) and, when it is an expression of the synonym groups,
        its other spellings: +"Đắc Lắc" also requires "Đắk Lắk", +"Sài Gòn" "TP.HCM" (they
        found nothing, a tester's)."""
        found = self.synonyms.find(words)
        if len(found) == 1 and (found[0].start, found[0].end) == (0, len(words)):
            return [words, *(list(e.folded) for e in found[0].alternatives)]
        return [words]

    @staticmethod
    def _titled(keys: list[str], central: list[CentralDocument]) -> Query:
        """The documents with the code in their title (a subset of those citing it)."""
        named = dict.fromkeys([*keys, *(d.full for d in central), *(f"{d.key}/*" for d in central)])
        return _should([_term("codes", f"{TITLE_CODE}{k}") for k in named])

    def _subject(self, searcher: tantivy.Searcher, subject: str) -> Query | None:
        """A catalogued document's subject as a query: its most distinctive word pairs (two
        folded syllables, about a word each), at least two of them, ranked by BM25.

        Pairs rather than syllables: they say "tự diễn biến" rather than "tự", and their
        postings are short, so the query stays cheap at 100,000 documents.
        """
        found = [(searcher.doc_freq("pairs", p), p) for p in _subject_pairs(subject)]
        rarest = [p for df, p in sorted(f for f in found if f[0])][:SUBJECT_PAIRS]
        if not rarest:
            return None
        clauses = [(Occur.Should, _term("pairs", p)) for p in rarest]
        return Query.boolean_query(clauses, minimum_number_should_match=min(2, len(rarest)))

    def _year_in_name(self, searcher: tantivy.Searcher, parsed: ParsedQuery) -> bool:
        """Whether the year the query names is part of a document's name: the year a
        catalogued code was issued, or a title saying the query's words (four syllables or
        more) and then "năm" and the year."""
        if parsed.code_keys:
            issued = {d.date[:4] for d in self.catalogue.lookup(parsed.code_keys, parsed.text)}
            return parsed.named_year in issued
        content = [t.folded for t in parsed.content_terms]
        if len(content) < TITLE_PHRASE_FROM or parsed.phrases:
            return False
        said = [*content, "nam", str(parsed.named_year)]
        named = Query.phrase_query(SCHEMA, "title_f", said, slop=0)
        return bool(searcher.search(named, limit=1, count=False).hits)

    def _filters(
        self,
        topic: str | None,
        date_from: datetime | None,
        date_to: datetime | None,
        source: str | None,
        named_year: str | None = None,
        term_year: bool = False,
    ) -> list[Query]:
        """Topic, source and period filters. ``named_year``: the period is that year, and a
        document whose text names it ("kết quả … năm 2023", published in January 2024) is
        in it too; ``term_year``, also as a term's first or last ("nhiệm kỳ 2025-2030")."""
        filters: list[Query] = []
        if topic:
            filters.append(_term("topics", topic))
        if source:
            filters.append(_term("source", source.strip().lower().removeprefix("www.")))
        if date_from or date_to:

            def period(name: str) -> Query:
                return _between(name, date_from, date_to)

            if date_from and date_to and date_to - date_from <= timedelta(days=1):
                # A day: published that day, or naming it (an event reported the next day).
                filters.append(_should([period("published"), period("mentioned")]))
            elif named_year is not None:
                # Naming the year from after it began, as the answer says ("and later articles
                # naming 2023"): a 2022 plan's target "đến năm 2023" is no news of 2023, nor is
                # an undated text naming it (both found by testers).
                after = _between("published", date_from, None)
                named = [_all([Query.term_query(SCHEMA, "years", int(named_year)), after])]
                if term_year:  # "nhiệm kỳ 2025": also "nhiệm kỳ 2025-2030", from any time
                    named.append(Query.term_query(SCHEMA, "span_years", int(named_year)))
                filters.append(_should([period("published"), *named]))
            else:
                filters.append(period("published"))
        return filters

    def _absent_names(
        self, searcher: tantivy.Searcher, parsed: ParsedQuery, built: _Built
    ) -> list[str]:
        """The names the query capitalises ("kỷ luật ở Đắk Nông") whose syllables no document
        has side by side, as typed; none in a query capitalised throughout, nor a name of
        the synonym groups ("Đắc Lắc" is written "Đắk Lắk")."""
        terms = parsed.content_terms
        if len(terms) < 2 or all(t.capital for t in terms):
            return []
        fixed = built.folded_corrections
        absent = []
        for run in _capitalised_runs(parsed):
            typed = [t.folded for t in run]
            words = [fixed.get(w, w) for w in typed]
            pairs = [f"{a}_{b}" for a, b in itertools.pairwise(words)]
            spellings = [
                alt.folded
                for spelled in (typed, words)  # "Đắc Lắc" as typed, or as corrected
                for match in self.synonyms.find(spelled)
                if match.name
                for alt in match.alternatives
            ]
            if any(
                all(searcher.doc_freq("pairs", f"{a}_{b}") for a, b in itertools.pairwise(alt))
                for alt in spellings
            ):
                continue  # written another way, which the search looked for
            if pairs and not all(searcher.doc_freq("pairs", p) for p in pairs):
                absent.append(
                    " ".join(built.corrections.get(t.exact, t.exact).title() for t in run)
                )
        return absent

    @staticmethod
    def _two_words(searcher: tantivy.Searcher, parsed: ParsedQuery) -> list[str] | None:
        """A query of four syllables that are two words the documents use ("kiểm điểm xếp
        loại"): their folded pairs; else None."""
        terms = parsed.terms
        if len(terms) != 4 or any(t.stop for t in terms) or parsed.phrases or parsed.codes:
            return None
        pairs = [f"{terms[0].folded}_{terms[1].folded}", f"{terms[2].folded}_{terms[3].folded}"]
        middle = f"{terms[1].folded}_{terms[2].folded}"
        df = {p: searcher.doc_freq("pairs", p) for p in [*pairs, middle]}
        if not all(df[p] for p in pairs) or df[middle] > min(df[p] for p in pairs):
            return None  # not two words, or the middle pair is the likelier word
        return pairs

    @staticmethod
    def _in_period(results: SearchResults, weight: float = W_IN_PERIOD) -> list[Query]:
        """A bonus for the documents published in the period the query named by its year,
        when documents naming the year count too (see ``SearchResults.period_named``)."""
        if results.period is None or results.period_named is None:
            return []
        return [Query.const_score_query(_between("published", *results.period), weight)]

    @staticmethod
    def _combine(
        main: Query | None, filters: list[Query], extra: list[tuple[Occur, Query]] = ()
    ) -> Query:  # type: ignore[assignment]
        occurs: list[tuple[Occur, Query]] = []
        if main is not None:
            occurs.append((Occur.Must, main))
        occurs += [(Occur.Must, _filter(f)) for f in filters]
        occurs += list(extra)
        if not any(o == Occur.Must for o, _ in occurs):
            occurs.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(occurs)

    def _soft_topic(self, parsed: ParsedQuery) -> str | None:
        """The topic of a question-like query: the classifier's, else a phrase it contains."""
        if not parsed.question:
            return None
        slug = None
        try:
            model = self.classifier()
            version = str(getattr(model, "version", "")) if model is not None else ""
        except PartyBotError as exc:
            log.warning("search: no classifier for soft topics: %s", exc)
            model, version = None, ""
        key = f"{version}\n{parsed.text}"  # a newly activated model answers afresh
        with self._soft_lock:
            if key in self._soft_cache:
                return self._soft_cache[key]
        if model is not None:
            try:
                probs = model.predict_proba([parsed.text])[0]
            except Exception as exc:  # a model bug must not break search
                log.warning("search: classifier failed on a query: %s", exc)
                probs = {}
            if probs:
                best, p = max(probs.items(), key=lambda kv: kv[1])
                slug = best if p >= SOFT_TOPIC_MIN else None
        slug = slug or parsed.topic_hint
        with self._soft_lock:  # the bot searches from several threads
            self._soft_cache[key] = slug
            while len(self._soft_cache) > 2000:
                self._soft_cache.popitem(last=False)
        return slug

    # --- running queries ------------------------------------------------------------------

    def _count(self, searcher: tantivy.Searcher, query: Query) -> int:
        """How many documents match: the one hit asked for is the newest, so tantivy scores
        nothing (20-32% less than a count beside the best-scored hit, for a topic's untagged
        matches at 100,000 documents). Never in two halves: see SPLIT_FROM_TERMS."""
        return int(searcher.search(query, limit=1, count=True, order_by_field="date").count or 0)

    def _ranked(
        self,
        searcher: tantivy.Searcher,
        query: Query,
        offset: int,
        limit: int,
        *,
        split: bool = False,
    ) -> tuple[list[tuple[float, Any]], int]:
        """A page by score, equal scores newest first; and the number of matches; ``split``:
        in two halves at once on a large index (a broad query's, see SPLIT_FROM_TERMS)."""
        # tantivy allocates its top-k for offset + limit up front: never let a caller's
        # numbers (a forged page button) decide that size.
        offset, limit = clamp(offset, 0, MAX_OFFSET), clamp(limit, 0, MAX_LIMIT)
        end = offset + limit
        # Hits past the page, so the newest-first tie-break sees the documents tied with the
        # page's last. Always: the count scores every match anyway, so a wider top-k costs
        # under 1% more, while a second search on a tie at the edge (53 of the bench's 197
        # searches at 100,000 documents) cost a whole search again.
        hits, total = self.halves.search(searcher, query, end + TIE_WINDOW, split=split)
        if not hits:
            return [], total
        dates = searcher.fast_field_values("published", [a for _, a in hits])
        order = sorted(range(len(hits)), key=lambda i: (-round(hits[i][0], 4), -(dates[i] or 0)))
        return [hits[i] for i in order][offset:end], total

    def _newest(
        self,
        searcher: tantivy.Searcher,
        query: Query,
        offset: int,
        limit: int,
        *,
        oldest: bool = False,
    ) -> tuple[list[tuple[float, Any]], int]:
        """A page newest first, or ``oldest`` first (scoring nothing: never worth two halves,
        see SPLIT_FROM_TERMS), and the number of matches."""
        offset, limit = clamp(offset, 0, MAX_OFFSET), clamp(limit, 0, MAX_LIMIT)
        if limit <= 0:
            return [], self._count(searcher, query)
        if oldest:
            return self._oldest(searcher, query, offset, limit)
        # By publication date: an undated document after the dated ones (tantivy puts a
        # missing value last), not first by the day it was ingested.
        result = searcher.search(
            query, limit=limit, offset=offset, count=True, order_by_field="published"
        )
        hits, total = [a for _, a in result.hits], int(result.count or 0)
        published = searcher.fast_field_values("published", hits) if hits else []
        if None in published or (not hits and offset < total):
            # Into the undated tail: the last ingested first (the highest ids), as `docs
            # list` has them; tantivy gave them oldest ingested first (a tester's new uploads
            # were at the end of the last page of /latest).
            dated = published.index(None) if None in published else 0
            if dated == 0:
                n_dated = self._count(
                    searcher, Query.boolean_query([(Occur.Must, query), (Occur.Must, _EVER)])
                )
            else:
                n_dated = offset + dated
            undated = Query.boolean_query([(Occur.Must, query), (Occur.MustNot, _EVER)])
            tail = searcher.search(
                undated,
                limit=limit - dated,
                offset=max(0, offset - n_dated),
                count=False,
                order_by_field="id",
            )
            hits = hits[:dated] + [a for _, a in tail.hits]
        return [(0.0, a) for a in hits], total

    def _oldest(
        self, searcher: tantivy.Searcher, query: Query, offset: int, limit: int
    ) -> tuple[list[tuple[float, Any]], int]:
        """A page oldest first: the dated documents by publication date, then the undated
        ones in the order they were ingested (a date unknown is no earliest date)."""
        dated = searcher.search(
            Query.boolean_query([(Occur.Must, query), (Occur.Must, _EVER)]),
            limit=limit,
            offset=offset,
            count=True,
            order_by_field="published",
            order=tantivy.Order.Asc,
        )
        hits, n_dated = [a for _, a in dated.hits], int(dated.count or 0)
        total = self._count(searcher, query)
        if len(hits) < limit and total > n_dated:
            undated = Query.boolean_query([(Occur.Must, query), (Occur.MustNot, _EVER)])
            tail = searcher.search(
                undated,
                limit=limit - len(hits),
                offset=max(0, offset - n_dated),
                count=False,
                order_by_field="id",
                order=tantivy.Order.Asc,
            )
            hits += [a for _, a in tail.hits]
        return [(0.0, a) for a in hits], total

    def _stored(self, searcher: tantivy.Searcher, address: Any) -> _Stored:
        doc_id, p = SearchIndex.payload(searcher, address)
        return _Stored(
            id=doc_id,
            external_id=p["e"],
            title=p["t"],
            text=p["x"],
            url=p.get("u"),
            source=p.get("s"),
            published_at=from_timestamp(p.get("p")),
            topics=list(p.get("tp") or []),
            content_hash=p.get("h") or "",
            codes=p.get("c") or [],
            sentences=p.get("ss"),
        )

    def _hits(
        self,
        searcher: tantivy.Searcher,
        scored: list[tuple[float, Any]],
        parsed: ParsedQuery | None,
        subject: ParsedQuery | None = None,
    ) -> list[Hit]:
        hits = []
        for score, address in scored:
            doc = self._stored(searcher, address)
            url = (doc.url or "").strip() or None
            hit = Hit(
                doc_id=doc.id,
                external_id=doc.external_id,
                title=doc.title,
                date=doc.published_at,
                url=url,
                topics=doc.topics,
                score=float(score),
                summarize=functools.partial(summarize, doc),
            )
            # Only a document found by the subject (below the citing tier) is shown by it: one
            # citing the code in its title alone keeps its summary's first sentence.
            about = subject if subject is not None and score < W_TIER else None
            hit.make_snippet = functools.partial(_snippet_of, doc=doc, parsed=parsed, subject=about)
            hits.append(hit)
        return hits

    # --- the contract ---------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        topic: str | None = None,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        source: str | None = None,
    ) -> SearchResults:
        """Ranked documents for ``query`` (see the module docstring for how)."""
        asked = {
            "limit": limit,
            "offset": offset,
            "topic": topic,
            "date_from": date_from,
            "date_to": date_to,
            "source": source,
        }
        results = self._guarded(self._search, query, **asked)
        if results.ignored and results.total and not any(q in query for q in QUOTE_CHARS):
            # A word no document has is left out, so the answer is the query's without it:
            # "qzxwv tham nhũng" listed 73 documents, "Bộ Tổng Tham mưu" among them, where
            # "tham nhũng" lists the topic's 29 (a tester's).
            gone = {fold_lower(w) for w in results.ignored}
            words = query.split()
            kept = [w for w in words if fold_lower(w.strip(".,;:!?()[]")) not in gone]
            if kept and len(kept) < len(words):
                again = self._guarded(self._search, " ".join(kept), **asked)
                if again.total:
                    again.query, again.ignored = results.query, results.ignored
                    # What the user typed, corrected, is still the suggestion to show.
                    again.suggestions = results.suggestions or again.suggestions
                    return again
        return results

    def by_topic(self, slug: str, limit: int = 10, offset: int = 0) -> SearchResults:
        """Documents tagged ``slug``, newest first."""
        return self._guarded(self._by_topic, slug, limit, offset)

    def latest(self, limit: int = 10, offset: int = 0) -> SearchResults:
        """All documents, newest first."""
        return self._guarded(self._latest, limit, offset)

    def straddling(self, phrase: str, text: str) -> bool:
        """Whether the two syllables ``phrase`` are, wherever ``text`` has them side by side,
        each the half of a likelier word with its other neighbour ("luật khai" in "kỷ luật
        khai trừ", "để xảy" in "để xảy ra"), or the one syllable ``phrase`` is mostly half of
        a word beside it ("lối" of "đường lối"): by how many documents have each pair."""
        words = phrase.split()
        if not 1 <= len(words) <= 2:
            return False
        syllables = [fold_lower(t.text) for t in tokenize(text)]
        searcher = self._guarded(self.index.searcher)
        single = functools.lru_cache(maxsize=None)(
            lambda x: searcher.doc_freq("text_f", x) if x else 0
        )

        def together(x: str, y: str) -> float:
            """How much two syllables are one word (Dice on documents): a pair with a syllable
            found everywhere ("đốn Đảng") is less of a word than one of rarer syllables
            ("chỉnh đốn") that the documents write as often (a tester's tie in a small
            corpus)."""
            if not x or not y:
                return 0.0
            both = searcher.doc_freq("pairs", f"{x}_{y}")
            return 2 * both / (single(x) + single(y)) if both else 0.0

        if len(words) == 1:
            # One syllable that is mostly half of a word beside it here ("lối" of "đường
            # lối", "bạc" of "đánh bạc", a tester's): no term a reader would give.
            (a,) = (fold_lower(w) for w in words)
            seen = False
            for i, x in enumerate(syllables):
                if x != a:
                    continue
                seen = True
                # Beside a function word it is still a word ("ở xã" is no word "ở xã").
                before = syllables[i - 1] if i else ""
                after = syllables[i + 1] if i + 1 < len(syllables) else ""
                bound = max(
                    searcher.doc_freq("pairs", f"{before}_{a}")
                    if before and not is_stopword(before)
                    else 0,
                    searcher.doc_freq("pairs", f"{a}_{after}")
                    if after and not is_stopword(after)
                    else 0,
                )
                if bound * 2 < single(a):
                    return False  # here it is a word of its own
            return seen
        a, b = (fold_lower(w) for w in words)
        seen = False
        for i, (x, y) in enumerate(itertools.pairwise(syllables)):
            if (x, y) != (a, b):
                continue
            seen, own = True, together(a, b)
            before = together(syllables[i - 1], a) if i else 0.0
            after = together(b, syllables[i + 2]) if i + 2 < len(syllables) else 0.0
            if max(before, after) <= own:
                return False  # here it is the likelier word
        return seen

    def related(self, doc_id: int, k: int = 3) -> list[Hit]:
        """The ``k`` documents most similar to ``doc_id`` (shared words, codes and topics)."""
        return self._guarded(self._related, doc_id, k)

    def _guarded(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a read after catching up; rebuild once when tantivy finds damaged files."""
        self._maybe_sync()
        try:
            return fn(*args, **kwargs)
        except (OSError, ValueError) as exc:
            if not _looks_damaged(exc) or time.monotonic() - self._last_repair < REPAIR_INTERVAL:
                raise
            self._last_repair = time.monotonic()
            log.error("search index unreadable (%s); rebuilding it from the database", exc)
            self.index.rebuild(wipe=True)
            try:
                return fn(*args, **kwargs)
            except (OSError, ValueError) as again:
                raise SearchError(f"search index failed: {again}") from again
        except BaseException as exc:
            # A panic in tantivy is a BaseException (pyo3's PanicException): past every
            # handler, it ended the bot (a tester's +"Huế"). One query's failure instead.
            if type(exc).__name__ != "PanicException":
                raise
            log.error("search index panicked (%s)", exc, exc_info=exc)
            raise SearchError("the search failed on this query (an internal error)") from exc

    def _search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        topic: str | None = None,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        source: str | None = None,
        read_codes: bool = True,
    ) -> SearchResults:
        """search() without the catch-up and repair around it; ``read_codes=False`` searches
        document codes as the words they are written with."""
        limit, offset = clamp(int(limit), 0, MAX_LIMIT), clamp(int(offset), 0, MAX_OFFSET)
        asked: dict[str, Any] = dict(limit=limit, offset=offset, topic=topic, source=source)
        asked.update(date_from=date_from, date_to=date_to)  # as given, before the query's own
        searcher = self.index.searcher()
        parsed = parse_query(
            query,
            self.taxonomy,
            read_codes=read_codes,
            is_word=lambda a, b: searcher.doc_freq("pairs", f"{a}_{b}") > 0,
        )
        if (
            parsed.named_year
            and not (date_from or date_to)
            and self._year_in_name(searcher, parsed)
        ):
            # Its year is part of the name typed, not a period: "Quy định 37-QĐ/TW năm 2021"
            # as a period left out the 2024 article citing it, and "Báo cáo tổng kết công tác
            # xây dựng Đảng năm 2024" hid that undated report (testers').
            parsed = replace(
                parsed,
                date_from=None,
                date_to=None,
                date_text=None,
                year_terms=[],
                named_year=None,
                report_days=0,
            )
        results = SearchResults(
            query=query, hits=[], total=0, offset=offset, limit=limit, codes=parsed.code_keys
        )
        results.date_widened = parsed.date_widened
        results.kind_mismatch = list(parsed.kind_mismatch)
        results.contradicted = parsed.contradicted
        results.excluded = list(dict.fromkeys(parsed.excluded_text))
        explicit_dates = date_from is not None or date_to is not None
        if not explicit_dates:
            date_from, date_to = parsed.date_from, parsed.date_to
            # The answer says how it read the date; not for a term ("nhiệm kỳ 2025"), whose
            # documents may be from any year that names it.
            if parsed.date_text and (date_from or date_to) and not parsed.term_year:
                results.period = (date_from, date_to)
            if date_to is not None and parsed.report_days:
                # Its reports, published in the weeks after it, count: the answer says so.
                date_to += timedelta(days=parsed.report_days)
                results.period_reports = parsed.report_days
        # Excluded words and phrases hold for every way the query is answered: a date alone,
        # a topic's listing, each attempt.
        excluding = _excluding(
            parsed, lambda keys: self._citing(keys, parsed.text)[0], self._spellings
        )
        # A year with other words may also be named in the text (not for a listing of it).
        # Not with "chỉ … thôi", which asks for that year's own articles alone.
        named_year = (
            parsed.named_year
            if parsed.has_content and not explicit_dates and not parsed.period_only
            else None
        )
        if results.period is not None and named_year is not None:
            results.period_named = named_year
        filters = (
            self._filters(topic, date_from, date_to, source, named_year, parsed.term_year)
            + excluding
        )

        # Without its date, when a dated topic listing finds nothing.
        undated = (
            self._filters(None, None, None, source) + excluding
            if parsed.date_text and not explicit_dates
            else None
        )
        results.newest, results.oldest = parsed.newest, parsed.oldest
        by_date = parsed.newest or parsed.oldest
        if parsed.topic and not topic and by_date:
            # "tin mới nhất về kết nạp đảng viên": the topic's documents by date, as /topic.
            results.topic = parsed.topic
            content = [t.folded for t in parsed.terms if not t.stop]
            said = _phrase_said(content)
            # The topic's documents, and those outside it that say its phrase, as its
            # listing has them (a tester's newest "kết nạp đảng viên" were untagged).
            ways = [_term("topics", parsed.topic)] + ([_all(said)] if said else [])
            listed = self._combine(_filter(_should(ways)), filters)
            page, results.total = self._newest(
                searcher, listed, offset, limit, oldest=parsed.oldest
            )
            results.tagged = self._count(searcher, self._combine(ways[0], filters))
            results.hits = self._hits(searcher, page, parsed)
            return results
        if parsed.topic and not topic:
            answer = self._topic_answer(searcher, parsed, filters, undated, results)
            if (
                parsed.excludes
                and not parsed.required_phrases
                and answer.total
                and answer.note != "date_relaxed"
            ):
                # How many the excluded words took away, as a search says it (a tester's).
                kept = filters[: len(filters) - len(excluding)]
                every = SearchResults(query=query, hits=[], total=0, offset=0, limit=0)
                every.topic = answer.topic
                self._topic_search(searcher, parsed, kept, every)
                answer.excluded_hits = max(0, every.total - answer.total) or None
            spelled = topic_spelling(parsed, self.taxonomy)
            if spelled is not None and answer.total:
                # "tham nhủng" lists the topic of "tham nhũng": the answer says it read so.
                answer.note = answer.note or "typo"
                answer.suggestions.insert(0, spelled)
            return answer

        if not parsed.has_content:
            if parsed.date_text or explicit_dates or topic or source or by_date:
                # Only a date (or filters): the newest documents in range (or the oldest).
                query_all = self._combine(None, filters)
                scored, results.total = self._newest(
                    searcher, query_all, offset, limit, oldest=parsed.oldest
                )
                recent = date_to is None or date_to >= datetime.now(UTC).replace(tzinfo=None)
                if not results.total and undated is not None and recent and not (topic or source):
                    # Nothing new in the period asked, up to now ("tuần này có gì mới
                    # không"): the newest documents, as the answer says, rather than a dead
                    # end (a tester's). A past period with nothing stays empty.
                    results.note = "period_empty"
                    every = self._combine(None, undated)
                    scored, results.total = self._newest(searcher, every, offset, limit)
                results.hits = self._hits(searcher, scored, None)
                return results
            if not parsed.contradicted:  # else nothing is left because of what it excludes
                results.note = "stopwords" if parsed.terms else "no_terms"
            return results

        soft = self._soft_topic(parsed)
        results.soft_topic = soft
        # Among the query's optional clauses (see _keywords' ``topic_boost``).
        topic_boost = [Query.const_score_query(_term("topics", soft), W_SOFT_TOPIC)] if soft else []
        dated = bool(parsed.date_text) and not explicit_dates
        if dated and parsed.question and results.period is not None and not parsed.period_only:
            # A question's period ranks, it does not filter: "năm nay chi bộ có 2 quần
            # chúng…, có kết nạp được không?" tells the asker's situation, and as a filter
            # left one article of 2026 on something else (a tester's); any one word of a
            # question in the period counts as found, so the answer never fell back.
            results.period_first = True
            results.period_named = None  # ranked by its date alone, so labelled by none
            dated = False
            filters = self._filters(topic, None, None, source) + excluding
            topic_boost.append(
                Query.const_score_query(_between("published", *results.period), W_IN_PERIOD)
            )
        else:
            topic_boost += self._in_period(results)

        # Attempts, each needing fewer syllables: all of them (a long query: all, then half),
        # one missing, any one; then without a date the query set.
        n_terms = len({t.folded for t in parsed.content_terms})
        attempts: list[tuple[dict[str, Any], list[Query], str | None]] = []
        if required(n_terms) < n_terms and not parsed.question:
            # A long query tries all its syllables first (an intersection, the cheapest query
            # tantivy runs); only when that finds few documents does half of them do.
            attempts.append(({"slack": 0}, filters, None))
        if parsed.question and required(n_terms) < n_terms:
            # A long question needs any one of its words: ranked the same as with half of
            # them (on all four judged sets, every question's nDCG@10 unchanged), and a union
            # is what tantivy runs fastest, where "k of n" took it 3 to 6 times longer (p95
            # 57 against 17 ms at 100,000 documents). The answer says how many have every
            # word.
            attempts.append(({"slack": n_terms - 1}, filters, None))
        else:
            attempts.append(({}, filters, None))
        if dated:
            # Nothing in the period with every word ("kỷ luật đảng viên năm ngoái"): every
            # word at any time, as the answer says, before fewer words in the period, which
            # listed a conscription story for "luật" and "đảng viên" (a tester's). Right after
            # the first attempt: a long query's half of its words in the period answered
            # "kê khai tài sản thu nhập năm ngoái" with a congress's "thu nhập bình quân"
            # and a conscription story (a tester's). A question needs any one word anyway.
            # Not the year as one more word: required with the others, it kept only the
            # articles naming it ("kỷ luật 2026" found one of 2022; a tester's).
            attempts.insert(
                1,
                (
                    dict(attempts[0][0]),
                    self._filters(topic, None, None, source) + excluding,
                    "date_relaxed",
                ),
            )
        if n_terms > 2:
            attempts.append(({"slack": 1}, filters, "relaxed"))
        words = self._two_words(searcher, parsed) if not soft else None
        if words:
            # Two words that few documents have both of ("kiểm điểm xếp loại" from 2024: 7,
            # without the one on "kiểm điểm cuối năm"): then either word. No query of the
            # judged sets moved.
            attempts.append(({"slack": 2, "either_word": words}, filters, "relaxed"))
        if 1 < n_terms <= 3 or (n_terms > 1 and soft):
            # Longer keyword queries stop at one missing syllable: "any of them" is mostly noise
            # there ("thời tiết hôm nay" would list everything that says "nay"); a question has
            # its topic to rank by, so it may still fall back to any word.
            attempts.append(({"slack": n_terms}, filters, "any_terms"))
        if dated:
            relaxed = self._filters(topic, None, None, source) + excluding
            attempts.append(
                ({"slack": n_terms, "extra_terms": parsed.year_terms}, relaxed, "date_relaxed")
            )

        # Syllables that can be required: all content words at first, then those the first
        # attempt could search ("chống fake news trên mạng xã hội" has four once "fake" and
        # "news", which no document has, are left out, so "one missing" means one of those).
        known = n_terms

        def need(options: dict[str, Any]) -> int:
            slack = options.get("slack")
            return required(known) if slack is None else max(1, known - slack)

        built = _Built(None)
        first: _Found | None = None  # the first attempt that found documents
        found: _Found | None = None  # the last one (the answer)
        last_need = n_terms + 1
        # Narrowed by a place or subject (+"…"): the documents with every word are the
        # answer, however few; loosened, a budget story matched "TP.HCM" and "chi" for
        # "sinh hoạt chi bộ +"TP.HCM"" beside the three on it (a tester's), and never to any
        # one word ("kết nạp +"Sài Gòn"" listed articles with neither).
        held = bool(parsed.required_phrases)
        for i, (options, active, note) in enumerate(attempts):
            if active is filters and need(options) >= last_need:
                continue  # no looser than an attempt that already found nothing
            if held and (
                note == "any_terms" or "either_word" in options or options.get("slack") == n_terms
            ):
                # Nor, out of the period, any one word: "kỷ luật đảng viên 2023 +"Hà Nội""
                # listed a market raid and a budget story as "results from any time" (a
                # tester's).
                continue
            if note == "date_relaxed" and first is not None:
                continue  # the period has documents with these words: they are the answer
            last_need = need(options) if active is filters else last_need
            built = self._keywords(searcher, parsed, **options, topic_boost=topic_boost)
            if i == 0 and built.unknown and built.clauses < 2 and not parsed.codes:
                # The words no document has leave one syllable or none ("giá xăng hôm nay",
                # "World Cup 2026"): that alone, or the year alone, is no answer to it (pages
                # of "giá" and of 2026, a tester's). Nothing found, and the answer says which
                # words no document has.
                break
            if active is filters and built.clauses and i == 0:
                known = min(known, built.clauses)
                last_need = min(last_need, need(options))
            fixed = self._names_topic(parsed, built) if i == 0 and not topic else None
            if fixed is not None:
                # Typed right, the query names a topic ("sinh hot chi bộ"): answered as that
                # query is, since the answer says it searched for it.
                results.suggestions.append(fixed.raw)
                self._topic_answer(searcher, fixed, filters, undated, results)
                results.note = results.note or "typo"
                return results
            named = self._names_document(parsed, built) if i == 0 else None
            if named is not None:
                # Typed right, the query names a document ("Nghị quyếết 25" is Nghị quyết
                # 25): answered as that query is, since the answer says it searched for it.
                answer = self._search(named, **asked)
                answer.query = query
                # Only this suggestion: the retry's own would correct what is left of it.
                answer.suggestions = [named]
                answer.note = answer.note or "typo"
                return answer
            if built.query is None:
                continue
            broad = parsed.question or len(parsed.content_terms) >= SPLIT_FROM_TERMS
            scored, total = self._ranked(
                searcher, self._combine(built.query, active), offset, limit, split=broad
            )
            exact_phrases = total if parsed.phrases else 0
            if parsed.phrases and total < PHRASE_ENOUGH:
                # Few documents hold the phrase as typed: they come first, then documents
                # with its words in another order or with more words between.
                built = self._keywords(
                    searcher, parsed, **options, loose_phrases=True, topic_boost=topic_boost
                )
                if built.query is not None:
                    scored, total = self._ranked(
                        searcher, self._combine(built.query, active), offset, limit
                    )
                    # The tier is every document with the phrase, whatever else it has: "the
                    # first 3 have the phrase" stood above a seventh that had it too.
                    said = [phrase_as_typed(phrase) for phrase in parsed.phrases]
                    exact_phrases = self._count(searcher, self._combine(_should(said), active))
            if not total:
                continue
            found = _Found(scored, total, built, note, exact_phrases, active)
            first = first or found
            # Few documents have every syllable: a looser attempt (still needing two) ranks
            # them first, matching more of the query, and the others after them.
            looser = any(
                a is filters and 2 <= need(o) < need(options) for o, a, _ in attempts[i + 1 :]
            )
            if total >= RELAX_BELOW or not looser or note == "date_relaxed" or held:
                break
        if not read_codes and first is not None and (first.note or first.built.unknown):
            return results  # a code searched as its words needs every one, its number too
        if by_date and first is not None and first.built.query is not None:
            # Asked for the newest: the documents that match well, by date. All the matches
            # by date put a conscription story's "kỷ luật quân đội" first for "bài mới nhất
            # về kỷ luật": those scoring at least half the best of the closest attempt's
            # first NEWEST_POOL.
            # A tier (the documents citing the code, or with the phrase) is kept whole and
            # stays first, newest first within it; the share is of the best below it ("Chỉ
            # thị 35 về đại hội mới nhất" kept the 2 citing articles of 71, a tester's).
            ranked = self._combine(first.built.query, first.filters)
            # By date, a name is its syllables side by side and a loosened query's documents
            # are those with every word, when there are any: "kết nạp đảng viên ở Hà Giang
            # cũ nhất" listed a Hà Nội article on a "giảng đường" (a tester's).
            wanted = [] if first.built.every_typed is None else [first.built.every_typed]
            if not all(t.capital for t in parsed.content_terms):
                wanted += [
                    _term("pairs", f"{a.folded}_{b.folded}")
                    for run in _capitalised_runs(parsed)
                    for a, b in itertools.pairwise(run)
                ]
            if wanted:
                whole = self._combine(_all([first.built.query, *wanted]), first.filters)
                if self._count(searcher, whole):
                    ranked = whole
            pool, _ = self._ranked(searcher, ranked, 0, NEWEST_POOL)
            tiered = [hit[0] >= W_TIER / 2 for hit in pool]
            below = [hit[0] for hit, up in zip(pool, tiered, strict=True) if not up]
            best = below[0] if below else 0.0
            if len(below) > 1 and below[0] > NEWEST_OUTLIER * below[1]:
                # One far ahead (a title typed whole, +W_TITLE_PHRASE) is no measure: it left
                # one article of 25 for "kỷ luật đảng viên mới nhất", and "cũ nhất" the same
                # one (a tester's).
                best = below[1]
            kept = [
                (hit, up)
                for hit, up in zip(pool, tiered, strict=True)
                if up or hit[0] >= NEWEST_SHARE * best
            ]
            dates = searcher.fast_field_values("published", [hit[1] for hit, _ in kept])
            if parsed.oldest:
                # The oldest first; an undated document after the dated ones.
                order = sorted(
                    range(len(kept)),
                    key=lambda i: (not kept[i][1], dates[i] is None, dates[i] or 0),
                )
            else:
                order = sorted(range(len(kept)), key=lambda i: (not kept[i][1], -(dates[i] or 0)))
            scored = [kept[i][0] for i in order][offset : offset + limit]
            if len(kept) < first.total:
                results.newest_of = first.total  # the answer says the weaker ones are out
            first = found = replace(first, scored=scored, total=len(kept))
        if first is not None and found is not None:
            built = found.built
            results.total = found.total
            if found is not first and first.total < found.total:
                # Loosened because few had every word: the answer says how few ("dân vận
                # khéo": 6 of 103), or the count reads as 103 documents on it. Counted anew
                # when accents tell a word apart: the first attempt matched it folded ("tham
                # nhũng ở TP HCM": 7 "with every word", six of them saying "những").
                results.complete = first.total
                if built.every_typed is not None and built.every_differs:
                    every = self._combine(built.every_typed, found.filters)
                    results.complete = self._count(searcher, every)
            elif built.every is not None and found is first and not found.note:
                # A long query needs only some of its words from the start: "145 documents"
                # for a twelve-word question read as 145 answers to it. The answer says how
                # many have every word (they come first, W_ALL_WORDS).
                every = self._count(searcher, self._combine(built.every_typed, found.filters))
                results.complete = every if every < found.total else None
            elif not parsed.phrases and not parsed.codes and built.pairs_found:
                results.together = self._together(searcher, parsed, found)
                searched = [
                    (built.corrections.get(t.exact, t.exact), t) for t in parsed.content_terms
                ]
                results.together_words = " ".join(
                    w[:1].upper() + w[1:] if t.capital else w for w, t in searched
                )
            results.central = built.central
            results.via = list(built.via)
            if (
                parsed.excludes
                and not parsed.required_phrases
                and found.filters is filters
                and built.query is not None
            ):
                # How many the excluded words took away ("kiểm soát quyền lực -tham nhũng"
                # lost every article on it, which the answer did not say; a tester's).
                kept = self._filters(
                    topic, date_from, date_to, source, named_year, parsed.term_year
                )
                every = self._count(searcher, self._combine(built.query, kept))
                results.excluded_hits = max(0, every - found.total) or None
            if found.note:  # loosened: a name asked for may be what no document has
                results.absent_names = self._absent_names(searcher, parsed, built)
            results.ignored = list(dict.fromkeys(built.unknown))[:MAX_IGNORED_SHOWN]
            subjects = tuple(doc.subject for doc in built.central)
            results.hits = self._hits(
                searcher,
                found.scored,
                _corrected(parsed, built),
                _subjects_query(subjects) if subjects else None,
            )
            if results.together and results.hits:
                results.apart_from = self._apart_from(searcher, parsed, found, results.hits)
            if built.central and built.citing:
                # (Newest first, the citing documents still come first, each part by date.)
                # Where the citing documents end (their tier's constant), so the answer can
                # say so: "Hội nghị Trung ương 4 khóa XIII", on the subject of a khóa XII
                # resolution, read as citing it. From the page's scores: no count to run.
                results.subject_from = next(
                    # Half the tier: a penalty (an untagged document's) may take a few off.
                    (i for i, hit in enumerate(results.hits) if hit.score < W_TIER / 2),
                    None,
                )
                if results.subject_from is not None and (offset == 0 or results.subject_from):
                    results.citing = offset + results.subject_from
                elif results.subject_from is None and results.total > len(results.hits):
                    # The page is all citing documents: how many there are, counted, or "62
                    # results" read as 62 citing "08-QĐi/TW" where 6 did (a tester's).
                    cites = self._combine(_should(built.citing), found.filters)
                    results.citing = self._count(searcher, cites)

            # The note is about the first attempt that found anything: no note when some
            # documents have every word.
            note = first.note
            results.note = note or ("typo" if built.corrections else None)
            if (
                not results.note
                # The header says no document has every word as typed ("bầu cử ĐBQH": "cụ"
                # and "cứ" are no "cử"): no note that these have every word (a tester's).
                and results.complete != 0
                # "Sài Gòn" is found by its synonyms ("TP.HCM"), not by its syllables apart.
                and not all(t.exact in built.expression for t in parsed.content_terms)
                and built.pairs_asked
                and (not built.pairs_found or _typed_apart(searcher, parsed, built))
                and not parsed.phrases
                and not parsed.codes
            ):
                # "bầu cử": every word, never side by side. Unless a word typed with accents
                # is in no document so ("Đắc Lắc" finds "đặc" and "lạc"): they do not have the
                # words, only their letters.
                missing = any(
                    t.accented and not searcher.doc_freq("text_x", t.exact)
                    for t in parsed.content_terms
                    if t.exact not in built.corrections and t.exact not in built.expression
                )
                results.note = "relaxed" if missing else "words_apart"
            content = parsed.content_terms
            if (
                results.note in ("relaxed", "words_apart")
                and 2 <= len(content) == len(parsed.terms) <= 4
                and all(t.capital for t in content)
                and not built.corrections
            ):
                # A name alone that no document says ("Cà Mau", "Nguyễn Văn An"): its syllables
                # apart ("cà", "mau") are no answer (ten unrelated articles, a tester's).
                results.absent_names = [" ".join(parsed.text.split())]
                results.hits, results.total, results.note = [], 0, None
                return results
            if (
                not results.note
                and built.citing
                and not built.central
                and not any(self._count(searcher, q) for q in built.citing)
            ):
                # "Quy định 999-QĐ/TW về kết nạp": found by its other words alone.
                results.note = "code_uncited"
            if parsed.phrases and not note and not found.exact_phrases:
                results.note = "phrase_relaxed"  # no document has the phrase as typed
            elif parsed.phrases and not results.note and found.exact_phrases < found.total:
                # Some have it, and the rest only its words: the answer says where the
                # phrase ends ("cào bằng": one article, then "bằng" and "cao" elsewhere).
                results.note, results.phrase_hits = "phrase_partial", found.exact_phrases
        corrected = _suggestion(parsed, built, self._accents_filled(searcher, parsed, built))
        if corrected:
            results.suggestions.append(corrected)
        if built.replaced and results.hits:
            results.as_typed = _quoted(parsed.text, built.replaced)
        if first is None and built.unknown:
            # Nothing found: the words no document has are part of why ("corruption").
            results.ignored = list(dict.fromkeys(built.unknown))[:MAX_IGNORED_SHOWN]
        narrowed = parsed.excludes or parsed.required_phrases
        if not results.total and parsed.codes and narrowed and built.citing:
            cited = self._count(searcher, _should(built.citing))
            if cited:
                # "37-QĐ/TW -đảng", "21-KL/TW +"Hà Nội"": the words left out, or required,
                # took every article citing it; "no document cites the code" was wrong
                # (testers'). The answer says what the words left out took.
                results.excluded_hits = cited if parsed.excludes else None
                return results
        if not results.total and parsed.codes:
            # No document cites the code (an "Đề án 05" nobody catalogued or numbers the way
            # the index reads): the words it is written with may still be in a document
            # ("Đề án Trung ương 05"); the answer says no document cites it.
            words = self._search(query, **asked, read_codes=False)
            if words.total:
                words.codes, words.note = results.codes, "code_uncited"
                return words
            results.note = results.note or "code_uncited"  # why nothing was found
        if not results.hits and parsed.phrases:
            # A quoted phrase found nowhere: the same words without quotes, if they match.
            loose = " ".join(
                [" ".join(t.exact for t in p) for p in parsed.phrases]
                + [t.exact for t in parsed.terms]
            )
            retry = self._keywords(searcher, parse_query(loose, self.taxonomy))
            if retry.match is not None and self._count(
                searcher, self._combine(retry.match, filters)
            ):
                results.suggestions.append(loose)
        if built.unknown and all(w.isascii() for w in built.unknown):
            # Typed in English, which the interface speaks and the documents do not ("fake
            # news on social media" found nothing; "Resolution 21" found Kết luận 21 by its
            # number: testers'): its terms in Vietnamese, when it reads at least half of it.
            reading = english_reading(query)
            if reading is not None:
                vietnamese = reading.vietnamese
                answer = self._search(vietnamese, **asked)
                if answer.total:
                    answer.query, answer.suggestions = query, [vietnamese]
                    # The English words it could not read: not "no document has", which
                    # a tester read as wrong (the documents say "quản lý", not "management").
                    answer.unread = reading.unknown[:MAX_IGNORED_SHOWN]
                    answer.english_relaxed = answer.note in ("relaxed", "any_terms")
                    answer.translated = True
                    # "discipline last week", found at any time: that note matters more.
                    answer.note = (
                        answer.note
                        if answer.note in ("date_relaxed", "period_empty")
                        else "english"
                    )
                    return answer
        # English words in a Vietnamese query ("cho em hỏi về anti-corruption ở cơ sở"): their
        # Vietnamese, in their place (left out as words no document has, the answer was about
        # "cơ sở" alone: a tester's). Not English either: "tham nhũngggg", "thamnhung", whose
        # letters spell words the documents have (nothing was found, a tester's).
        readings: list[Callable[[], dict[str, str]]] = [
            lambda: _english_within(parsed.text, built.unknown, len(parsed.content_terms)),
            lambda: {w: r for w in built.unknown if (r := _respelled(searcher, w)) is not None},
        ]
        for reading in readings if built.unknown else []:
            answer = self._searched_instead(query, parsed, reading(), asked, read_codes)
            if answer is not None:
                return answer
        return results

    def _searched_instead(
        self,
        query: str,
        parsed: ParsedQuery,
        instead: dict[str, str],
        asked: dict[str, Any],
        read_codes: bool,
    ) -> SearchResults | None:
        """The query with these words read as their values, if that finds documents; the
        answer says what was searched instead of each (``via``)."""
        spaced = parsed.text
        for word, reading in instead.items():
            spaced = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", reading, spaced, flags=re.I)
        if spaced == parsed.text:
            # Nothing to replace (a word the parser expanded from a shorthand): searched
            # again, it would be searched again and again.
            return None
        answer = self._search(spaced, **asked, read_codes=read_codes)
        if not answer.total:
            return None
        answer.query = query
        answer.via = [(word, [reading]) for word, reading in instead.items()] + answer.via
        return answer

    def _together(
        self, searcher: tantivy.Searcher, parsed: ParsedQuery, found: _Found
    ) -> int | None:
        """Of a query's documents, how many have its two or three syllables side by side,
        when some have them only apart ("Xuân Phương": 9 of 15, the others "Xuân Quang",
        "địa phương"; "bão số 3": 2 of 41, the others "báo cáo … số … 3"); None when all
        may. Counted only when fewer documents anywhere have a pair than were found, so
        most queries pay nothing."""
        content = parsed.content_terms
        if not 2 <= len(content) <= 3 or len(parsed.terms) != len(content):
            return None  # no function word between: "side by side" is what was typed
        if found.built.match is None:
            return None
        fixed = found.built.folded_corrections
        words = [fixed.get(t.folded, t.folded) for t in content]
        pairs = [f"{a}_{b}" for a, b in itertools.pairwise(words)]
        dfs = [searcher.doc_freq("pairs", pair) for pair in pairs]
        if not all(dfs) or min(dfs) >= found.total:
            return None
        if _typed_apart(searcher, parsed, found.built):
            # Typed with accents that no document writes side by side: "Chỉ 1 tài liệu có
            # «ô dù» liền nhau" was said of one with "ở dự án" (a tester's).
            return None
        if len(pairs) == 1 and not found.filters:
            # A document with the pair has both syllables, so it was found: no query needed.
            return dfs[0]
        if min(dfs) > TOGETHER_COUNT_MAX:
            return None  # a long list to intersect for a note: not worth the time
        together = _all([found.built.match, *(_term("pairs", pair) for pair in pairs)])
        n = self._count(searcher, self._combine(together, found.filters))
        return n if n < found.total else None

    def _apart_from(
        self, searcher: tantivy.Searcher, parsed: ParsedQuery, found: _Found, hits: list[Hit]
    ) -> int | None:
        """Where the page's hits with the query's syllables side by side end and those with
        them apart begin, when the page splits cleanly so (the first ones together, the rest
        apart); else None. One query over the page's documents."""
        fixed = found.built.folded_corrections
        words = [fixed.get(t.folded, t.folded) for t in parsed.content_terms]
        pairs = [_term("pairs", f"{a}_{b}") for a, b in itertools.pairwise(words)]
        ids = [Query.term_query(SCHEMA, "id", hit.doc_id) for hit in hits]
        together = searcher.search(_all([*pairs, _should(ids)]), len(hits))
        said = {self._stored(searcher, address).id for _, address in together.hits}
        flags = [hit.doc_id in said for hit in hits]
        split = flags.index(False) if False in flags else len(flags)
        if any(flags[split:]) or split == len(flags):
            return None  # interleaved, or all together: no line to draw
        return split if split > 0 else None

    def _accents_filled(
        self, searcher: tantivy.Searcher, parsed: ParsedQuery, built: _Built
    ) -> dict[str, str]:
        """For a query with corrections that has accents on some words and none on others
        ("kỷ luậtt đảng vien tham nhũn"), each unaccented word's accented form forming the
        commonest pair with a neighbour: "Đã tìm theo: kỷ luật đảng vien tham nhũng" read as
        half corrected (a tester's)."""
        if not built.corrections or not any(t.accented for t in parsed.content_terms):
            return {}
        fixed = [built.corrections.get(t.exact, t.exact) for t in parsed.terms]
        filled: dict[str, str] = {}
        for i, term in enumerate(parsed.terms):
            if term.accented or term.exact in built.corrections or not term.folded.isalpha():
                continue
            neighbours = (fixed[max(0, i - 1) : i], fixed[i + 1 : i + 2])
            together, form = self._best_form(searcher, term.folded, term.exact, neighbours)
            if together and form != term.exact:
                filled[term.exact] = form
        return filled

    def _names_topic(self, parsed: ParsedQuery, built: _Built) -> ParsedQuery | None:
        """The query with its typos corrected, when that names a topic and the query as typed
        is a plain keyword query (no question, phrase, code or excluded word)."""
        if parsed.question or parsed.phrases or parsed.codes or parsed.excludes:
            return None
        corrected = _suggestion(parsed, built)
        if not corrected or not may_name_topic(corrected, self.taxonomy):
            return None
        fixed = parse_query(corrected, self.taxonomy)
        return fixed if fixed.topic else None

    def _names_document(self, parsed: ParsedQuery, built: _Built) -> str | None:
        """The query with its typos corrected, when that names a document and the query as
        typed names none (a typo in "Nghị quyết 25" leaves a number and loose words)."""
        if parsed.codes or parsed.phrases or parsed.excludes:
            return None
        corrected = _suggestion(parsed, built)
        if not corrected or not any(c.isdecimal() for c in corrected):
            return None  # a document is named by its number
        named = parse_query(corrected, self.taxonomy)
        if not named.codes:
            return None
        if (named.date_from, named.date_to) != (parsed.date_from, parsed.date_to):
            # The corrected words read the query's own date otherwise ("Nghị quyếết 25 năm
            # 2018"): better the query as typed.
            return None
        return corrected

    def _topic_answer(
        self,
        searcher: tantivy.Searcher,
        parsed: ParsedQuery,
        filters: list[Query],
        undated: list[Query] | None,
        results: SearchResults,
    ) -> SearchResults:
        """A query naming a topic: its listing, without the date when that finds nothing."""
        results.topic = parsed.topic
        self._topic_search(searcher, parsed, filters, results)
        if not results.total and undated is not None:
            self._topic_search(searcher, parsed, undated, results)
            if results.total:  # else there is nothing to say "from any time" about
                results.note = "date_relaxed"
        return results

    def _topic_search(
        self,
        searcher: tantivy.Searcher,
        parsed: ParsedQuery,
        filters: list[Query],
        results: SearchResults,
    ) -> None:
        """The topic's documents with the query's words, best match first; its other
        documents, newest first; then documents with the words outside the topic, by score.

        A cadre who types the topic's words wants the documents saying them first (a
        document the model tagged without them, newest, led the listing before); browsing a
        topic newest first is what /topic does.
        """
        assert results.topic is not None
        built = self._keywords(searcher, parsed)
        topic = _term("topics", results.topic)
        if built.query is None or built.match is None:
            page, results.total = self._newest(
                searcher, self._combine(topic, filters), results.offset, results.limit
            )
            results.tagged = results.total
            results.hits = self._hits(searcher, page, parsed)
            return
        in_topic, not_in_topic = [(Occur.Must, topic)], [(Occur.MustNot, topic)]
        offset, limit = results.offset, results.limit
        fixed = built.folded_corrections
        content = [fixed.get(t.folded, t.folded) for t in parsed.terms if not t.stop]
        # Within the topic, ranked by the phrase (its pairs) and the title: the full keyword
        # query's accent and syllable scoring over every tagged document cost a third more
        # (1.44 against 1.05 ms for "công tác cán bộ" at 100,000 documents).
        ranking = [_term("pairs", f"{a}_{b}") for a, b in itertools.pairwise(content)]
        ranking += [_boost(_term("title_f", w), W_TITLE) for w in content]
        # A topic's listing for a year: the year's own first, then later ones naming it
        # ("kết nạp đảng viên 2022" led with two of 2024).
        ranking += self._in_period(results, W_TIER)
        by_phrase = Query.boolean_query(
            [(Occur.Must, _filter(built.match))] + [(Occur.Should, q) for q in ranking]
        )
        page, n_words = self._ranked(
            searcher, self._combine(by_phrase, filters, in_topic), offset, limit
        )
        n_topic = self._count(searcher, self._combine(topic, filters))  # a short list, no scoring
        n_rest = n_topic - n_words  # the topic's documents without the words
        skip, want = max(0, offset - n_words), limit - len(page)
        if want > 0 and skip < n_rest:
            without = self._combine(topic, filters, [(Occur.MustNot, built.match)])
            got, _ = self._newest(searcher, without, skip, want)
            page, want = page + got, want - len(got)
        skip = max(0, skip - n_rest)
        # Outside the topic, a document must say its phrase, not only its words: "tham nhũng"
        # is no article with "tham gia" and "những" (the model tags those that say it). A
        # topic phrase is two-syllable words ("kết nạp | đảng viên", "tổ chức | cơ sở |
        # đảng"): each word's pair, and a last syllable alone; "nạp đảng" crosses words, and
        # "kết nạp được 90 đảng viên" says the phrase.
        said = _phrase_said(content)
        outside = not_in_topic + [(Occur.Must, q) for q in said]
        if want > 0:
            got, n_outside = self._ranked(
                searcher, self._combine(built.query, filters, outside), skip, want
            )
            page += got
        elif said:  # the words' pairs imply the match, and count faster than it
            n_outside = self._count(searcher, self._combine(_all(said), filters, not_in_topic))
        else:
            # Counting every match and taking the topic's is cheaper than counting the
            # matches outside it (a list of words and a negation).
            n_outside = self._count(searcher, self._combine(built.match, filters)) - n_words
        results.total, results.tagged = n_topic + n_outside, n_topic
        results.hits = self._hits(searcher, page, parsed)

    def _by_topic(self, slug: str, limit: int = 10, offset: int = 0) -> SearchResults:
        """by_topic() without the catch-up and repair around it."""
        searcher = self.index.searcher()
        scored, total = self._newest(
            searcher, self._combine(_term("topics", slug), []), max(0, offset), max(0, limit)
        )
        return SearchResults(
            query="",
            hits=self._hits(searcher, scored, None),
            total=total,
            offset=offset,
            limit=limit,
            topic=slug,
        )

    def _latest(self, limit: int = 10, offset: int = 0) -> SearchResults:
        """latest() without the catch-up and repair around it."""
        searcher = self.index.searcher()
        scored, total = self._newest(searcher, Query.all_query(), max(0, offset), max(0, limit))
        return SearchResults(
            query="",
            hits=self._hits(searcher, scored, None),
            total=total,
            offset=offset,
            limit=limit,
        )

    def _related(self, doc_id: int, k: int = 3) -> list[Hit]:
        """related() without the catch-up and repair around it."""
        from bot.corpus.text import fold_lower
        from bot.search.query import code_terms

        searcher = self.index.searcher()
        found = searcher.search(Query.term_query(SCHEMA, "id", int(doc_id)), limit=1)
        if not found.hits:
            return []
        doc = self._stored(searcher, found.hits[0][1])
        body = fold_lower(f"{doc.title}\n{doc.text}")[:20_000]
        like = Query.more_like_this_document_fields_query(
            SCHEMA,
            {"text_f": [body]},
            min_doc_frequency=2,
            max_doc_frequency=max(2, searcher.num_docs // 4),
            min_term_frequency=1,
            max_query_terms=30,
            min_word_length=2,
            boost_factor=1.0,
            stop_words=sorted(_FOLDED_STOPWORDS),
        )
        occurs: list[tuple[Occur, Query]] = [(Occur.Should, like)]
        occurs += [
            (Occur.Should, _boost(_term("codes", c), 2.0))
            for c in set(code_terms(doc.title + "\n" + doc.text))
            if not c.endswith("/*")
        ]
        occurs += [
            (Occur.Should, Query.const_score_query(_term("topics", t), W_SOFT_TOPIC))
            for t in doc.topics[:2]
        ]
        if doc.topics:
            # Party work is related to Party work: an article on asset declarations in
            # TP.HCM listed the city's bus crash and market raid, which share its place names.
            occurs.append((Occur.Should, _word_bonus(searcher, "untagged", "y", -W_UNTAGGED)))
        occurs.append((Occur.MustNot, Query.term_query(SCHEMA, "id", int(doc_id))))
        scored, _ = self._ranked(searcher, Query.boolean_query(occurs), 0, k)
        return self._hits(searcher, scored, None)
