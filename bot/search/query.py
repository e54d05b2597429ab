"""Query understanding: what a cadre typed, turned into structured parts.

Nothing here touches the index. :func:`parse_query` never raises on user input: raw text is
split into syllables with our own tokenizer and the engine builds tantivy queries from the
parts programmatically, so ``AND OR``, ``nhũng: "kết``, a leading ``-``, ``*``, emoji or a
10,000-character paste cannot reach a query parser.
"""

from __future__ import annotations

import difflib
import html
import itertools
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.corpus.text import (
    DocCode,
    find_doc_codes,
    fold_lower,
    has_diacritics,
    normalize,
    tokenize,
)
from bot.timeutil import VN

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.corpus.topics import Taxonomy

MIN_JOINED_TOPIC = 6  # letters of a topic's words typed without spaces to name it
MAX_PERIOD_WORDS = 20  # without_period: longer queries are left as they are
MAX_QUERY_CHARS = 1000  # longer input is cut before any work (a pasted article is not a query)
# A query this long with a day in it is a pasted text, whose day is no filter.
PASTED_TERMS = 12
MAX_TERMS = 32  # keyword syllables kept; beyond this a query adds cost, not precision
MAX_TOKEN_CHARS = 40  # the index drops longer tokens too

# Function words (accented form). A query token is a stopword when its lower-case accented form
# is listed; an unaccented token only when its folded form is in _FOLDED_STOPWORDS, which leaves
# out folds shared with content syllables ("nhung" is "những" but also "nhũng", "trong" is also
# "trọng", "dang" is "đang" but also "Đảng").
_STOPWORDS_TEXT = """
    và của là các những được cho với trong có không này đó thì mà để về theo từ một như khi đã
    sẽ đang rằng nào gì sao làm thế ra vào lên tại bởi vì nên nhưng hoặc hay cũng vẫn còn rất
    nhiều mọi mỗi tôi bạn chúng ta họ nó ai đâu giờ ở trên dưới sau trước đến tới qua lại cần
    phải nếu vậy ạ nhé ơi à ư hả hãy xin biết việc cái nhất cùng đây kia ấy
    and or not the of a an to in on for is are what how
    """
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_FOLDED_STOPWORDS_TEXT = """
    va cua la cac duoc voi khong mot khi se rang nao gi ma o tren duoi truoc den nen hoac hay
    rat ai gio vay a nhe oi u ha xin viec cai nhat day kia
    and or not the of an to in on for is are what how
    """
_FOLDED_STOPWORDS = frozenset(_FOLDED_STOPWORDS_TEXT.split())

# Question phrases, matched on the folded query; they make a query question-like and are not
# searched for.
_QUESTION_PHRASES = re.compile(
    r"\b(?:lam (?:sao|the nao)(?: de)?|the nao|nhu the nao|ra sao|tai sao|vi sao|la gi|"
    r"gom (?:nhung )?gi|bao gom nhung gi|nhung gi|bao nhieu|bao lau|khi nao|bao gio|o dau|co nen|"
    r"co phai|co duoc khong|duoc khong|can (?:nhung )?gi|phai lam gi|lam gi|kieu gi|(?:bang )?cach nao|"
    r"cho (?:toi|em|e|minh|mk) hoi(?: ve)?|xin hoi(?: ve)?|muon biet)\b"
)
# A request around the words ("em muốn tìm tài liệu về …", "tìm giúp tôi văn bản về …"), at
# the start, matched on the folded query: not searched for. Left in, "Không tài liệu nào có đủ
# các từ đã gõ" stood above good results, for words the user never meant to find.
_SALUTE = r"(?:(?:xin )?chao|kinh gui|kinh thua) (?:dong chi|ban|bot|anh|chi|em|ad|admin)\b\W*"
# "anh ơi", "a oi", "b oi" (bạn ơi), "ad ơi" before a request (a tester's recheck).
_VOCATIVE = r"(?:(?:a|anh|chi|c|em|e|b|ban|ad|admin|bot|dong chi)\s+oi\W*\s*)"
_GREET = rf"(?:{_SALUTE}|{_VOCATIVE})?"
# "e", "mk": "em", "mình" as phones type them (a tester's "e muon tim tai lieu ve …").
_WHO = r"(?:(?:toi|em|e|minh|mk|chau|con|anh|chi|ban)\s+)?"
_WANT = r"(?:(?:muon|can|dang|hay|vui long|lam on|cho (?:toi|em|minh))\s+)*"
_HELP = r"(?:\s+lai)?(?:\s+(?:giup|ho|dum|gium)(?:\s+(?:toi|em|e|minh|mk))?)?"  # "tìm lại giúp e"
_REQUEST = re.compile(
    # "… tài liệu về …", with or without a verb before it ("đọc" only so: "độc" folds alike).
    rf"^\W*{_GREET}{_WHO}{_WANT}(?:(?:xin|tim kiem|tim hieu|tim|tra cuu|xem|doc){_HELP}\s+)?"
    r"(?:(?:cac|nhung|mot so|vai)\s+)?(?:tai lieu|van ban|bai viet|bai bao|bai|thong tin)\s+"
    r"(?:ve|lien quan (?:den|toi)|noi ve|de cap (?:den|toi))\s+"
    # "có bài nào hay về … không ạ", "có tài liệu nào nói về …", "có tài liệu gì về …"
    # (testers').
    rf"|^\W*{_GREET}{_WHO}co\s+(?:(?:cac|nhung)\s+)?(?:tai lieu|van ban|bai viet|bai bao|bai"
    r"|thong tin)(?:\s+(?:nao|gi))?(?:\s+(?:hay|tot))?\s+(?:ve|lien quan (?:den|toi)|noi ve"
    r"|de cap (?:den|toi))\s+"
    # "tìm giúp tôi …", "tra cứu …", "xem thêm về …", "tìm giúp mình mấy bài về …": a verb of
    # searching, what it is for and a few of what.
    rf"|^\W*{_GREET}{_WHO}{_WANT}(?:tim kiem|tim hieu|tim|tra cuu|xem them){_HELP}\s+"
    r"(?:(?:may|vai|cac|nhung|mot so|mot vai)\s+)?"
    r"(?:(?:tai lieu|van ban|bai viet|bai bao|bai|thong tin)\s+(?=ve\s))?(?:ve\s+)?"
    # "muốn đọc về …", "xem về …".
    rf"|^\W*{_GREET}{_WHO}{_WANT}(?:doc|xem|tim doc)\s+ve\s+"
    # "gửi em mấy bài về …", "cho xin vài tài liệu về …", "cho e hỏi tài liệu về …" (testers').
    rf"|^\W*{_GREET}{_WHO}{_WANT}(?:gui|cho xin|xin|cho (?:toi|em|e|minh|mk) (?:hoi|xin))"
    r"(?:\s+(?:toi|em|minh|anh|chi))?\s+"
    r"(?:(?:may|vai|cac|nhung|mot so|mot vai)\s+)?(?:tai lieu|van ban|bai viet|bai bao|bai"
    r"|thong tin)\s+(?:ve|lien quan (?:den|toi)|noi ve|de cap (?:den|toi))\s+"
)
# Chat shorthand: "j" is "gì" ("đảng viên ko đc làm j" warned that no document has "j", a
# tester's), "bn" "bao nhiêu", "vs" "với", "hok" "không", "hs" "học sinh", "sv" "sinh viên".
SHORTHAND = {
    "ko": "không",
    "k0": "không",
    "hok": "không",
    "dc": "được",
    "đc": "được",
    "ntn": "như thế nào",
    "j": "gì",
    "bn": "bao nhiêu",
    "vs": "với",
    "hs": "học sinh",
    "sv": "sinh viên",
}
_SHORTHAND_RE = re.compile(r"(?<![\w-])(?:" + "|".join(SHORTHAND) + r")(?![\w-])", re.IGNORECASE)
_SALUTATION = re.compile(rf"^\W*{_SALUTE}")  # "Kính gửi đồng chí, …"
# Thanks closing a message ("…, xin cảm ơn đồng chí nhiều", "… ạ, tôi cảm ơn"): not searched.
_THANKS_END = re.compile(
    r"[\s,.;!]*(?:(?:toi|em|minh|chau|con) )?(?:xin )?cam on"
    r"(?: (?:dong chi|ban|bot|anh|chi|em|a|nhieu|rat nhieu|truoc|nhe))*\W*$"
)
# "có … không" closing a sentence, the yes-or-no question ("giờ có được xóa kỷ luật không",
# "… có kết nạp được không ạ"), and "cần thủ tục gì": questions a tester's went unread as
# such, their "năm ngoái" a filter.
_YES_NO = re.compile(
    r"\bco\b(?:\s+\w+){1,8}\s+khong(?:\s+(?:a|vay|nhi|nhe|nha))?$"
    r"|\b(?:thu tuc|dieu kien|quy trinh|ho so|giay to)\s+(?:gi|nao|the nao|ra sao)\b"
)
_QUESTION_START = re.compile(
    r"^(?:lam sao|lam the nao|lam gi|tai sao|vi sao|the nao|khi nao|bao gio|o dau|co nen|"
    r"co phai|cach (?!mang)|thu tuc|quy trinh|dieu kien|xin hoi|cho (?:toi|em|e|minh|mk) hoi)\b"
)

# Dates, matched on the folded query (fold keeps offsets). Years outside 1945–2100 are not dates.
_YEAR = r"(?P<year>19[4-9]\d|20\d\d|2100)"
# A day or a month as people write it: "15/3/2023", "ngày 15 tháng 3 năm 2023", "5/2023",
# "tháng 5/2023", "tháng 5 năm 2023". Words only after "ngày" and "tháng": "6 năm 2022" may
# count years, and in "Kết luận 21 tháng 6 năm 2022" the 21 is a number, not the day.
_MONTH_SEP = r"(?:\s*[/.-]\s*|\s+nam\s+)"
_PERIOD = (
    # ISO, as a date is copied from a computer: 2023-12-26.
    r"(?:(?P<iso_year>(?:19|20)\d\d)-(?P<iso_month>\d{1,2})-(?P<iso_day>\d{1,2})"
    rf"|(?:ngay\s+(?P<day_named>\d{{1,2}})\s+thang\s+(?P<month_of_day>\d{{1,2}}){_MONTH_SEP}"
    rf"|thang\s+(?P<named>\d{{1,2}}){_MONTH_SEP}"
    rf"|(?:(?P<day>\d{{1,2}})\s*[/.-]\s*)?(?P<month>\d{{1,2}})\s*[/.-]\s*)?"
    rf"{_YEAR})"
)
_DATE_FROM = re.compile(
    rf"\b(?:tu|ke tu|sau|tu sau)\s+(?:nam\s+|thang\s+|ngay\s+)?{_PERIOD}(?![\d/.-])"
)
_DATE_TO = re.compile(
    rf"\b(?:truoc|den|toi|cho den)\s+(?:nam\s+|thang\s+|ngay\s+)?{_PERIOD}(?![\d/.-])"
)
_DATE_IN = re.compile(
    rf"(?<![\d/.-])(?:\b(?:nam|thang|ngay|trong nam|trong thang|trong ngay)\s+)?{_PERIOD}"
    rf"(?![\d/.-])"
)

# A code typed without its issuer ("21-KL"); bot.corpus.text finds the rest ("21-kl/tw", "ket luan 21").
_LOOSE_CODE = re.compile(
    r"(?<![\w/-])(\d{1,4})\s?-\s?([a-zA-ZđĐ]{1,6})(?:\s?/\s?([a-zA-ZđĐưƯ.]{1,10}))?(?![\w])"
)
_KIND_PREFIX = re.compile(
    r"\b(?:nghi quyet|ket luan|chi thi|quy dinh|quyet dinh|huong dan|thong bao|ke hoach|de an|"
    # Or its abbreviation: "QĐ 08-QĐi/TW" searched "qđ" too, eight more documents (a tester's).
    r"quy che|thong tu|nghi dinh|cong van|nq|kl|ct|qd|qdi|hd)(?:\s+so)?\s*$"
)
# "21KL/TW": a code typed without its dash (a tester's was searched as three words).
_UNDASHED_CODE = re.compile(r"(?<![\w/-])(\d{1,4})(nq|kl|ct|qdi|qd|hd)\s?/\s?(tw|tu)(?![\w])")
_KNOWN_KINDS = frozenset(["NQ", "KL", "CT", "QD", "HD", "TB", "KH", "DA", "QC", "TT", "ND", "CV"])

QUOTE_CHARS = '"“”«»'  # what a phrase (or a word kept as typed) is quoted with
_QUOTES = re.compile(f"[{QUOTE_CHARS}]([^{QUOTE_CHARS}]*)[{QUOTE_CHARS}]")


@dataclass(frozen=True)
class Term:
    """One query syllable: accent-folded form, exact lower-case form, and whether it had accents."""

    folded: str
    exact: str
    accented: bool
    stop: bool = False
    keep: bool = False  # typed in quotes: searched as typed, never corrected
    # Written with a capital ("Trăng" in "Sóc Trăng"): with a capitalised neighbour, part of
    # a name. Not part of equality: "Đảng" and "đảng" are the same word to search for.
    capital: bool = field(default=False, compare=False)


@dataclass
class ParsedQuery:
    """What the engine understood of a query."""

    raw: str
    text: str  # normalised, cut to MAX_QUERY_CHARS
    terms: list[Term] = field(default_factory=list)  # keyword syllables, stopwords included
    phrases: list[list[Term]] = field(default_factory=list)  # quoted text, required
    excluded: list[str] = field(default_factory=list)  # after "-", typed without accents: folded
    # (the kind's name typed, the code typed) where they disagree: "Kết luận", "21-NQ/TW".
    kind_mismatch: list[tuple[str, str]] = field(default_factory=list)
    # ... typed with accents: as typed (lower case), since "-đấu" is not "-đầu" or "-dấu".
    excluded_exact: list[str] = field(default_factory=list)
    excluded_phrases: list[list[str]] = field(default_factory=list)  # -"đấu thầu", folded
    # +"Cần Thơ": only documents with it (a follow-up narrowing the last search), folded.
    required_phrases: list[list[str]] = field(default_factory=list)
    # ... each as typed, when typed with accents ("Thanh Hóa" is no "Thanh Hòa"); else [].
    required_exact: list[list[str]] = field(default_factory=list)
    excluded_codes: list[list[str]] = field(default_factory=list)  # -21-KL/TW: its keys
    excluded_text: list[str] = field(default_factory=list)  # words and phrases, as typed
    # Words typed both to find and to leave out ("tham nhũng -tham"): left out, not searched.
    contradicted: list[str] = field(default_factory=list)
    codes: list[list[str]] = field(default_factory=list)  # per code: its keys ("21-KL", "21-KL/TW")
    date_from: datetime | None = None  # naive UTC, inclusive
    date_to: datetime | None = None  # naive UTC, exclusive
    newest: bool = False  # "mới nhất": by date, newest first
    oldest: bool = False  # "cũ nhất", "từ cũ đến mới": by date, oldest first (never with newest)
    date_text: str | None = None  # the words that set the dates ("năm 2022")
    # A date no calendar has, read as its month or year: (as typed, what was searched).
    date_widened: tuple[str, str] | None = None
    year_terms: list[str] = field(default_factory=list)  # years consumed by the date filter
    # The query's date is a year alone ("năm 2023"): a year-end report naming it is often
    # published the next January, so with other words the year may also be in the text.
    named_year: str | None = None
    # Days after the period whose articles count too: a quarter's or a half year's report
    # comes out in the weeks after it ("sơ kết 6 tháng đầu năm 2022", published 21/07/2022).
    report_days: int = 0
    term_year: bool = False  # the year named is a term's ("nhiệm kỳ 2025")
    day_dated: bool = False  # the date is one day ("ngày 9/9/2024")
    # "chỉ năm 2022", "năm 2022 thôi": the period filters, even a question's (which ranks)
    period_only: bool = False
    question: bool = False
    topic: str | None = None  # the query names this topic
    topic_hint: str | None = None  # a topic phrase inside a longer (question) query

    @property
    def content_terms(self) -> list[Term]:
        """Keyword syllables that are not stopwords."""
        return [t for t in self.terms if not t.stop]

    @property
    def excludes(self) -> bool:
        """True when the query leaves anything out (a word, a phrase or a code)."""
        return bool(
            self.excluded or self.excluded_exact or self.excluded_phrases or self.excluded_codes
        )

    @property
    def has_content(self) -> bool:
        """True when anything searchable is left (terms, phrases or codes)."""
        return bool(self.content_terms or self.phrases or self.codes)

    @property
    def code_keys(self) -> list[str]:
        """Every code key, flattened (for display), each once."""
        return list(dict.fromkeys(keys[0] for keys in self.codes))

    def highlight_terms(self) -> tuple[set[str], set[str]]:
        """(folded terms to mark in any accent form, exact lower-case terms to mark as written).

        An accented query word marks only the same accents ("nhũng" never marks "những");
        an unaccented one marks every accent form.
        """
        folded: set[str] = set()
        exact: set[str] = set()
        for term in [*self.content_terms, *(t for p in self.phrases for t in p)]:
            if term.stop and not any(term in p for p in self.phrases):
                continue
            (exact.add(term.exact) if term.accented else folded.add(term.folded))
        return folded, exact


def is_stopword(token: str) -> bool:
    """True for a function word, judged as a query token is (accents decide, when typed)."""
    return _term(token).stop


def _after_dash(text: str, i: int) -> bool:
    """Is ``text[i]`` right after a "-" that starts a word (an exclusion: "-đấu", "-"…")?"""
    return i > 0 and text[i - 1] == "-" and (i == 1 or text[i - 2].isspace())


def _exclude(parsed: ParsedQuery, term: Term) -> None:
    if term.accented:
        parsed.excluded_exact.append(term.exact)
    else:
        parsed.excluded.append(term.folded)


def _acronym(text: str, start: int, term: Term) -> bool:
    """Is the token at ``start`` of ``text`` an unaccented acronym in capitals ("KPI")?"""
    token = text[start : start + len(term.exact)]
    return not term.accented and 2 <= len(token) <= 6 and token.isalpha() and token.isupper()


def _capitalised(token: str) -> bool:
    """Written as a name's syllable is: a capital, then lower case ("Nhé", not "NHÉ")."""
    return token[:1].isupper() and token[1:] == token[1:].lower()


def _term(token: str) -> Term:
    exact = token.lower()
    folded = fold_lower(token)
    accented = has_diacritics(token)
    stop = exact in STOPWORDS if accented else folded in _FOLDED_STOPWORDS
    return Term(folded=folded, exact=exact, accented=accented, stop=stop)


def _terms(text: str) -> list[Term]:
    return [_term(t.text) for t in tokenize(text) if len(t.text) <= MAX_TOKEN_CHARS]


def _blank(text: str, start: int, end: int) -> str:
    # Keep offsets stable: later regexes run on the same string positions.
    return text[:start] + " " * (end - start) + text[end:]


def _day_month_year(m: re.Match[str]) -> tuple[str | None, str | None, str]:
    day = m.group("day_named") or m.group("day")
    if m.group("iso_year"):
        return m.group("iso_day"), m.group("iso_month"), m.group("iso_year")
    return day, m.group("month_of_day") or m.group("named") or m.group("month"), m.group("year")


def _period(day: str | None, month: str | None, year: str) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of a day, a month or a year, Vietnam time, as
    naive UTC. A day the month does not have ("31/2") is read as the month."""
    y = int(year)
    if month and 1 <= int(month) <= 12:
        m = int(month)
        start = datetime(y, m, 1, tzinfo=VN)
        end = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=VN)
        if day and 1 <= int(day) <= (end - start).days:
            start = start.replace(day=int(day))
            end = start + timedelta(days=1)
    else:
        start, end = datetime(y, 1, 1, tzinfo=VN), datetime(y + 1, 1, 1, tzinfo=VN)
    return (
        start.astimezone(UTC).replace(tzinfo=None),
        end.astimezone(UTC).replace(tzinfo=None),
    )


# Days an article names (on folded lower text): "26/12/2023", "25.10.2021", "ngày 26 tháng 12
# năm 2023", and, its year that of the article, "ngày 18-5", "ngày 26 tháng 12". Two patterns
# with no word boundary or look-behind in front, which would cost every article a slow scan
# (a literal start is searched fast): the boundaries are checked on each match.
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2}) ?([/.-]) ?([0-9]{1,2}) ?\2 ?([0-9]{4})(?![0-9])")
_NGAY = re.compile(
    r"ngay ([0-9]{1,2})(?: thang ([0-9]{1,2})(?: nam ([0-9]{4}))?"
    r"| ?[/-] ?([0-9]{1,2})(?![0-9]| ?[/.-] ?[0-9]))"
)
MAX_NAMED_DAYS = 32  # an article's dates past these are a list (a timeline), not its news


def named_days(folded: str, published: datetime | None) -> list[datetime]:
    """Days ``folded`` (fold_lower text) names, as the naive-UTC start of each in Vietnam time;
    a day written without its year ("ngày 18-5") takes the article's: its publication year,
    or the year before for a day after the publication date."""
    local = published.replace(tzinfo=UTC).astimezone(VN) if published else None
    found: dict[datetime, None] = {}
    named: list[tuple[int, str, str, str | None]] = []
    for m in _DAY_MONTH_YEAR.finditer(folded):
        if m.start() == 0 or folded[m.start() - 1] not in "0123456789.,":
            named.append((m.start(), m.group(1), m.group(3), m.group(4)))
    if "ngay " in folded:
        for m in _NGAY.finditer(folded):
            if m.start() == 0 or not folded[m.start() - 1].isalnum():
                if m.group(2):
                    named.append((m.start(), m.group(1), m.group(2), m.group(3)))
                else:
                    named.append((m.start(), m.group(1), m.group(4), None))
    for _, day, month, year in sorted(named):
        if year is None:
            if local is None:
                continue
            year = str(local.year)
            if (int(month), int(day)) > (local.month, local.day + 1):
                year = str(local.year - 1)
        if not 1 <= int(month) <= 12 or not 1900 <= int(year) <= 2100:
            continue
        start, end = _period(day, month, year)
        if end - start == timedelta(days=1):  # a real day, not a month for "31/2"
            found[start] = None
            if len(found) >= MAX_NAMED_DAYS:
                break
    return list(found)


_TERM_BEFORE = re.compile(r"\b(?:nhiem ky|giai doan|khoa)\s*$")
_NAMED_YEAR = re.compile(r"(?<![\d.,/])((?:19[4-9]|20\d)\d)(?![\d])")
_RANGE_AFTER = re.compile(r"\s*[-–—]\s*(?:19|20)\d\d(?!\d)")
_RANGE_BEFORE = re.compile(r"(?<!\d)(?:19|20)\d\d\s*[-–—]\s*$")


def named_years(folded: str) -> tuple[list[int], list[int]]:
    """Years ``folded`` (fold_lower text) names: (as years: "năm 2023", "31/12/2023", "2023"
    alone; as a span's ends: "nhiệm kỳ 2020-2025", "giai đoạn 2021 – 2025"). A cadre asking
    for "… năm 2025" wants the first, one asking for "nhiệm kỳ 2025" either."""
    years: dict[int, None] = {}
    ends: dict[int, None] = {}
    for m in _NAMED_YEAR.finditer(folded):
        before, after = folded[max(0, m.start() - 12) : m.start()], folded[m.end() : m.end() + 12]
        span = _RANGE_AFTER.match(after) or _RANGE_BEFORE.search(before)
        (ends if span else years)[int(m.group(1))] = None
    # A date's year ("31/12/2023", "12/2023") follows a slash, which the pattern skips.
    for m in re.finditer(r"(?<!\d)\d{1,2}\s*[/.-]\s*((?:19[4-9]|20\d)\d)(?!\d)", folded):
        years[int(m.group(1))] = None
    return list(years), list(ends)


# Markup pasted with the words ("<b>tham nhũng</b>"): "<b>" is no search for the letter b.
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,10}(?:\s[^<>]{0,200})?/?>")
_DIGITS = re.compile(r"\d+")
_AFTER_NUMBER = re.compile(r"\s?[-/]\s?[a-z]")
_KIND_WORDS = (
    "nghi quyet",
    "ket luan",
    "chi thi",
    "quy dinh",
    "quyet dinh",
    "huong dan",
    "thong bao",
    "ke hoach",
    "de an",
    "quy che",
    "thong tu",
    "nghi dinh",
    "cong van",
)


def _code_hint(folded: str) -> bool:
    """Could this (folded) line cite a document? Every citation has a number, followed by
    "-KL"/"/QD" or preceded by a kind's name; numbers are few, so look from them."""
    for m in _DIGITS.finditer(folded):
        if _AFTER_NUMBER.match(folded, m.end()):
            return True
        before = folded[max(0, m.start() - 28) : m.start()]
        if any(kind in before for kind in _KIND_WORDS):
            return True
    return False


def line_codes(text: str, folded: str | None = None) -> list[tuple[int, DocCode]]:
    """The document codes cited in ``text``, each with the number of its line; offsets are
    within that line. ``folded`` is ``fold_lower(text)`` when the caller has it."""
    folded = fold_lower(text) if folded is None else folded
    found: list[tuple[int, DocCode]] = []
    # The full patterns are slow on long texts: only lines with a hint get them.
    for i, (line, folded_line) in enumerate(zip(text.split("\n"), folded.split("\n"), strict=True)):
        if _code_hint(folded_line):
            found.extend((i, code) for code in find_doc_codes(line))
    return found


def code_terms(
    text: str, folded: str | None = None, *, found: list[tuple[int, DocCode]] | None = None
) -> list[str]:
    """Index terms for the document codes in ``text``, one per occurrence (so frequency counts).

    Each reference gives its key ("21-KL"), plus its full form when the issuer is written
    ("21-KL/TW") or ``KEY/*`` when it is not ("Kết luận số 21"), so that a query for
    ``21-KL/TW`` can tell a bare "Kết luận 21" (likely the same) from ``21-KL/HU`` (not).
    ``found`` is :func:`line_codes` of ``text`` when the caller has it.
    """
    terms: list[str] = []
    for _, code in line_codes(text, folded) if found is None else found:
        terms.append(code.key)
        if code.full and code.full != code.key:
            terms.append(code.full)
        elif not code.full:
            terms.append(f"{code.key}/*")
    return terms


def _query_code(key: str, full: str | None) -> list[str]:
    # With an issuer: the exact full form, else a bare reference to the same number and kind.
    return [full, f"{key}/*"] if full and full != key else [key]


_EXCLUDED_NUMBER = re.compile(r"(?:(?<=\s)|^)-(?=\d{1,5}\s?[-/])")


# The kind a name before a code says ("Kết luận 21-NQ/TW": KL, but the code is NQ's).
_PREFIX_KIND = {
    "nghi quyet": "NQ", "ket luan": "KL", "chi thi": "CT", "quy dinh": "QD", "quyet dinh": "QD",
    "huong dan": "HD", "thong bao": "TB", "ke hoach": "KH", "de an": "DA", "quy che": "QC",
    "thong tu": "TT", "nghi dinh": "ND", "cong van": "CV", "nq": "NQ", "kl": "KL", "ct": "CT",
    "qd": "QD", "qdi": "QD", "hd": "HD",
}  # fmt: skip


def _codes(
    text: str, mismatched: list[tuple[str, str]] | None = None
) -> tuple[list[list[str]], list[list[str]], str]:
    """Document codes in the query (as index terms to look for), those excluded ("-Kết luận
    21", "-21-KL/TW"), and the text without them.

    Accepts what people type: lower case ("21-kl/tw"), no issuer ("21-KL"), no accents
    ("ket luan 21").
    """
    found: list[tuple[int, int, list[str]]] = []
    # "-21-KL/TW": the dash of an exclusion hides the code from patterns that refuse a dash
    # before a number (as in "2020-2025"); they read the text with that dash as a space.
    dashes = {m.start() for m in _EXCLUDED_NUMBER.finditer(text)}
    scan = "".join(" " if i in dashes else c for i, c in enumerate(text)) if dashes else text
    # bot.corpus.text reads lower-case codes and unaccented names in its loose mode.
    for code in find_doc_codes(scan, loose=True):
        found.append((code.start, code.end, _query_code(code.key, code.full)))

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e, _ in found)

    # "21-KL" without an issuer is not a full reference in an article, but it is in a query.
    for m in _LOOSE_CODE.finditer(scan):
        kind = fold_lower(m.group(2)).upper()
        if kind in _KNOWN_KINDS and free(m.start(), m.end()):
            found.append((m.start(), m.end(), [f"{int(m.group(1))}-{kind}"]))
    for m in _UNDASHED_CODE.finditer(fold_lower(scan)):
        if free(m.start(), m.end()):
            key = f"{int(m.group(1))}-{'QD' if m.group(2) == 'qdi' else m.group(2).upper()}"
            found.append((m.start(), m.end(), _query_code(key, f"{key}/TW")))
    found.sort()
    folded = fold_lower(text)
    wanted: list[list[str]] = []
    excluded: list[list[str]] = []
    for start, end, keys in found:
        # "Kết luận số 21-KL/TW": the kind's name before a code is part of the code.
        prefix = _KIND_PREFIX.search(folded[:start])
        begin = prefix.start() if prefix else start
        said = _PREFIX_KIND.get(re.sub(r"\s+so\s*$|\s+$", "", prefix.group(0))) if prefix else None
        kind = re.match(r"\d+-([A-Z]+)", keys[0])
        if mismatched is not None and said and kind and kind.group(1) != said:
            # The code is what is searched; the answer says so ("Kết luận 21-NQ/TW" is
            # Nghị quyết 21, which a tester found answered without a word).
            mismatched.append((text[begin:start].strip(), text[start:end].strip()))
        if begin - 1 in dashes or _after_dash(text, begin):
            excluded.append(keys)
            begin -= 1
        else:
            wanted.append(keys)
        text = _blank(text, begin, end)
    return wanted, excluded, text


def _unframed(work: str, text: str) -> str:
    """``work`` (``text`` with what is already read blanked) with the thanks closing it, a
    salutation and a request before the words it asks for blanked too ("Kính gửi đồng chí, em
    muốn tìm tài liệu về …, xin cảm ơn"): none of them is searched."""
    thanks = _THANKS_END.search(fold_lower(work))
    if thanks and fold_lower(text)[: thanks.start()].strip():
        work = _blank(work, thanks.start(), thanks.end())  # "…, xin cảm ơn đồng chí nhiều"
    greeting = _SALUTATION.match(fold_lower(work))
    if greeting and fold_lower(text)[greeting.end() :].strip():
        work = _blank(work, 0, greeting.end())  # "Kính gửi đồng chí, …"
    request = _REQUEST.match(fold_lower(work))
    said = len(request.group(0).rstrip()) if request else 0
    if request and text[said:].strip():  # the words it asks for (a phrase, a code) follow
        work = _blank(work, 0, said)
    return work


def searched_text(raw: str) -> str:
    """``raw`` without what parse_query does not search around it: a salutation, a request
    ("em muốn tìm tài liệu về …") and thanks; for the answer's header, which echoed "em muốn
    tìm tài liệu về báo cáo viên" (a tester's). ``raw`` as it is when nothing is left."""
    text = " ".join(normalize(raw or "").split())
    shown = " ".join(_unframed(text, text).split()).strip(" ,.;:!?")
    return shown or text


def without_period(text: str) -> str:
    """``text`` without the words that set its period ("tham nhũng trong năm 2022" →
    "tham nhũng"): the longest run of words whose removal leaves no date and the same words
    to search. ``text`` as it is when it names no period (or is too long to try)."""
    words = text.split()
    parsed = parse_query(text)
    if (parsed.date_from is None and parsed.date_to is None) or len(words) > MAX_PERIOD_WORDS:
        return text

    def searched(p: ParsedQuery) -> tuple[object, ...]:
        # What is searched besides the period: words, codes, phrases ("21-KL/TW năm 2023"
        # lost its code with its year, a tester's "bỏ lọc").
        words = [t.exact for t in p.content_terms]
        phrases = [[t.exact for t in ph] for ph in p.phrases]
        return words, p.codes, phrases, p.required_phrases, p.question

    kept = searched(parsed)
    for size in range(len(words), 0, -1):
        for i in range(len(words) - size + 1):
            rest = " ".join(words[:i] + words[i + size :])
            left = parse_query(rest)
            if (
                left.date_from is None
                and left.date_to is None
                and (left.newest, left.oldest) == (parsed.newest, parsed.oldest)
            ):
                if searched(left) == kept:
                    return rest
    return text


_ENGLISH_ORDER = re.compile(r"\b(?:latest|newest|most recent|oldest|earliest)(?: first)?\b")


def without_order(text: str) -> str:
    """``text`` without what asks for an order by date ("mới nhất", "cũ nhất", "từ cũ đến
    mới"), for a follow-up that asks for the other order."""
    folded = fold_lower(text)  # one character per character: offsets hold in ``text``
    for pattern in (_NEWEST, _OLDEST, _ENGLISH_ORDER):
        for m in pattern.finditer(folded):
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return " ".join(text.split())


def is_place(text: str) -> bool:
    """Whether ``text`` names a place: capitalised throughout ("Cần Thơ", "TP.HCM") or a
    province typed in lower case ("can tho")."""
    words = text.split()
    if not words:
        return False
    return all(w[:1].isupper() for w in words) or tuple(fold_lower(text).split()) in (
        PLACE_SYLLABLES
    )


def without_places(text: str) -> str:
    """``text`` without the place it is about ("sinh hoạt chi bộ ở Cần Thơ" → "sinh hoạt chi
    bộ"): "ở", "tại" or "in" and the capitalised words or province after it."""
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        if fold_lower(words[i]) in {"o", "tai", "in"} and i + 1 < len(words):
            end = i + 1
            while end < len(words) and words[end][:1].isupper():
                end += 1
            for size in (4, 3, 2) if end == i + 1 else ():
                if tuple(fold_lower(" ".join(words[i + 1 : i + 1 + size])).split()) in (
                    PLACE_SYLLABLES
                ):
                    end = i + 1 + size
                    break
            if end > i + 1:
                i = end
                continue
        out.append(words[i])
        i += 1
    return " ".join(out)


def parse_query(
    raw: str,
    taxonomy: Taxonomy | None = None,
    *,
    read_codes: bool = True,
    is_word: Callable[[str, str], bool] | None = None,
) -> ParsedQuery:
    """Split a user query into keywords, quoted phrases, codes, exclusions and a date range.
    ``read_codes=False`` leaves document codes as the words they are written with.

    ``is_word(a, b)`` says whether two folded syllables side by side are a word the
    documents use: then "-đấu thầu" leaves out the word "đấu thầu", as a Vietnamese reader
    means, rather than "đấu" with "thầu" wanted."""
    text = normalize(raw or "")[:MAX_QUERY_CHARS]
    # An entity typed or pasted ("tham nhũng &amp; tiêu cực") is its character, not a word.
    text = " ".join(html.unescape(_TAG.sub(" ", text)).split())
    # Chat shorthand ("có kết nạp dc ko", "làm ntn"): the words it stands for, so that a
    # question reads as one ("dc ko" kept a question's "năm nay" a filter; a tester's).
    text = _SHORTHAND_RE.sub(lambda m: SHORTHAND[m.group(0).lower()], text)
    parsed = ParsedQuery(raw=raw, text=text)
    work = text

    # Quoted phrases first (an unmatched quote is just punctuation). One word in quotes is a
    # keyword searched as typed, never corrected, in its place among the others.
    kept: list[tuple[int, Term]] = []
    wanted: list[tuple[int, Term]] = []  # the words of +"…"
    for m in _QUOTES.finditer(work):
        words = _terms(m.group(1))
        start = m.start()
        if _after_dash(work, start):
            # -"đấu thầu": documents with the phrase are left out, as with -word.
            if words:
                parsed.excluded_text.append(" ".join(t.exact for t in words[:MAX_TERMS]))
            if len(words) > 1:
                parsed.excluded_phrases.append([t.folded for t in words[:MAX_TERMS]])
            elif words:
                _exclude(parsed, words[0])
            work = _blank(work, start - 1, m.end())
            continue
        plus = start - 1 if start > 0 and work[start - 1] == "+" else start - 2
        if (
            plus >= 0
            and work[plus] == "+"
            and work[plus + 1 : start].strip() == ""
            and (plus == 0 or work[plus - 1].isspace())
        ):
            # +"Cần Thơ": wanted in every document found; searched as its words when the
            # query has no others (see below).
            if words:
                parsed.required_phrases.append([t.folded for t in words[:MAX_TERMS]])
                accented = any(t.accented for t in words[:MAX_TERMS])
                parsed.required_exact.append(
                    [t.exact for t in words[:MAX_TERMS]] if accented else []
                )
            wanted.extend(
                (m.start(1) + i, replace(w, stop=False)) for i, w in enumerate(words[:MAX_TERMS])
            )
            work = _blank(work, plus, m.end())
            continue
        if len(words) > 1:
            parsed.phrases.append(words[:MAX_TERMS])
        elif words:
            kept.append((m.start(1), replace(words[0], keep=True)))
        work = _blank(work, m.start(), m.end())

    work = _unframed(work, text)

    # "Kết luận 21-KL/TW ngày 25/10/2021": the day a code was issued is part of its name, no
    # period to search in (it filtered to that day: 2 documents of 15, a tester's).
    folded = fold_lower(work)
    for m in reversed(list(_ISSUED_ON.finditer(folded))):
        work = _blank(work, m.start("date"), m.end("date"))
    if read_codes:
        parsed.codes, parsed.excluded_codes, work = _codes(work, parsed.kind_mismatch)
    folded = fold_lower(work)

    # Question phrases: remember, then drop from the keywords.
    stripped = folded.strip(" ?!.…")
    parsed.question = (
        # A question mark after a few words is no question ("kết nạp đảng viên?" lost the
        # topic's list, and two of its articles, to a question's ranking; a tester's).
        (folded.rstrip().endswith("?") and len(stripped.split()) > SHORT_QUERY_WORDS)
        or bool(_QUESTION_START.match(stripped))
        or bool(_QUESTION_PHRASES.search(folded))
        or bool(_YES_NO.search(stripped))
    )
    for m in _QUESTION_PHRASES.finditer(folded):
        work = _blank(work, m.start(), m.end())
    folded = fold_lower(work)

    # "năm nay", "năm ngoái": this year and last, written as the year (the same length, so
    # every offset holds) and read as one.
    for m in _RELATIVE_YEAR.finditer(folded):
        year = datetime.now(VN).year - (m.group(1) != "nay")
        work = work[: m.start()] + f"{year}".ljust(m.end() - m.start()) + work[m.end() :]
    folded = fold_lower(work)
    newest = _NEWEST.search(folded)
    if newest is not None:
        # "bài mới nhất về kỷ luật", "có gì mới": the newest first, not the words "mới nhất"
        # (a tester's got "no document has every word" for them).
        parsed.newest = True
        work = _blank(work, _newest_start(work, newest, is_word), newest.end())
        folded = fold_lower(work)
        lead = _NEWS_LEAD.match(folded)
        words = folded.split()
        if lead is not None and len(words) > len(lead.group(0).split()):
            # "tin tham nhũng mới nhất": the news noun first is no word to search either
            # (4 results where "tin mới nhất về tham nhũng" has 29, a tester's); "tín
            # nhiệm" typed unaccented stays.
            after = words[len(lead.group(0).split())]
            typed = work[lead.start() : lead.end()].strip().lower()
            noun = typed.removeprefix("các ").removeprefix("những ")
            if typed != fold_lower(typed):  # typed with accents: the noun itself, or no noun
                drop = noun in _NEWS_NOUNS or noun == "bài báo"
            elif fold_lower(work) != work.lower() and typed.split()[-1] == "tin":
                drop = True  # "tin" among accented words: the noun ("tín" has its accent)
            else:  # all unaccented: the noun unless the next syllable makes a word with it
                drop = is_word is None or not is_word(typed.split()[-1], after)
            if drop:
                work = _blank(work, lead.start(), lead.end())
                folded = fold_lower(work)
    oldest = _OLDEST.search(folded)
    if oldest is not None:
        # "văn bản cũ nhất về kết nạp", "xếp từ cũ đến mới": by date, the oldest first (it
        # was searched as the words "cũ" and "nhất"); the last said wins over "mới nhất".
        parsed.oldest, parsed.newest = True, False
        work = _blank(work, _newest_start(work, oldest, is_word), oldest.end())
        folded = fold_lower(work)
    # "chỉ lấy năm 2022 thôi": the period, as a filter; the words saying so are no keywords.
    only = [
        m
        for m in (*_ONLY_BEFORE.finditer(work.lower()), *_ONLY_BEFORE_FOLDED.finditer(folded))
        if _PERIOD_AHEAD.match(folded, m.end())
    ]
    only += [m for m in _ONLY_AFTER.finditer(folded) if _PERIOD_BEHIND.search(folded, 0, m.start())]
    for m in only:
        work = _blank(work, m.start(), m.end())
    folded = fold_lower(work)
    relative = _RELATIVE_SPAN.search(folded)
    if relative is not None:
        # "tuần trước", "tháng này", "hôm qua", "7 ngày qua": days counted back from today
        # (they were searched as the words "tuần" and "trước", a tester's).
        parsed.date_from, parsed.date_to = _relative_period(relative)
        parsed.date_text = work[relative.start() : relative.end()].strip()
        work = _blank(work, relative.start(), relative.end())
        folded = fold_lower(work)
    no_quarter = _NO_QUARTER.search(folded) if relative is None else None
    if no_quarter is not None:
        # "quý V/2023": no such quarter; its year is searched, and the answer says so (it
        # was read as the words "quý", "v" without a word, a tester's).
        year = no_quarter.group("year")
        parsed.date_from, parsed.date_to = _period(None, None, year)
        parsed.year_terms.append(year)
        parsed.date_text = work[no_quarter.start() : no_quarter.end()].strip()
        parsed.date_widened = (parsed.date_text, year)
        work = _blank(work, no_quarter.start(), no_quarter.end())
        folded = fold_lower(work)
    span = _MONTHS_SPAN.search(folded) if no_quarter is None else None
    if span is not None:
        # "quý I/2023", "6 tháng đầu năm 2024", "từ tháng 3 đến tháng 6/2023": months of a
        # year, which the single dates below would read as the year, or its last month.
        first, last, year = _months_of(span)
        if span.group("quarter") or span.group("half"):
            parsed.report_days = REPORT_DAYS
        parsed.date_from, parsed.date_to = (
            _period(None, first, year)[0],
            _period(None, last, year)[1],
        )
        parsed.year_terms.append(year)
        parsed.date_text = work[span.start() : span.end()].strip()
        work = _blank(work, span.start(), span.end())
        folded = fold_lower(work)
    elif no_quarter is None and relative is None:
        _parse_dates(parsed, work, folded)
    if parsed.date_text:
        parsed.period_only = bool(only)
        for m in list(_DATE_FROM.finditer(folded)) + list(_DATE_TO.finditer(folded)):
            work = _blank(work, m.start(), m.end())
        folded = fold_lower(work)
        for m in _DATE_IN.finditer(folded):
            work = _blank(work, m.start(), m.end())
        if " ".join(re.findall(r"\w+", fold_lower(work))) in _NEWS_WORDS:
            # "tin hôm nay", "bài tuần trước": the period's newest, not the word "tin"
            # (which found "tín nhiệm" articles, a tester's).
            parsed.newest = True
            work = " " * len(work)

    # Exclusions: "-word" at the start of a word; "-đấu thầu" when that is a word.
    for m in re.finditer(r"(?:(?<=\s)|^)-([^\W_][\w]*)(?:\s+([^\W_\d][\w]*))?", work):
        first, second = _term(m.group(1)), m.group(2) and _term(m.group(2))
        if second and not (first.stop or second.stop) and is_word is not None:
            if is_word(first.folded, second.folded):
                parsed.excluded_phrases.append([first.folded, second.folded])
                parsed.excluded_text.append(f"{first.exact} {second.exact}")
                work = _blank(work, m.start(), m.end())
                continue
        _exclude(parsed, first)
        parsed.excluded_text.append(first.exact)
        work = _blank(work, m.start(), m.end(1))

    tokens = [t for t in tokenize(work) if len(t.text) <= MAX_TOKEN_CHARS]
    placed = [(t.start, _term(t.text)) for t in tokens]
    if not text.isupper():
        # An acronym in capitals ("KPI", "FDI") is searched as typed, never "corrected" to a
        # Vietnamese word ("kịp"); a query typed all in capitals is just that.
        placed = [
            (start, replace(term, keep=True) if _acronym(work, start, term) else term)
            for start, term in placed
        ]
        # A function word capitalised beside another capitalised word is part of a name:
        # "Sơn La", "Mường Nhé", "Ba Vì", "Long An", "Cái Răng" are places, not "sơn là".
        # The neighbour must be a word of its own ("Và Của" is no name), and a longer query
        # capitalised throughout ("Kết Nạp Đảng Viên Là Gì") says nothing by its capitals.
        named = [_capitalised(t.text) for t in tokens]
        title_case = len(named) >= 3 and all(named)
        word = [
            n and not term.stop and not title_case
            for n, (_, term) in zip(named, placed, strict=True)
        ]
        for i, (start, term) in enumerate(placed):
            beside = (i > 0 and word[i - 1]) or (i + 1 < len(word) and word[i + 1])
            # Capitals throughout: read as lower case, its places found as in lower case
            # below ("Tham Nhũng Quảng Ninh" read as one four-word name found 24 documents
            # where "tham nhũng Quảng Ninh" finds 77, a tester's).
            if named[i] and not title_case:
                placed[i] = (start, replace(term, capital=True, stop=term.stop and not beside))
    placed = _places_named(placed)
    if not any(not term.stop for _, term in placed + kept) and not (parsed.codes or parsed.phrases):
        # Only a place or subject required (+"Huế"): its words are what is searched. With
        # other words, a code or a phrase, it filters and they rank ("Kết luận 21 +"TP.HCM""
        # listed every article naming the city, a tester's): searched too, a budget story with
        # "TP.HCM" in its title led "sinh hoạt chi bộ +"TP.HCM"" over the three articles on
        # it (a tester's).
        kept += wanted
    parsed.terms.extend(term for _, term in sorted(placed + kept, key=lambda item: item[0]))
    del parsed.terms[MAX_TERMS:]
    if parsed.day_dated and len(parsed.content_terms) >= PASTED_TERMS:
        # A pasted lead ("Ngày 9/9/2024, Ban Thường vụ Tỉnh ủy … sơ kết … những điều đảng
        # viên không được làm") dates the event it reports, not the documents wanted: as a
        # filter it left the article itself and a storm report of that day (a tester's).
        parsed.date_from = parsed.date_to = parsed.date_text = parsed.date_widened = None
        parsed.year_terms.clear()
    _drop_contradicted(parsed)
    if taxonomy is not None:
        parsed.topic, parsed.topic_hint = match_topic(parsed, taxonomy)
        if parsed.question and parsed.topic:
            # A question is answered by ranking, with its topic as a soft boost, not a listing.
            parsed.topic, parsed.topic_hint = None, parsed.topic
    return parsed


# Provinces and centrally run cities as articles name them: typed in lower case ("ket nap dang
# vien o ha giang"), a place is the name it is capitalised ("Hà Giang"), not two syllables
# ("giảng" in "giảng đường" led a tester's answer).
_PLACES = """
an giang;bà rịa vũng tàu;vũng tàu;bắc giang;bắc kạn;bạc liêu;bắc ninh;bến tre;bình định;
bình dương;bình phước;bình thuận;cà mau;cần thơ;cao bằng;đà nẵng;đắk lắk;đắk nông;điện biên;
đồng nai;đồng tháp;gia lai;hà giang;hà nam;hà nội;hà tĩnh;hải dương;hải phòng;hậu giang;
hưng yên;khánh hòa;kiên giang;kon tum;lai châu;lâm đồng;lạng sơn;lào cai;long an;nam định;
nghệ an;ninh bình;ninh thuận;phú thọ;phú yên;quảng bình;quảng nam;quảng ngãi;quảng ninh;
quảng trị;sóc trăng;sơn la;tây ninh;thái nguyên;thanh hóa;thừa thiên huế;tiền giang;trà vinh;
tuyên quang;vĩnh long;vĩnh phúc;yên bái;hồ chí minh;tây nguyên;hòa bình;thái bình
"""
# Also everyday words in lower case ("hòa bình" is peace): a place only when capitalised.
_PLACE_WORDS = frozenset({"hòa bình", "thái bình"})
# Typed without accents, the letters of a commoner word: "dien bien" is mostly "(tự) diễn
# biến", "cao bang" the "cào bằng" of evaluations. A place when typed with its accents.
_PLACE_FOLDS_ELSEWHERE = frozenset({("dien", "bien"), ("cao", "bang")})
PLACE_SYLLABLES = {
    tuple(fold_lower(p).split()): tuple(p.split())
    for p in (" ".join(x.split()) for x in _PLACES.split(";"))
    if p and p not in _PLACE_WORDS
}


def _places_named(placed: list[tuple[int, Term]]) -> list[tuple[int, Term]]:
    """``placed`` with the syllables of a place typed in lower case marked as a name's, as
    capitals would have (see _PLACES): unaccented, or with the place's own accents."""
    out = list(placed)
    i = 0
    while i < len(out):
        for size in (4, 3, 2):
            run = [term for _, term in out[i : i + size]]
            place = PLACE_SYLLABLES.get(tuple(t.folded for t in run))
            if len(run) < size or place is None or any(t.capital or t.keep for t in run):
                continue
            if not any(t.accented for t in run) and (
                tuple(t.folded for t in run) in _PLACE_FOLDS_ELSEWHERE
            ):
                continue
            if all(not t.accented or t.exact == w for t, w in zip(run, place, strict=True)):
                for j in range(i, i + size):
                    start, term = out[j]
                    out[j] = (start, replace(term, capital=True, stop=False))
                i += size - 1
                break
        i += 1
    return out


def _drop_contradicted(parsed: ParsedQuery) -> None:
    """A word both wanted and excluded cannot be both: the exclusion, typed on purpose after
    a dash, wins, and the answer says so. "-tham" rules out every "tham"; "-những" rules out
    no "nhũng", which stays wanted."""
    excluded, exact = set(parsed.excluded), set(parsed.excluded_exact)

    def ruled_out(term: Term) -> bool:
        return not term.stop and (term.folded in excluded or term.exact in exact)

    for term in [*parsed.terms, *(t for phrase in parsed.phrases for t in phrase)]:
        if ruled_out(term) and term.exact not in parsed.contradicted:
            parsed.contradicted.append(term.exact)
    parsed.terms = [t for t in parsed.terms if not ruled_out(t)]
    # A quoted phrase with a word excluded ('"tham nhũng" -nhũng') can be in no document
    # left: none is searched, rather than its loose words.
    parsed.phrases = [p for p in parsed.phrases if not any(ruled_out(t) for t in p)]


# A code written whole and the day it was issued, on the folded query, as a citation writes
# them: "21-KL/TW ngày 25/10/2021", "124-QĐ/TW ngày 10 tháng 10 năm 2023". ("Kết luận 21 ngày
# 1/6/2022" is the articles of that day on it.)
_ISSUED_ON = re.compile(
    r"(?<!\w)\d{1,4}\s*-\s*[a-z]{1,5}\s*/\s*[a-z]{2,6}(?!\w)"
    r"\s*,?\s*(?:(?:ban hanh|ky) )?(?P<date>ngay \d{1,2}(?:\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
    r"| thang \d{1,2},? nam \d{4}))(?!\w)"
)
SHORT_QUERY_WORDS = 4  # a query of this many words is a subject, with or without "?"
_RELATIVE_YEAR = re.compile(r"\bnam (nay|ngoai)\b")  # not "năm qua": a report's own year
# A request for the newest documents, on the folded query: "(các) bài/tin mới nhất (về)",
# "gần đây nhất", "tin mới", "có gì mới". Not "mới" alone: "đảng viên mới" are new members.
_NEWEST = re.compile(
    r"(?<!\w)(?:(?:cap nhat|xem) )?(?P<plural>(?:cac|nhung) )?(?P<noun>(?:tin tuc|tin|bai viet|bai|tai lieu|van ban"
    r"|thong tin) )?"
    r"(?:moi nhat|gan day nhat|gan nhat)(?: (?:ve|cua))?(?!\w)"
    # "dạo này có gì mới", "có văn bản mới nào không" too (a tester's).
    r"|(?<!\w)(?:(?:dao nay|gan day) )?(?:co gi moi|co tin gi(?: moi)?|tin moi|bai moi)"
    r"(?: (?:ve|cua))?(?!\w)"
    r"|(?<!\w)(?:co )?(?:van ban|tai lieu|bai viet|bai|tin) moi nao(?!\w)"
    # "kỷ luật gần đây", "kết nạp thời gian gần đây", "mới đây": searched as words, 2017
    # articles first (a tester's).
    r"|(?<!\w)(?:(?:trong|nhung) )?(?:thoi gian )?(?:gan day|moi day)(?: (?:ve|cua))?(?!\w)"
)
# ... and for the oldest: "(các) bài cũ nhất (về)", "sớm nhất", "từ cũ đến mới", "cũ trước".
# Not "cũ" alone ("trụ sở cũ") nor "đầu tiên" ("lần đầu tiên", "chi bộ đầu tiên").
_OLDEST = re.compile(
    r"(?<!\w)(?:(?:xem|xep|sap xep|liet ke) )?(?P<plural>(?:cac|nhung) )?(?P<noun>(?:tin tuc|tin|bai viet|bai"
    r"|tai lieu|van ban|thong tin) )?"
    r"(?:cu nhat|som nhat|xua nhat|lau nhat|(?:theo thu tu )?tu cu (?:den|toi|sang) moi"
    r"|(?:theo )?(?:ngay|thoi gian) cu (?:nhat )?truoc|cu truoc"
    # "những bài đầu tiên về kết nạp": with the noun only ("chi bộ đầu tiên" is a branch).
    r"|(?(noun)dau tien|(?!)))(?: (?:ve|cua))?(?!\w)"
)
# "chỉ (lấy) (các bài) (trong) năm 2022", accented: folded, "chi" is "thu chi năm 2022" too.
_ONLY_BEFORE = re.compile(
    r"(?<!\w)chỉ(?: (?:lấy|tìm|xem|cần|những|các|bài|tin|tài liệu|văn bản))*(?: (?:trong|vào))?"
    r"(?= )"
)
_ONLY_BEFORE_FOLDED = re.compile(
    r"(?<!\w)chi (?:lay|tim|xem)(?: (?:nhung|cac|bai|tin|tai lieu|van ban))*(?: (?:trong|vao))?"
    r"(?= )"
)
_PERIOD_AHEAD = re.compile(r" (?:nam|quy|thang|tuan|hom|ngay|tu|\d{4})(?!\w)")
# "… năm 2022 thôi (nhé)": at the end only ("năm 2022 thôi việc" is quitting a job).
_ONLY_AFTER = re.compile(r"(?<= )thoi(?: (?:nhe|nha|a))?(?=[\s.!?…]*$)")
_PERIOD_BEHIND = re.compile(r"(?:\d|nay|ngoai|qua|truoc)\s+$")
_NEWS_NOUNS = frozenset({"tin tức", "tin", "bài viết", "bài", "tài liệu", "văn bản", "thông tin"})
# A news noun the query starts with, as "… mới nhất" reads it ("tin tham nhũng mới nhất").
_NEWS_LEAD = re.compile(
    r"\s*(?:(?:cac|nhung) )?(?:tin tuc|tin|bai viet|bai bao|bai|tai lieu|van ban|thong tin)(?= )"
)


def _newest_start(
    work: str, match: re.Match[str], is_word: Callable[[str, str], bool] | None
) -> int:
    """Where "… mới nhất" starts: the plural and the noun before it only when typed with
    their own accents, or unaccented but no word with the syllable before them ("tham
    nhũng mới nhất" lost "nhũng" as "những", and with it two thirds of its documents; a
    tester's)."""
    before = fold_lower(work[: match.start()]).split()
    for name, words in (("plural", {"các", "những"}), ("noun", _NEWS_NOUNS)):
        if match.group(name) is None:
            continue
        typed = work[match.start(name) : match.end(name)].strip().lower()
        if typed == fold_lower(typed):  # unaccented: a word with the syllable before?
            first = fold_lower(typed).split()[0]
            other = bool(before) and is_word is not None and is_word(before[-1], first)
        else:
            other = typed not in words
        if other:
            return match.end(name)  # another word of those letters: left in the query
        before = []  # the plural read as such: the noun follows it, not a word before
    return match.start()


# What a period alone may be asked with: "tin hôm nay" is the day's newest documents.
_NEWS_WORDS = frozenset(
    {"tin", "tin tuc", "thong tin", "bai", "bai viet", "bai bao", "tai lieu", "van ban"}
)
# Periods counted back from today, on the folded query. Not "3 tháng trước" (three months ago:
# a month, not this one) nor "hằng tháng, trước …" (the comma parts them).
_RELATIVE_SPAN = re.compile(
    r"(?<![\w/-])(?:(?<![0-9] )(?P<unit>tuan|thang) (?P<which>truoc|nay|qua|vua qua)"
    r"|hom (?P<day>nay|qua)"
    r"|(?P<n>[0-9]{1,12}) (?P<per>ngay|tuan|thang|nam) (?:qua|gan day|vua qua))(?![\w/-])"
)


MAX_PAST_DAYS = 36_500  # "N ngày qua" reaches back a hundred years at most


def _relative_period(m: re.Match[str]) -> tuple[datetime, datetime]:
    """The days a relative period names, Vietnam time, as naive UTC (end exclusive): this or
    last week (from Monday) or month, today, yesterday, the past N days; "tuần qua" and
    "tháng qua" are the past 7 and 30 days, as the news uses them."""
    today = datetime.now(VN).replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today + timedelta(days=1)
    unit, which = m.group("unit"), m.group("which")
    if m.group("day") is not None:
        start = today if m.group("day") == "nay" else today - timedelta(days=1)
        end = start + timedelta(days=1)
    elif m.group("n") is not None:
        # "2 tuần qua", "3 tháng qua": weeks of 7 days, months of 30, years of 365; at most
        # MAX_PAST_DAYS back ("99999999 ngày qua" was searched as a word, a tester's).
        days = int(m.group("n")) * {"ngay": 1, "tuan": 7, "thang": 30, "nam": 365}[m.group("per")]
        start, end = tomorrow - timedelta(days=min(MAX_PAST_DAYS, max(1, days))), tomorrow
    elif which in ("qua", "vua qua"):
        start, end = tomorrow - timedelta(days=7 if unit == "tuan" else 30), tomorrow
    elif unit == "tuan":
        monday = today - timedelta(days=today.weekday())
        start, end = (monday, tomorrow) if which == "nay" else (monday - timedelta(days=7), monday)
    else:
        first = today.replace(day=1)
        if which == "nay":
            start, end = first, tomorrow
        else:
            start, end = (first - timedelta(days=1)).replace(day=1), first
    return (
        start.astimezone(UTC).replace(tzinfo=None),
        end.astimezone(UTC).replace(tzinfo=None),
    )


REPORT_DAYS = 45  # after a quarter or a half year, the weeks its reports come out in
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# Months of one year, on the folded query: a quarter, a half, or "from month to month".
_MONTHS_SPAN = re.compile(
    rf"\b(?:trong\s+)?quy\s+(?P<quarter>iv|iii|ii|i|[1-4])(?:\s*[/.-]\s*|\s+(?:nam\s+)?){_YEAR}\b"
    rf"|\b(?:trong\s+)?(?:6|sau)\s+thang\s+(?P<half>dau|cuoi)\s+nam\s+(?P<half_year>19[4-9]\d|20\d\d)\b"
    rf"|\b(?:tu\s+)?thang\s+(?P<first>\d{{1,2}})\s*(?:den|toi|-|–)\s*(?:thang\s+)?(?P<last>\d{{1,2}})"
    rf"(?:\s*[/.-]\s*|\s+nam\s+)(?P<range_year>19[4-9]\d|20\d\d)\b"
)


# A quarter no year has: "quý V/2023", "quý 5 năm 2023".
_NO_QUARTER = re.compile(
    rf"\b(?:trong\s+)?quy\s+(?:viii|vii|vi|v|ix|x|[5-9]|[1-9]\d)(?:\s*[/.-]\s*|\s+(?:nam\s+)?){_YEAR}\b"
)


def _months_of(m: re.Match[str]) -> tuple[str, str, str]:
    """(first month, last month, year) of a :data:`_MONTHS_SPAN` match."""
    if m.group("quarter"):
        q = _QUARTERS[m.group("quarter")]
        return str(3 * q - 2), str(3 * q), m.group("year")
    if m.group("half"):
        first = 1 if m.group("half") == "dau" else 7
        return str(first), str(first + 5), m.group("half_year")
    first, last = sorted((int(m.group("first")), int(m.group("last"))))
    return str(max(1, first)), str(min(12, last)), m.group("range_year")


def _widened(day: str | None, month: str | None, year: str) -> str | None:
    """What is searched for a date the calendar does not have: its month ("31/02/2023" is
    "2/2023") or its year ("13/2023" is "2023"); None when the calendar has it."""
    if month and not 1 <= int(month) <= 12:
        return year
    if day and month:
        start, end = _period(day, month, year)
        if end - start > timedelta(days=1):
            return f"{int(month)}/{year}"
    return None


# A law's name before a year: "Luật Phòng, chống tham nhũng 2018", "Hiến pháp năm 2013"
# (not "kỷ luật" nor "pháp luật", which are no law's name).
_LAW_BEFORE = re.compile(
    r"(?:\b(?<!ky )(?<!phap )(?:bo )?luat|\bhien phap|\bphap lenh)\b[^.;!?]{0,60}$"
)


# The second of two years: "năm 2023 và (năm) 2024", "năm 2022 - 2023".
_AND_YEAR = re.compile(
    r"\s*(?:va|-|–|den|toi|hoac)\s*(?:nam\s+)?(?P<year>(?:19|20)\d\d)(?![\d/.-])"
)


def _law_year(folded: str, m: re.Match[str]) -> bool:
    """Is the year ``m`` found (a year alone) part of a law's name?"""
    day, month, _ = _day_month_year(m)
    return day is None and month is None and bool(_LAW_BEFORE.search(folded[: m.start()]))


def _parse_dates(parsed: ParsedQuery, work: str, folded: str) -> None:
    spans: list[str] = []
    found: list[tuple[str | None, str | None, str]] = []  # each date's day, month, year
    beyond = False  # "sau 2024" or "trước 2022": the date itself is left out
    for m in _DATE_FROM.finditer(folded):
        parts = _day_month_year(m)
        start, end = _period(*parts)
        beyond |= fold_lower(m.group(0)).startswith("sau")
        parsed.date_from = end if fold_lower(m.group(0)).startswith("sau") else start
        parsed.year_terms.append(parts[2])
        spans.append(work[m.start() : m.end()])
        found.append(parts)
    for m in _DATE_TO.finditer(folded):
        parts = _day_month_year(m)
        start, end = _period(*parts)
        before = fold_lower(m.group(0)).startswith("truoc")
        beyond |= before
        parsed.date_to = start if before else end
        parsed.year_terms.append(parts[2])
        spans.append(work[m.start() : m.end()])
        found.append(parts)
        opening = [*_DATE_IN.finditer(folded[: m.start()])]
        if parsed.date_from is None and not before and opening:
            # "năm 2022 đến năm 2023": a range without its "từ" (its start was dropped, and
            # 2021 came in: a tester's).
            first = _day_month_year(opening[-1])
            parsed.date_from = _period(*first)[0]
            parsed.year_terms.append(first[2])
            spans.insert(0, work[opening[-1].start() : opening[-1].end()])
            found.insert(0, first)
    if (
        parsed.date_from is not None
        and parsed.date_to is not None
        and parsed.date_from >= parsed.date_to
        and len(found) == 2
        and not beyond
    ):
        # "từ 2024 đến 2022": the two ends written the other way round; the period between.
        (a_start, a_end), (b_start, b_end) = (_period(*parts) for parts in found)
        parsed.date_from, parsed.date_to = min(a_start, b_start), max(a_end, b_end)
    if parsed.date_from is None and parsed.date_to is None:
        m = _DATE_IN.search(folded)
        if m and _law_year(folded, m):
            m = None  # "Luật Phòng, chống tham nhũng 2018": the law's name, not a period
        if m:
            parts = _day_month_year(m)
            parsed.date_from, parsed.date_to = _period(*parts)
            parsed.year_terms.append(parts[2])
            parsed.day_dated = parts[0] is not None
            if parts[0] is None and parts[1] is None:
                parsed.named_year = parts[2]
                # "nhiệm kỳ 2025" is a term that year begins or ends ("nhiệm kỳ 2025-2030").
                parsed.term_year = bool(_TERM_BEFORE.search(folded[: m.start()]))
            end = m.end()
            both = _AND_YEAR.match(folded, m.end())
            if both is not None and m.group(0).startswith("nam") and parts[:2] == (None, None):
                # "năm 2023 và 2024", "năm 2022 - 2023": both years, not the first alone (a
                # tester's).
                last = both.group("year")
                if last > parts[2]:
                    parsed.date_to = _period(None, None, last)[1]
                    parsed.year_terms.append(last)
                    parsed.named_year = None
                    end = both.end()
            spans.append(work[m.start() : end])
            found.append(parts)
    if spans:
        parsed.date_text = ", ".join(s.strip() for s in spans)
    for parts, span in zip(found, spans, strict=True):
        widened = _widened(*parts)
        if widened:
            parsed.date_widened = (span.strip(), widened)
            break


# --- topics -----------------------------------------------------------------------------------

# Phrases that, typed alone, name a whole topic (compared folded, punctuation removed), on top
# of each topic's slug and names. Narrower concepts ("kê khai tài sản", "thi hành kỷ luật",
# "quy hoạch cán bộ") are keyword searches: their user wants those articles ranked, not the
# whole topic newest first. The taxonomy's keywords are such concepts and are not used here.
TOPIC_PHRASES: dict[str, tuple[str, ...]] = {
    "inspection": (
        "kiểm tra giám sát",
        "kiểm tra, giám sát",
        "công tác kiểm tra",
        "công tác kiểm tra giám sát",
        "kiểm tra giám sát kỷ luật đảng",
        "kiểm tra giám sát và kỷ luật đảng",
    ),
    "admission": (
        "kết nạp đảng viên",
        "kết nạp đảng",
        "kết nạp",
        "phát triển đảng viên",
        "kết nạp đảng viên mới",
        "phát triển đảng viên mới",
        "công tác phát triển đảng viên",
    ),
    "anti_corruption": (
        "tham nhũng",
        "chống tham nhũng",
        "phòng chống tham nhũng",
        "phòng, chống tham nhũng",
        "phòng chống tham nhũng tiêu cực",
        "tham nhũng tiêu cực",
        "pctn",
    ),
    "cadres": ("công tác cán bộ", "công tác tổ chức cán bộ"),
    "grassroots": (
        "tổ chức cơ sở đảng",
        "sinh hoạt chi bộ",
        "chất lượng sinh hoạt chi bộ",
        "xây dựng tổ chức cơ sở đảng",
    ),
    "ideology": (
        "công tác tư tưởng",
        "chính trị tư tưởng",
        "công tác chính trị tư tưởng",
        "công tác tuyên giáo",
        "tuyên truyền",
        "công tác tuyên truyền",
    ),
    "mass_mobilization": ("dân vận", "công tác dân vận", "công tác dân vận của đảng"),
    "rectification": (
        "xây dựng chỉnh đốn đảng",
        "xây dựng, chỉnh đốn đảng",
        "chỉnh đốn đảng",
        "xây dựng đảng",
        "công tác xây dựng đảng",
    ),
}

_PUNCT = re.compile(r"[^\w]+")


def _phrase_key(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", fold_lower(normalize(text)).replace("_", " ")).split())


_PHRASE_CACHE: dict[tuple[int, bool], dict[str, str]] = {}


def topic_phrases(taxonomy: Taxonomy, *, hints: bool = False) -> dict[str, str]:
    """Folded phrase → slug: each topic's slug and names, and TOPIC_PHRASES.

    With ``hints``, also the taxonomy's keywords of two syllables or more: a question that
    contains one ("… kê khai tài sản …?") gets that topic as a soft boost.
    """
    key = (id(taxonomy), hints)
    cached = _PHRASE_CACHE.get(key)
    if cached is not None:
        return cached
    phrases: dict[str, str] = {}
    for topic in taxonomy:
        candidates = [topic.slug, topic.name_vi, topic.name_en, *TOPIC_PHRASES.get(topic.slug, ())]
        if hints:
            candidates += [k for k in topic.keywords if len(k.split()) >= 2]
        for phrase in candidates:
            phrases.setdefault(_phrase_key(phrase), topic.slug)
    if len(_PHRASE_CACHE) > 8:
        _PHRASE_CACHE.clear()
    _PHRASE_CACHE[key] = phrases
    return phrases


# Abbreviations cadres type for names articles usually spell out (folded).
ABBREVIATIONS = {
    "ubkt": "uy ban kiem tra",
    "mttq": "mat tran to quoc",
    "pctn": "phong chong tham nhung",
    "hdnd": "hoi dong nhan dan",
    "dbqh": "dai bieu quoc hoi",
    "ubnd": "uy ban nhan dan",
    "bch": "ban chap hanh",
    "btv": "ban thuong vu",
    "bcd": "ban chi dao",
    "ccb": "cuu chien binh",
    "cbdv": "can bo dang vien",
    "cb": "can bo",  # "cb bị kỷ luật" (a tester's: "no document has: cb")
    "dv": "dang vien",  # "kết nạp đv" (a tester's: "no document has: đv")
    "tw": "trung uong",  # "UBKT TW"; a code's "/TW" still matches it too
    "tncs": "thanh nien cong san",
    "dtn": "doan thanh nien",
    "lhpn": "lien hiep phu nu",
    "ktgs": "kiem tra giam sat",
    "thpt": "trung hoc pho thong",
    "thcs": "trung hoc co so",
    "ctv": "cong tac vien",
    "tphcm": "tp hcm",  # "TP.HCM", as the city is mostly written
    "daklak": "dak lak",  # the province's name in one word, as in its web addresses
    "daknong": "dak nong",
}


def topics_containing(text: str, taxonomy: Taxonomy) -> list[str]:
    """The topics one of whose names or phrases holds ``text``'s words in a row ("kiểm tra"
    is in "kiểm tra giám sát"; "xây dựng" in a phrase of two topics), in taxonomy order."""
    key = _phrase_key(text)
    if not key:
        return []
    found = {
        slug for phrase, slug in topic_phrases(taxonomy).items() if f" {key} " in f" {phrase} "
    }
    return [t.slug for t in taxonomy if t.slug in found]


def resolve_topic(text: str, taxonomy: Taxonomy) -> list[str]:
    """The topics ``text`` may name, as a cadre or an admin types one: its slug or name
    ("admission", "Kết nạp và phát triển đảng viên"), one of its phrases ("kết nạp đảng
    viên"), or part of one ("kiểm tra", which may be in several: all are returned)."""
    text = text[:200]
    topics = list(taxonomy)
    number = text.strip().lstrip("[").rstrip("].")
    if number.isascii() and number.isdigit() and 1 <= int(number) <= len(topics):
        return [topics[int(number) - 1].slug]  # "/topic 3": the third of /topics' list
    topic = taxonomy.get(text.strip().lower()) or taxonomy.match_name(text)
    if topic is None:
        named = parse_query(text, taxonomy).topic
        topic = taxonomy.get(named) if named else None
    if topic is not None:
        return [topic.slug]
    found = topics_containing(text, taxonomy) or _closest_topics(text, taxonomy)
    if found:
        return found
    # "MTTQ", "UBKT": the name they stand for; "thamnhung", "ketnap dangvien": typed on a
    # phone without spaces (a tester's "/topic MTTQ" named no topic).
    words = _phrase_key(text).split()
    spelled = " ".join(ABBREVIATIONS.get(w, w) for w in words)
    if spelled != " ".join(words):
        found = resolve_topic(spelled, taxonomy)
        # Or a topic of which its name holds two words: "mặt trận" of "Mặt trận Tổ quốc".
        runs = itertools.pairwise(spelled.split())
        return found or next(
            (f for a, b in runs if (f := topics_containing(f"{a} {b}", taxonomy))), []
        )
    joined = "".join(words)
    return [
        t.slug
        for t in taxonomy
        if len(joined) >= MIN_JOINED_TOPIC
        and any(
            joined in phrase.replace(" ", "")
            for phrase, slug in topic_phrases(taxonomy).items()
            if slug == t.slug
        )
    ]


def _closest_topics(text: str, taxonomy: Taxonomy) -> list[str]:
    """The topics a mistyped name or phrase was meant for ("kiểm tar"): those with a run of
    as many words as typed that differs in a letter or two; nothing when none is that close."""
    key = _phrase_key(text)
    n = len(key.split())
    if not key or n > 8 or len(key) < 4:
        return []
    runs: dict[str, set[str]] = {}
    for phrase, slug in topic_phrases(taxonomy).items():
        words = phrase.split()
        for i in range(len(words) - n + 1):
            runs.setdefault(" ".join(words[i : i + n]), set()).add(slug)
    close = difflib.get_close_matches(key, list(runs), n=3, cutoff=0.8)
    found = {slug for run in close[:1] for slug in runs[run]}
    return [t.slug for t in taxonomy if t.slug in found]


def topic_spelling(parsed: ParsedQuery, taxonomy: Taxonomy) -> str | None:
    """The topic phrase a query names, as written, when a word typed with accents has other
    ones ("tham nhủng" is "tham nhũng"): the answer then says what it searched for. None
    when the accents typed are the phrase's, or none were typed."""
    if parsed.topic is None or not any(t.accented for t in parsed.terms):
        return None
    topic = taxonomy.get(parsed.topic)
    if topic is None:
        return None
    typed = [t for t in parsed.terms if not t.stop] or parsed.terms
    keys = {_phrase_key(" ".join(t.folded for t in typed)), _phrase_key(parsed.text)}
    spellings = [
        normalize(p).lower()
        for p in (topic.name_vi, *TOPIC_PHRASES.get(topic.slug, ()))
        if _phrase_key(p) in keys
    ]
    for written in spellings:
        words = _PUNCT.sub(" ", written).split()
        if len(words) == len(typed) and all(
            not t.accented or t.exact == w for t, w in zip(typed, words, strict=True)
        ):
            return None  # typed as written (or without accents, which is no typo)
    if not spellings:
        return None
    # As the user wrote it: no punctuation they did not type, their capitals ("Đãng" is
    # "Đảng", not "đảng").
    capitals = {fold_lower(t.text) for t in tokenize(parsed.text) if t.text[:1].isupper()}
    words = _PUNCT.sub(" ", spellings[0]).split()
    return " ".join(w[:1].upper() + w[1:] if fold_lower(w) in capitals else w for w in words)


def match_topic(parsed: ParsedQuery, taxonomy: Taxonomy) -> tuple[str | None, str | None]:
    """(topic the whole query names, topic phrase found inside a longer query).

    Only the keywords count: "kết nạp đảng viên năm 2022" names admission (with a date), while
    "kết nạp đảng viên ở doanh nghiệp tư nhân" is a keyword query with an admission hint.
    """
    if parsed.phrases or parsed.codes:
        return None, None  # an excluded word leaves the topic named: its listing excludes it
    phrases = topic_phrases(taxonomy)
    words = [t.folded for t in parsed.terms]
    content = [t.folded for t in parsed.terms if not t.stop]
    for candidate in (" ".join(words), " ".join(content)):
        if candidate and candidate in phrases:
            return phrases[candidate], None
    # The longest topic phrase inside the query, as a hint for question-like queries.
    joined = f" {' '.join(words)} "
    best: tuple[int, str] | None = None
    for spaced, slug in _hint_phrases(taxonomy):
        if spaced in joined and (best is None or len(spaced) > best[0]):
            best = (len(spaced), slug)
    return None, best[1] if best else None


_DERIVED: dict[tuple[str, int], tuple[dict[str, str], Any]] = {}


def _derived(name: str, phrases: dict[str, str], make: Callable[[dict[str, str]], Any]) -> Any:
    """``make(phrases)``, made once per set of phrases (every search asks for it)."""
    key = (name, id(phrases))
    cached = _DERIVED.get(key)
    if cached is not None and cached[0] is phrases:
        return cached[1]
    value = make(phrases)
    if len(_DERIVED) > 16:
        _DERIVED.clear()
    _DERIVED[key] = (phrases, value)
    return value


# Words a query may have besides a topic phrase and still name the topic: every fold of a
# function word, typed with or without accents ("nhung" as "những"), and the words of a date
# (its numbers too, below), which parse_query takes out of the keywords.
_BESIDE_TOPIC = (
    _FOLDED_STOPWORDS
    | frozenset(fold_lower(w) for w in STOPWORDS)
    | frozenset(["tu", "ke", "sau", "truoc", "den", "toi", "cho", "nam", "thang", "trong"])
)


def may_name_topic(text: str, taxonomy: Taxonomy | None) -> bool:
    """False when no topic phrase is made of the words of ``text`` (words besides it may
    only be function words or a date's): then ``parse_query(text)`` names no topic
    (:func:`match_topic` needs the query's words, or its content words, to be one), and a
    corrected typo need not be parsed again to find out (about 0.1 ms when caches are cold,
    measured at 100,000 documents)."""
    if taxonomy is None:
        return False  # parse_query matches topics only with a taxonomy
    word_sets = _derived(
        "words", topic_phrases(taxonomy), lambda phrases: [frozenset(p.split()) for p in phrases]
    )
    split = _phrase_key(text).split()
    if len(split) > MAX_TERMS:
        return True  # parse_query keeps the first MAX_TERMS: not worth telling apart
    words = set(split)
    others = {
        w
        for w in words
        if w not in _BESIDE_TOPIC and len(w) <= MAX_TOKEN_CHARS and not any(map(str.isdigit, w))
    }
    return any(phrase <= words and others <= phrase for phrase in word_sets)


def _hint_phrases(taxonomy: Taxonomy) -> list[tuple[str, str]]:
    """(" phrase ", slug) for the hint phrases of two syllables or more."""
    return _derived(
        "hints",
        topic_phrases(taxonomy, hints=True),
        lambda phrases: [(f" {p} ", slug) for p, slug in phrases.items() if len(p.split()) >= 2],
    )
