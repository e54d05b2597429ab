"""Summaries and query-focused snippets, extractive and plain text (no ``telegram``).

* :func:`summarize` — the article's lead (its first 2–3 sentences) when it has a real one,
  otherwise TextRank over the body's sentences. Cached in memory per content hash.
* :func:`snippet` — the sentence(s) that best match a query, cut at word boundaries, with the
  matched words as spans. Matching runs on :func:`bot.text.fold_lower`, which keeps one character
  per character, so offsets found in folded text are offsets in the original.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import math
import operator
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from bot.corpus.text import DocCode, find_doc_codes, fold_lower, normalize, split_sentences
from bot.search.api import Snippet, Span
from bot.search.query import STOPWORDS, ParsedQuery, parse_query

MAX_SUMMARY_CHARS = 600  # a summary is 2–3 sentences; a runaway sentence is cut
LEAD_MIN_WORDS = 15
MIN_SENTENCE_WORDS = 6  # shorter lines are headings, captions or datelines
MAX_RANKED_SENTENCES = 80  # TextRank is quadratic; long articles are ranked on their first part
_END = (".", "!", "?", "…", '"', "”", "’", ")", "»")
_LIST_START = re.compile(r"^(?:[-–•*+]|\d{1,2}[.)]|[a-zđ][.)]|[IVX]{1,4}[.)])\s")
_CAPTION = re.compile(r"(?:^|[.\s])(?:Ảnh|Ảnh minh họa|Nguồn|Video)\s*:", re.IGNORECASE)


class Summarizable(Protocol):
    """What :func:`summarize` needs: a title, a body and (optionally) a content hash."""

    title: str
    text: str


# --- helpers ----------------------------------------------------------------------------


_WORD_RE = re.compile(r"\d+(?:[.,/]\d+)*|[^\W_]+")


def _words(text: str) -> list[str]:
    # Folding keeps one character per character, so the folded text has the same syllables.
    return _WORD_RE.findall(fold_lower(text))


def _count(text: str) -> int:
    """Syllables in ``text`` (cheaper than tokenising when only the number matters)."""
    return len(_WORD_RE.findall(text))


def _content(text: str) -> list[str]:
    # Accented lower-case syllables minus function words: stopwords are matched accented so
    # "nhũng" (corruption) survives while "những" (plural marker) goes.
    return [w for w in _WORD_RE.findall(text.lower()) if w not in STOPWORDS]


def _is_heading(paragraph: str) -> bool:
    words = len(paragraph.split())
    return words < 12 and not paragraph.rstrip().endswith(_END)


def _is_body(paragraph: str) -> bool:
    """A paragraph of running text: not a heading, a caption, a list item or a dateline."""
    p = paragraph.strip()
    if not p or _is_heading(p):
        return False
    if _CAPTION.search(p) and len(p) < 200:
        return False
    return _count(p) >= MIN_SENTENCE_WORDS


def body_paragraphs(title: str, text: str) -> list[str]:
    """Body paragraphs without a leading repeat of the title.

    A headline repeated as the first line is dropped. A title derived from the lead's first
    clause ("Nhằm giúp …" + "; tạo bước …") leaves the rest of that paragraph. A title that is
    the lead cut short (the store's first 120 characters, or a clause cut with "…") leaves the
    lead whole: a summary may repeat the title's words, but never starts mid-word.
    """
    paragraphs = [p.strip() for p in normalize(text).split("\n\n") if p.strip()]
    if len(paragraphs) == 1 and "\n" in paragraphs[0]:
        paragraphs = [p.strip() for p in paragraphs[0].split("\n") if p.strip()]
    if not paragraphs or not title.strip():
        return paragraphs
    first, head = paragraphs[0], title.strip()
    first_words, title_words = _words(first), _words(head)
    if first_words == title_words:
        return paragraphs[1:]  # the headline printed again
    if first.startswith(head) and first[len(head) : len(head) + 1] in {";", ":", ".", ","}:
        rest = first[len(head) + 1 :].strip()
        rest = rest[:1].upper() + rest[1:]
        return ([rest] if _count(rest) >= LEAD_MIN_WORDS else []) + paragraphs[1:]
    return paragraphs


def find_lead(title: str, text: str) -> str | None:
    """The article's lead paragraph, or None when it has no real one.

    A real lead is the first body paragraph, of at least 15 words, ending like a sentence, not
    a list item and not an introduction to a list (ending with ":").
    """
    paragraphs = body_paragraphs(title, text)
    for paragraph in paragraphs[:2]:
        if _is_heading(paragraph):
            continue  # a section heading before the lead ("Sửa đổi, bổ sung…")
        if (
            _count(paragraph) >= LEAD_MIN_WORDS
            and paragraph.rstrip().endswith(_END)
            and not paragraph.rstrip().endswith(":")
            and not _LIST_START.match(paragraph)
        ):
            return paragraph
        return None
    return None


def _cap(sentence: str, limit: int = MAX_SUMMARY_CHARS) -> str:
    if len(sentence) <= limit:
        return sentence
    head = sentence[: limit - 1].rsplit(" ", 1)[0]
    return head.rstrip(",;:-– ") + "…"


# A dateline before the lead: "Quỳnh Lưu – Ngày 26/12/2023, …", "TP. Thái Bình – Chiều
# 18/4, …": one to four capitalised words and a dash, then the sentence; a place with a dash
# in its name too ("Bà Rịa – Vũng Tàu – 4 giờ 30 sáng …", half of which was left: a tester's).
_PLACE_WORDS = r"[A-ZĐÀ-Ỹ][\w.]*(?:\s[A-ZĐÀ-Ỹ][\w.]*){0,3}"
_DATELINE = re.compile(
    rf"^(?:TP\.\s?)?{_PLACE_WORDS}(?:\s[–—-]\s{_PLACE_WORDS})?\s+[–—-]\s+(?=[A-ZĐÀ-Ỹ0-9])"
)
# A sentence that dates the news ("Chiều 16/5, Chi bộ sinh viên … kết nạp …"), and a date.
_NEWS_START = re.compile(
    r"^(?:(?:Sáng|Chiều|Tối|Trưa|Đêm|Ngày|Hôm|Cuối|Đầu|Trong (?:hai |ba )?ngày)\b[^,]{0,40}?"
    r"\d{1,2}[/.]\d{1,2}|(?:Sáng|Chiều|Tối) nay\b)"
)
_DAY = re.compile(r"\b\d{1,2}[/.]\d{1,2}\b")
NUT_WITHIN = 6  # sentences of a feature's opening scene before the one with the news


def without_dateline(sentence: str) -> str:
    """``sentence`` without a dateline before it ("Quỳnh Lưu – Ngày 26/12/2023, …")."""
    return _DATELINE.sub("", sentence, count=1)


def _news_sentence(paragraphs: list[str]) -> list[str] | None:
    """A feature's opening scene ("Áo dài trắng, tay đặt lên lá cờ, …") undated, and soon
    after the sentence dating the news ("Chiều 16/5, Chi bộ sinh viên … kết nạp …"): the
    sentences from that one; None for a lead that starts with its news."""
    sentences = [s for p in paragraphs[:3] if _is_body(p) for s in split_sentences(p)]
    sentences = sentences[:NUT_WITHIN]
    if not sentences or _DAY.search(sentences[0]):
        return None
    for i, sentence in enumerate(sentences[1:], start=1):
        # A news sentence says who did what: "Tối 7/10, người ngồi ghế là Bí thư Chi bộ
        # Nguyễn Văn Quang." is the scene going on (a tester's).
        if _NEWS_START.match(sentence) and _count(sentence) >= LEAD_MIN_WORDS:
            return sentences[i:]
    return None


def lead_summary(title: str, text: str, max_sentences: int = 3) -> str | None:
    """The lead's first sentences (at least two when the next paragraph can supply one);
    for a feature opening with a scene, from the sentence with its news."""
    lead = find_lead(title, text)
    if lead is None:
        return None
    news = _news_sentence(body_paragraphs(title, text))
    if news is not None:
        picked: list[str] = []
        for sentence in news[: max(2, max_sentences - 1)]:
            if picked and len(" ".join([*picked, sentence])) > MAX_SUMMARY_CHARS:
                break
            picked.append(_cap(sentence))
        return " ".join(picked)
    sentences = split_sentences(without_dateline(lead))[:max_sentences]
    if len(sentences) < min(2, max_sentences):
        paragraphs = body_paragraphs(title, text)
        after = paragraphs[paragraphs.index(lead) + 1 :] if lead in paragraphs else []
        for paragraph in after[:2]:
            if not _is_body(paragraph) or paragraph.rstrip().endswith(":"):
                continue
            extra = split_sentences(paragraph)[:1]
            if extra and len(" ".join(sentences + extra)) <= MAX_SUMMARY_CHARS:
                sentences += extra
            break
    return " ".join(_cap(s) for s in sentences)


# An interview's labels: the reporter's question is no summary, the answer's speaker label
# is not part of it ("PV: Thưa ông, …?", "Ông Trần Văn F.: Năm 2023, …").
_REPORTER = re.compile(r"^(?:PV|P\.V|Phóng viên)\s*:", re.IGNORECASE)
_SPEAKER = re.compile(r"^(?:Ông|Bà|Đồng chí|Anh|Chị|Đ/c)\s[^:]{2,40}:\s+(?=\S)")
# A short administrative line led by a label: "Thời gian: Hoàn thành trước ngày 30.4.2025."
_LABELLED = re.compile(r"^[^\s:]+(?:\s[^\s:]+){0,2}:\s")
LABELLED_MAX_WORDS = 12


def _summary_sentence(sentence: str) -> str | None:
    """``sentence`` as a summary may show it: without a list marker ("a) ", "2. ") or a
    speaker's label; None for what is no summary sentence (a question, a heading, a label)."""
    if _REPORTER.match(sentence) or sentence.endswith(("?", ":")):
        return None
    sentence = _SPEAKER.sub("", _LIST_START.sub("", sentence, count=1), count=1)
    if _LABELLED.match(sentence) and _count(sentence) < LABELLED_MAX_WORDS:
        return None
    return sentence if _count(sentence) >= MIN_SENTENCE_WORDS else None


def candidate_sentences(title: str, text: str) -> list[str]:
    """Body sentences worth ranking: no headings, captions, bylines, questions or very short
    lines; list markers and speakers' labels taken off."""
    out: list[str] = []
    for paragraph in body_paragraphs(title, text):
        if not _is_body(paragraph):
            continue
        for raw in split_sentences(paragraph):
            sentence = _summary_sentence(raw)
            if sentence is not None:
                out.append(sentence)
            if len(out) >= MAX_RANKED_SENTENCES:
                return out
    return out


def _vectors(sentences: Sequence[str]) -> np.ndarray:
    """TF-IDF rows (unigrams and bigrams of content syllables), L2-normalised."""
    bags = []
    for sentence in sentences:
        words = _content(sentence)
        bags.append(Counter(words + [f"{a} {b}" for a, b in itertools.pairwise(words)]))
    vocab: dict[str, int] = {}
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
        for term in bag:
            vocab.setdefault(term, len(vocab))
    matrix = np.zeros((len(bags), max(1, len(vocab))))
    n = len(bags)
    for i, bag in enumerate(bags):
        for term, count in bag.items():
            matrix[i, vocab[term]] = (1 + math.log(count)) * math.log(1 + n / df[term])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def textrank(sentences: Sequence[str], k: int = 3, *, damping: float = 0.85) -> list[int]:
    """Indices (in document order) of the ``k`` most central sentences.

    PageRank over cosine similarity of TF-IDF sentence vectors, with a mild preference for
    earlier sentences (news articles put the gist first).
    """
    n = len(sentences)
    if n <= k:
        return list(range(n))
    vectors = _vectors(sentences)
    sim = vectors @ vectors.T
    np.fill_diagonal(sim, 0.0)
    sums = sim.sum(axis=1, keepdims=True)
    sums[sums == 0] = 1.0
    transition = sim / sums
    position = np.array([1.0 / (1 + i) ** 0.5 for i in range(n)])
    personal = position / position.sum()
    rank = np.full(n, 1.0 / n)
    for _ in range(50):
        new = (1 - damping) * personal + damping * transition.T @ rank
        if np.abs(new - rank).sum() < 1e-6:
            rank = new
            break
        rank = new
    # Drop near-duplicates (captions printed twice, repeated sentences).
    chosen: list[int] = []
    for i in np.argsort(-rank, kind="stable"):
        if all(sim[i, j] < 0.8 for j in chosen):
            chosen.append(int(i))
        if len(chosen) == k:
            break
    return sorted(chosen)


def centroid(sentences: Sequence[str], k: int = 3) -> list[int]:
    """Indices of the ``k`` sentences closest to the TF-IDF centroid (a second baseline)."""
    n = len(sentences)
    if n <= k:
        return list(range(n))
    vectors = _vectors(sentences)
    center = vectors.mean(axis=0)
    scores = vectors @ center
    return sorted(int(i) for i in np.argsort(-scores, kind="stable")[:k])


def extractive_summary(title: str, text: str, max_sentences: int = 3) -> str:
    """TextRank over the body; the first body sentences when there are too few to rank."""
    sentences = candidate_sentences(title, text)
    if not sentences:
        sentences = [s for s in split_sentences(text) if _count(s) >= 3][:max_sentences]
    picked = textrank(sentences, k=max_sentences)
    return " ".join(_cap(sentences[i]) for i in picked)


# --- summarize (cached) ------------------------------------------------------------------------

_CACHE: OrderedDict[tuple[str, int], str] = OrderedDict()
_CACHE_SIZE = 20_000
_LOCK = threading.Lock()


def _key(doc: Summarizable) -> str:
    digest = getattr(doc, "content_hash", None)
    if digest:
        return f"{digest}:{hashlib.blake2b(doc.title.encode(), digest_size=6).hexdigest()}"
    return hashlib.sha256(f"{doc.title}\n{doc.text}".encode()).hexdigest()


def summarize(doc: Summarizable, max_sentences: int = 3) -> str:
    """A 2–3 sentence plain-text summary: the lead when there is one, else TextRank."""
    key = (_key(doc), max_sentences)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    summary = lead_summary(doc.title, doc.text, max_sentences) or extractive_summary(
        doc.title, doc.text, max_sentences
    )
    summary = summary or _cap(doc.title)
    with _LOCK:
        _CACHE[key] = summary
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return summary


@functools.lru_cache(maxsize=4096)
def first_sentence(summary: str, max_chars: int = 220) -> str:
    """The first sentence of a summary (at most ``max_chars``), remembered as summaries are:
    splitting one costs more than the rest of a hit's snippet."""
    first = split_sentences(summary)[:1]
    if not first:
        return ""
    if len(first[0]) <= max_chars:
        return first[0]
    # A long sentence is cut between words, and says so ("…tại Đ" read as a word); at the
    # end of a clause when one ends in its second half ("…, Ủy viên Ban Thường vụ Tỉnh ủy…"
    # cut a digest's item before the news).
    head = first[0][: max_chars - 1]
    clause = max(head.rfind(", "), head.rfind("; "))
    space = clause if clause > max_chars // 2 else head.rfind(" ")
    if space > max_chars // 2:
        head = head[:space]
    return head.rstrip(" ,;:-–") + "…"


def clear_cache() -> None:
    """Forget cached summaries (tests, or after a summariser change)."""
    with _LOCK:
        _CACHE.clear()
    first_sentence.cache_clear()


# --- snippets ----------------------------------------------------------------------------------


# A query word found in a text: (start, end, folded word).
Found = tuple[int, int, str]


def _find_words(words: Sequence[str], folded: str) -> list[Found]:
    """Where ``words`` (letters and digits only) stand in ``folded`` as whole words, in order.

    One ``str.find`` scan per word: faster than an alternation regex over the same text, and
    no regex to compile for each new query (compiling one cost more than scanning five
    documents with it)."""
    out: list[Found] = []
    n = len(folded)
    find = folded.find
    for word in words:
        k = len(word)
        at = find(word)
        while at >= 0:
            end = at + k
            if (not at or not folded[at - 1].isalnum()) and (end == n or not folded[end].isalnum()):
                out.append((at, end, word))
                at = find(word, end)
            else:
                at = find(word, at + 1)
    out.sort()
    return out


def _word_matches(pattern: re.Pattern[str], folded: str) -> list[Found]:
    """Matches of ``pattern`` that start a word (not preceded by a letter or digit): what a
    look-behind in front of it would find, a rejected start being retried one further on
    (a query word with other characters, "2.200", may hold a word start after its first)."""
    out: list[Found] = []
    pos = 0
    search = pattern.search
    while (m := search(folded, pos)) is not None:
        start = m.start()
        if start and folded[start - 1].isalnum():
            pos = start + 1
            continue
        out.append((start, m.end(), m.group(0)))
        pos = max(m.end(), start + 1)
    return out


_first = operator.itemgetter(0)
_STOPWORD_FOLDS = frozenset(map(fold_lower, STOPWORDS))
_PLAIN = re.compile(r"[^\W_]+")


@dataclass
class _Matcher:
    """A query compiled for snippets: its folded words, found in folded text by one scan per
    word (or, for words with other characters, one regex), and what to mark of them."""

    words: tuple[str, ...]  # folded query words to find, longest first
    plain: bool  # they are letters and digits only: found by _find_words, without a regex
    folded: frozenset[str]  # mark in any accent form
    exact: frozenset[str]  # mark only as written (lower case)
    stop: frozenset[str]  # folded query words that are themselves stopwords
    codes: frozenset[str]  # code keys and full forms the query names
    numbers: frozenset[str]  # their numbers (no leading zeros): a text without one cites none

    @functools.cached_property
    def always(self) -> frozenset[str]:
        # Folded words marked in whatever form the text has them: no function word folds to
        # them, or the query itself asks for one (spares a lower() per match).
        return frozenset(k for k in self.folded if k in self.stop or k not in _STOPWORD_FOLDS)

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        # No look-behind: a pattern that starts with one cannot use re's fast scan for the
        # words' first letters (2.5× slower); _word_matches checks the start instead.
        return re.compile("(?:" + "|".join(map(re.escape, self.words)) + r")(?![^\W_])")

    def find(self, folded: str) -> list[Found]:
        """The query words standing in ``folded`` as whole words, in order."""
        if not self.words:
            return []
        return (
            _find_words(self.words, folded) if self.plain else _word_matches(self.pattern, folded)
        )

    def cites(self, code: DocCode) -> bool:
        """Whether ``code`` is one the query names."""
        return code.key in self.codes or bool(code.full and code.full in self.codes)

    def numbered(self, text: str) -> list[int]:
        """Where ``text`` has a run of digits equal to one of the query's code numbers."""
        out: list[int] = []
        # str.find per number, not a scan of every run of digits: a dated article has
        # dozens of runs, and a regex match object per run cost a third of a hit's snippet.
        for number in self.numbers:
            at = text.find(number)
            while at >= 0:
                end = at + len(number)
                if end == len(text) or not text[end].isdecimal():
                    start = at
                    while start and text[start - 1] == "0":
                        start -= 1  # leading zeros: "05" is number 5
                    if not (start and text[start - 1].isdecimal()):
                        out.append(start)
                at = text.find(number, at + 1)
        return out

    def spans(
        self,
        text: str,
        folded: str | None = None,
        codes: Sequence[DocCode] | None = None,
        *,
        found: Sequence[Found] | None = None,
        base: int = 0,
    ) -> list[tuple[int, int]]:
        """Words of ``text`` that match the query, and the document codes it names (``codes``:
        those cited in ``text``, when the caller knows them), as (start, end). ``found``: the
        pattern's matches when the caller has them, from a text in which ``text`` starts at
        ``base``."""
        folded = fold_lower(text) if folded is None else folded
        spans: list[tuple[int, int]] = []
        if self.words:
            exact, marked, stop, always = self.exact, self.folded, self.stop, self.always
            for start, end, key in self.find(folded) if found is None else found:
                start -= base
                end -= base
                if key in always:
                    spans.append((start, end))
                    continue
                lower = text[start:end].lower()
                if lower in exact or (
                    # An unaccented query word marks every accent form except function words:
                    # "nhung" marks "nhũng" and "Nhung", not "những".
                    key in marked and (lower not in STOPWORDS or key in stop)
                ):
                    spans.append((start, end))
        if self.numbered(text):
            for code in find_doc_codes(text) if codes is None else codes:
                if self.cites(code):
                    spans = [s for s in spans if s[1] <= code.start or s[0] >= code.end]
                    spans.append((code.start, code.end))
            spans.sort(key=_first)
        return spans


def _matcher(parsed: ParsedQuery) -> _Matcher:
    folded_terms, exact_terms = parsed.highlight_terms()
    words = sorted(folded_terms | {fold_lower(e) for e in exact_terms}, key=len, reverse=True)
    codes = frozenset(k.removesuffix("/*") for keys in parsed.codes for k in keys)
    numbers = {m.group(0).lstrip("0") or "0" for code in codes for m in re.finditer(r"\d+", code)}
    return _Matcher(
        words=tuple(words),
        plain=all(_PLAIN.fullmatch(w) for w in words),
        folded=frozenset(folded_terms),
        exact=frozenset(exact_terms),
        stop=frozenset(t.folded for t in parsed.terms if t.stop),
        codes=codes,
        numbers=frozenset(numbers),
    )


def _adjacent(text: str, spans: Sequence[Sequence[Any]], base: int = 0) -> int:
    """Pairs of consecutive matches (start, end, …; offsets + ``base``) with nothing but
    spaces and commas between them in ``text``: a phrase's words."""
    adjacent = 0
    for left, right in itertools.pairwise(spans):
        if not text[left[1] - base : right[0] - base].strip(" ,"):
            adjacent += 1
    return adjacent


def _score(text: str, spans: list[tuple[int, int]], folded: str | None = None) -> float:
    """Distinct matched words count most, then adjacent matches (phrases), then repeats."""
    if not spans:
        return 0.0
    folded = fold_lower(text) if folded is None else folded
    distinct = {folded[start:end] for start, end in spans}
    adjacent = _adjacent(text, spans)
    # Split no further than the count that matters: the same answer as len(text.split()).
    short = 0.5 if len(text.split(None, MIN_SENTENCE_WORDS - 1)) < MIN_SENTENCE_WORDS else 1.0
    return short * (2.0 * len(distinct) + 0.3 * len(spans) + 1.0 * adjacent)


def _densest(text: str, spans: list[tuple[int, int]], max_chars: int) -> int:
    """Where the window of :func:`_cut` starting at a match holds the most (distinct) matches:
    that match's start."""
    if len(spans) == 1 or spans[-1][1] - spans[0][0] <= max_chars * 3 // 4 - 2:
        return spans[0][0]  # all of them fit after the first
    words = [text[a:b].lower() for a, b in spans]
    best: tuple[int, int, int] = (0, 0, 0)
    for i, (a, _) in enumerate(spans):
        # The window opens a quarter before the match (see _cut) and holds max_chars.
        stop = a - max_chars // 4 + max_chars - 2
        inside = [j for j in range(i, len(spans)) if spans[j][1] <= stop]
        key = (len({words[j] for j in inside}), len(inside), -a)
        best = max(best, key) if i else key
    return -best[2]


_CLAUSE_START = re.compile(r"[,;:](?:\s+)")


def _cut(
    text: str, spans: list[tuple[int, int]], max_chars: int
) -> tuple[str, list[tuple[int, int]]]:
    """A window of at most ``max_chars`` around the matches, cut at word boundaries: the one
    starting at the match that leaves the most distinct matched words inside (then the most
    matches, then the earliest), so a long sentence shows its "tự diễn biến, tự chuyển hóa"
    rather than a lone "tự" that comes first.

    "…" marks each side where text was removed; spans are moved into the window's coordinates
    and those that fall outside it are dropped.
    """
    if len(text) <= max_chars:
        return text, spans
    first = _densest(text, spans, max_chars) if spans else 0
    start = max(0, first - max_chars // 4)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
        # From the start of a clause when one begins before the match: "…thúc điều tra" had
        # cut the word "kết thúc" in two (a space is only a syllable's end in Vietnamese).
        clause = _CLAUSE_START.search(text, start, first)
        if clause is not None:
            start = clause.end()
    end = start + max_chars - (2 if start else 1)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = text[start:end].rstrip(",;:-– ")
    end = start + len(piece)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    kept = [(a + shift, b + shift) for a, b in spans if a >= start and b <= end]
    return prefix + piece + suffix, kept


def _sentences_in(line: str) -> list[tuple[int, str]]:
    """(offset in ``line``, sentence) — split_sentences keeps normalised text, so each sentence
    is found again in the (already normalised) line."""
    out: list[tuple[int, str]] = []
    pos = 0
    for sentence in split_sentences(line, normalized=True):
        at = line.find(sentence, pos)
        if at < 0:  # the line was not normalised: fall back to no offsets
            return [(0, line)]
        out.append((at, sentence))
        pos = at + len(sentence)
    return out


def sentence_offsets(text: str) -> list[list[int]]:
    """Per line of ``text``, where its sentences start and end (flat: start, end, start, …):
    what :func:`snippet` would split, worked out once when a document is indexed."""
    return [
        [n for at, sentence in _sentences_in(line) for n in (at, at + len(sentence))]
        for line in text.split("\n")
    ]


def _stored_sentences(line: str, offsets: Sequence[int]) -> list[tuple[int, str]]:
    # A stray odd offset (a damaged payload) drops one sentence rather than failing the page.
    return [(offsets[j], line[offsets[j] : offsets[j + 1]]) for j in range(0, len(offsets) - 1, 2)]


def _bound(line: str, found: Sequence[Found], base: int) -> float:
    """The most :func:`_score` can give a sentence of ``line`` whose matches are ``found``
    (line offsets + ``base``) and no code: every word distinct, every match, every pair of
    matches adjacent in the line (a sentence's spans are among them, its pairs too)."""
    adjacent = _adjacent(line, found, base)
    return 2.0 * len({m[2] for m in found}) + 0.3 * len(found) + 1.0 * adjacent


_MATCHERS: OrderedDict[int, tuple[ParsedQuery, _Matcher]] = OrderedDict()


def _cached_matcher(parsed: ParsedQuery) -> _Matcher:
    # The engine renders ten hits with the same ParsedQuery: compile its regex once.
    key = id(parsed)
    with _LOCK:
        item = _MATCHERS.get(key)
        if item is not None and item[0] is parsed:
            return item[1]
    matcher = _matcher(parsed)
    with _LOCK:
        _MATCHERS[key] = (parsed, matcher)
        while len(_MATCHERS) > 64:
            _MATCHERS.popitem(last=False)
    return matcher


def snippet(
    text: str,
    query: str | ParsedQuery,
    max_chars: int = 220,
    *,
    codes: Sequence[Sequence[Any]] | None = None,
    sentences: Sequence[Sequence[int]] | None = None,
) -> Snippet:
    """The sentence(s) of ``text`` that best match ``query``, cut at word boundaries.

    ``codes`` lists the documents ``text`` cites as (line, start, end, key, full form), and
    ``sentences`` where its sentences are (:func:`sentence_offsets`), as the search index
    stores them; without them, the lines a snippet may show are searched and split here.
    Returns an empty snippet when nothing matches (callers fall back to the summary).
    """
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    matcher = _cached_matcher(parsed)
    if not matcher.words and not matcher.codes:
        return Snippet("")
    # One scan of the folded text (fold keeps offsets) finds the lines worth splitting: a
    # match never crosses a line, so each is shared out to the line it starts in. A query
    # of codes alone has no words to scan for: only the lines shown are folded.
    folded = fold_lower(text) if matcher.words else None
    lines = text.split("\n")
    starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    found: dict[int, list[Found]] = {}
    for m in matcher.find(folded) if folded is not None else ():
        found.setdefault(bisect.bisect_right(starts, m[0]) - 1, []).append(m)
    # The documents each line cites, when the query names any: from the index when it gave
    # them, else read from the lines that have one of the query's numbers.
    cited: dict[int, list[DocCode]] = {}
    if matcher.codes and codes is not None:
        for line_no, start, end, key, full in codes:
            cited.setdefault(line_no, []).append(DocCode("", key, full, start, end))
    elif matcher.codes:
        for i in {bisect.bisect_right(starts, at) - 1 for at in matcher.numbered(text)}:
            cited[i] = find_doc_codes(lines[i])
    # Lines citing a document the query names rank first; a line with its number alone does
    # not ("Ngày 21/5" is no citation of 21-KL/TW).
    citing = {i for i, found_codes in cited.items() if any(map(matcher.cites, found_codes))}
    ranked: list[tuple[float, int]] = []
    for i in found.keys() | citing:
        words = [m[2] for m in found.get(i, ())]
        # A rough line score (distinct words, then all) picks the lines worth splitting.
        ranked.append((len(set(words)) + 0.1 * len(words) + (2 if i in citing else 0), i))
    if not ranked:
        return Snippet("")
    ranked.sort(key=lambda item: (-item[0], item[1]))
    best: tuple[float, int, list[tuple[int, str]], int, list[list[tuple[int, int]]]] | None = None
    for _, i in ranked[:2]:
        line = lines[i]
        if (
            best is not None
            and i not in citing
            and _bound(line, found.get(i, []), starts[i]) < (best[0] - 1e-9)
        ):
            continue  # no sentence of this line can beat the best one found
        folded_line = (
            fold_lower(line) if folded is None else folded[starts[i] : starts[i] + len(line)]
        )
        split = (
            _stored_sentences(line, sentences[i])
            if sentences is not None and i < len(sentences)
            else _sentences_in(line)
        )
        # The line's matches once, shared out to its sentences (a match never crosses one).
        line_spans = matcher.spans(
            line,
            folded_line,
            cited.get(i, []),
            found=found.get(i, []),
            base=starts[i],
        )
        per_sentence: list[list[tuple[int, int]]] = []
        j, n = 0, len(line_spans)
        for k, (offset, sentence) in enumerate(split):
            end = offset + len(sentence)
            # Spans are in order and never overlap: one pass shares them out; one that starts
            # before a sentence or runs past its end belongs to none.
            while j < n and line_spans[j][0] < offset:
                j += 1
            spans = []
            while j < n and line_spans[j][1] <= end:
                a, b = line_spans[j]
                spans.append((a - offset, b - offset))
                j += 1
            per_sentence.append(spans)
            score = _score(sentence, spans, folded_line[offset:end])
            if score > 0 and (
                best is None or score > best[0] or (score == best[0] and i < best[1])
            ):
                best = (score, i, split, k, per_sentence)
    if best is None:
        return Snippet("")
    _, _, chosen_line, k, per_sentence = best
    chosen = chosen_line[k][1]
    spans = per_sentence[k]
    if k == 0:  # a line's first sentence may have the article's dateline before it
        dropped = len(chosen) - len(without_dateline(chosen))
        if dropped:
            chosen = chosen[dropped:]
            spans = [(a - dropped, b - dropped) for a, b in spans if a >= dropped]
    # A short best sentence gets its neighbour, so the snippet reads as context.
    if len(chosen) < max_chars * 0.6 and k + 1 < len(chosen_line):
        joined = f"{chosen} {chosen_line[k + 1][1]}"
        if len(joined) <= max_chars:
            shift = len(chosen) + 1
            spans = spans + [(a + shift, b + shift) for a, b in per_sentence[k + 1]]
            chosen = joined
    cut, spans = _cut(chosen, spans, max_chars)
    return Snippet(cut, [Span(a, b) for a, b in spans])
