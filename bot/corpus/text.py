"""Vietnamese text: normalisation, accent folding, syllables, sentences, document codes.

Pure functions, no I/O and no ``telegram`` import. Everything downstream (parsing, search,
the classifier, summaries) goes through :func:`normalize` first, so the rest of the code can
assume NFC text with one tone-mark placement.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Combining tone marks (the five Vietnamese tones besides "ngang").
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

# Characters that break words or hide in copied web text.
# Regexes, not str.translate: translate pays a failed lookup for every ordinary character.
# Bidirectional overrides and isolates too: in a title they reorder what a reader sees.
_INVISIBLE = re.compile("[\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Cyrillic letters that look like Latin ones, in a word that mixes the two scripts ("kеt" with
# a Cyrillic е was "no document has: kеt"); a word all in Cyrillic is Russian and kept.
_LOOKALIKES = str.maketrans("аеорсухіјѕАВЕКМНОРСТХІЈЅ", "aeopcyxijsABEKMHOPCTXIJS")
_MIXED_WORD = re.compile(r"\b(?=[^\W\d_]*[a-zA-Z])(?=[^\W\d_]*[\u0400-\u04ff])[^\W\d_]+\b")
# A zero-width space marks a word break ("tham\u200bnhũng" is two words), so it is a space;
# but not inside a syllable, where copied text has it too ("k\u200bết": see _zero_width).
_SPACES = re.compile("[\u00a0\u2007\u202f\u2009\u200a\u200b\u3000\t\x0b\x0c]")
_ZERO_WIDTH_IN_WORD = re.compile(r"([^\W\d_]+)\u200b(?=([^\W\d_]+))")
# Control characters (NUL breaks PostgreSQL text) and lone surrogates (not encodable) never
# carry meaning in a document or a query; a separator, so the words beside stay two.
_CYRILLIC = re.compile("[\u0400-\u04ff]")
# A terminal's colour codes ("\x1b[31m") whole, not their escape alone: "[31m" was left as a
# word to search (a tester's).
_CONTROLS = re.compile("(?:\x1b\\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff])+")
# Full-width Latin letters and digits (an East Asian keyboard): "ｔｈａｍ" is "tham".
_FULLWIDTH = re.compile("[\uff01-\uff5e]")

# Open syllables ending in oa / oe / uy (not "quy") carry the tone on the first vowel in the
# traditional placement used by most Party newspapers ("hòa", "khỏe", "ủy"); the "new" style puts
# it on the second ("hoà", "khoẻ", "uỷ"). Both occur in the seeds; we keep the traditional one.
_TONE_CLUSTER = re.compile(
    r"(?<![qQ])([oOuU])([àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ])(?![^\W\d_])", re.UNICODE
)


def _move_tone(match: re.Match[str]) -> str:
    first, second = match.group(1), match.group(2)
    decomposed = unicodedata.normalize("NFD", second)
    base, tones = decomposed[:1], [c for c in decomposed[1:] if c in _TONES]
    if len(decomposed) != 2 or not tones:
        return match.group(0)
    wanted = "ae" if first in "oO" else "y"
    if base.lower() not in wanted:
        return match.group(0)
    return unicodedata.normalize("NFC", first + tones[0]) + base


def normalize(text: str) -> str:
    """Return ``text`` in NFC with one tone-mark placement and plain spaces.

    Line breaks are kept (they separate headline, date and body); other exotic spaces become
    ordinary spaces and invisible characters are removed.
    """
    if not text:
        return ""
    if "\r" in text or "\u2028" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    if _CONTROLS.search(text):
        text = _CONTROLS.sub(_separator, text)
    if text.isascii():
        return (
            _SPACES.sub(" ", text) if ("\t" in text or "\x0b" in text or "\x0c" in text) else text
        )
    if _FULLWIDTH.search(text):
        text = _FULLWIDTH.sub(lambda m: chr(ord(m.group(0)) - 0xFEE0), text)
    if "\u200b" in text:
        text = _ZERO_WIDTH_IN_WORD.sub(_zero_width, text)
    text = _SPACES.sub(" ", _INVISIBLE.sub("", text))
    if _CYRILLIC.search(text):
        text = _MIXED_WORD.sub(lambda m: m.group(0).translate(_LOOKALIKES), text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _TONE_CLUSTER.sub(_move_tone, text)


def _separator(m: re.Match[str]) -> str:
    # A space between two words, nothing where a space or the text's edge is already there.
    text, start, end = m.string, m.start(), m.end()
    edge = start == 0 or end == len(text) or text[start - 1].isspace() or text[end].isspace()
    return "" if edge else " "


def _zero_width(m: re.Match[str]) -> str:
    # Letters without a vowel are no syllable: "k\u200bết" is "kết", "tham\u200bnhũng" two words.
    syllables = all(
        any(_fold_char(c).lower() in "aeiouy" for c in run) for run in (m.group(1), m.group(2))
    )
    return m.group(1) + (" " if syllables else "")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char == "đ":
        return "d"
    if char == "Đ":
        return "D"
    if ord(char) < 0x80:
        return char
    category = unicodedata.category(char)
    if category == "Mn":
        # A stray combining mark that NFC could not compose: keep one character per input
        # character (so offsets map back) but make it a separator.
        return " "
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) > 1 and all(unicodedata.category(c) == "Mn" for c in decomposed[1:]):
        return decomposed[0]
    return char


class _FoldTable(dict[int, str]):
    """A lazily filled ``str.translate`` table, one output character per input character."""

    @staticmethod
    def value(key: int) -> str:
        return _fold_char.__wrapped__(chr(key))  # not through the cache: the arrays ask for all

    def __missing__(self, key: int) -> str:
        value = self[key] = self.value(key)
        return value


class _FoldLowerTable(_FoldTable):
    @staticmethod
    def value(key: int) -> str:
        value = _fold_char.__wrapped__(chr(key))
        lowered = value.lower()
        # "İ".lower() is two characters; keep the 1:1 mapping instead.
        return lowered if len(lowered) == 1 else value


_FOLD = _FoldTable()
_FOLD_LOWER = _FoldLowerTable()

# Long texts (documents, for snippets and indexing) fold through a lookup array over their
# UTF-16 code units, one entry per character of the Basic Multilingual Plane (128 KB): 10×
# faster than str.translate on a 1 KB article, slower on a word. A text with characters
# beyond it (emoji: two units each) or a lone surrogate takes str.translate.
_LUT_MIN_CHARS = 128
_LUTS: dict[int, np.ndarray] = {}


def _lookup_array(table: _FoldTable) -> np.ndarray:
    lut = _LUTS.get(id(table))
    if lut is None:  # built once per table on first use (~0.1 s)
        values = (ord(table.value(c)) for c in range(0x10000))
        # Every fold of a BMP character is in the BMP; kept as is otherwise, to be sure.
        lut = np.array([v if v <= 0xFFFF else c for c, v in enumerate(values)], dtype=np.uint16)
        _LUTS[id(table)] = lut
    return lut


def _translate(text: str, table: _FoldTable) -> str:
    if len(text) < _LUT_MIN_CHARS:
        return text.translate(table)
    try:
        units = text.encode("utf-16-le")
    except UnicodeEncodeError:  # a lone surrogate
        return text.translate(table)
    if len(units) != 2 * len(text):  # a character beyond the BMP
        return text.translate(table)
    codes = np.frombuffer(units, dtype=np.uint16)
    return _lookup_array(table).take(codes).tobytes().decode("utf-16-le")


_IY = re.compile(r"^(h|k|l|m|s|t|qu)([iy])([\u0300\u0301\u0303\u0309\u0323]?)$", re.IGNORECASE)


def iy_variant(word: str) -> str | None:
    """The other spelling of a syllable written with i or y after h, k, l, m, s, t or qu
    ("kỉ" → "kỷ", "lý" → "lí", "quy" → "qui"), both in use; None for any other word."""
    m = _IY.match(unicodedata.normalize("NFD", word))
    if m is None:
        return None
    vowel = {"i": "y", "y": "i", "I": "Y", "Y": "I"}[m.group(2)]
    return unicodedata.normalize("NFC", m.group(1) + vowel + m.group(3))


def fold(text: str) -> str:
    """Remove diacritics (đ→d included), keeping exactly one output character per input one.

    ``text`` should already be NFC (see :func:`normalize`); then ``len(fold(t)) == len(t)`` and
    offsets found in the folded text are valid in the original.
    """
    return _translate(text, _FOLD)


def fold_lower(text: str) -> str:
    """:func:`fold` and lower-case in one pass, still one character per character."""
    return _translate(text, _FOLD_LOWER)


def has_diacritics(text: str) -> bool:
    """True when ``text`` carries any Vietnamese accent or đ."""
    return fold(text) != text


@dataclass(frozen=True, slots=True)
class Token:
    """A syllable (or number) and where it sits in the text it came from."""

    text: str
    start: int
    end: int

    @property
    def key(self) -> str:
        """Accent-insensitive, lower-case form."""
        return fold_lower(self.text)


# A syllable is a run of letters/digits; numbers keep their inner separators ("2.200",
# "25.10.2021", "70,01") so they stay one token.
_TOKEN_RE = re.compile(r"\d+(?:[.,/]\d+)*|[^\W_]+", re.UNICODE)


# A folded Vietnamese syllable: onset, one to three vowels, coda. Loose (it lets some
# impossible ones through) but it rejects most one-edit garbage ("dangg", "dnag").
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnptk])?"
)


@lru_cache(maxsize=1)
def syllable_shapes() -> frozenset[str]:
    """Every string ``_SYLLABLE`` matches (69,240 of them, 14 ms and ~6 MB, made on first
    use): typo correction asks about some 300 one-edit variants of a word, and a set lookup
    is a fifth of a regex match."""
    onsets = ["", "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr"]
    onsets += list("bcdghklmnprstvx")
    vowels = ["".join(p) for n in (1, 2, 3) for p in itertools.product("aeiouy", repeat=n)]
    codas = ["", "ch", "ng", "nh", *"cmnptk"]
    return frozenset(o + v + c for o in onsets for v in vowels for c in codas)


def plausible_syllable(folded: str) -> bool:
    """True when ``folded`` (accent-folded, lower case) has the shape of a Vietnamese syllable."""
    return folded in syllable_shapes()


# Telex, the commonest Vietnamese input method, typed with it switched off: letters doubled or
# followed by "w" for the modified vowels and "đ", a last key for the tone ("ddangr" is "đảng").
_TELEX_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_TELEX_LETTERS = (
    ("uow", "ươ"), ("aa", "â"), ("aw", "ă"), ("ee", "ê"), ("oo", "ô"), ("ow", "ơ"), ("uw", "ư"),
    ("w", "ư"),
)  # fmt: skip
_TELEX_VOWELS = "aăâeêioôơuưy"
_MODIFIED = "ăâêôơư"


def telex_word(word: str) -> str | None:
    """``word`` as Telex would have made it ("ddangr": "đảng", "keets": "kết", "nhwngx":
    "những"), with one tone placement; None when it holds no Telex key or its letters make
    no Vietnamese syllable. No syllable ends in s, f, r, x or j, so a last one is a tone."""
    w = word.lower()
    if len(w) < 2 or not w.isascii() or not w.isalpha():
        return None
    tone = _TELEX_TONES.get(w[-1], "")
    body = w[:-1] if tone else w
    onset = ""
    if body.startswith("dd"):
        onset, body = "đ", body[2:]
    elif body.startswith("qu"):
        onset, body = "qu", body[2:]  # its u is no vowel: "quowr" is "quở", not "qưở"
    for keys, letter in _TELEX_LETTERS:
        body = body.replace(keys, letter)
    body = onset + body
    if body == w or fold_lower(body) not in syllable_shapes():
        return None
    if tone:
        # The vowel that takes the tone: a modified one, else the one before a final
        # consonant, else the first of two ("mía", "hòa") or the middle of three ("ngoái");
        # normalize() then puts it where this project does.
        start = 2 if body[:2] in ("gi", "qu") and body[2:3] and body[2:3] in _TELEX_VOWELS else 0
        vowels = [i for i, c in enumerate(body) if c in _TELEX_VOWELS and i >= start]
        if not vowels:
            return None
        run = [i for i in vowels if i - vowels[0] == vowels.index(i)]  # the first vowel run
        modified = [i for i in run if body[i] in _MODIFIED]
        if modified:
            at = modified[-1]
        elif len(run) == 1 or run[-1] + 1 < len(body):
            at = run[-1]
        else:
            at = run[len(run) // 2 - (len(run) == 2)]
        body = unicodedata.normalize("NFC", body[: at + 1] + tone + body[at + 1 :])
    return normalize(body)


def tokenize(text: str) -> list[Token]:
    """Split into syllables and numbers with their offsets."""
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def syllables(text: str) -> list[str]:
    """The syllables of ``text`` as accent-folded lower-case strings."""
    return [fold_lower(m.group(0)) for m in _TOKEN_RE.finditer(text)]


# --- sentences ---------------------------------------------------------------------------

# Abbreviations that end with a dot but do not end a sentence (compared folded, lower-case).
_ABBREVIATIONS = frozenset(
    [
        "tp",
        "tt",
        "tx",
        "q",
        "p",
        "h",
        "ts",
        "ths",
        "pgs",
        "gs",
        "bs",
        "ks",
        "cn",
        "ncs",
        "ttnd",
        "ttut",
        "nsnd",
        "nsut",
        "bsck",
        "ck",
        "ld",
        "ld-tbxh",
        "st",
        "v.v",
        "vv",
        "mr",
        "mrs",
        "ms",
        "dr",
        "ng",
        "th",
        "tr",
        "pho",
        "tr.tr",
        "k",
        "đ",
        "d",
    ]
)
_SENT_END = re.compile(r"([.!?…]+|\.\.\.)([\"”’»)\]]*)(\s+)")


_LAST_WORD = re.compile(r"([^\s(\[\"“]+)$")


def _is_abbreviation(before: str) -> bool:
    # Only the tail can hold the last word: searching the whole prefix made splitting a long
    # paragraph quadratic. A word cut to 64 characters still ends with the same segment.
    match = _LAST_WORD.search(before[-64:])
    if not match:
        return False
    word = match.group(1)
    key = fold_lower(word).rstrip(".")
    last = key.split(".")[-1]
    if key in _ABBREVIATIONS or last in _ABBREVIATIONS:
        return True
    # Initials such as "Hồ C. Minh" or "A." in a list.
    return len(word) == 1 and word.isupper()


QUOTE_MAX_CHARS = 400  # a quotation left open longer than this was never closed


def _inside_quote(piece: str) -> bool:
    """Does ``piece`` (a sentence so far) end inside a quotation it opened (“…, «…)?"""
    if len(piece) > QUOTE_MAX_CHARS:
        return False
    return piece.count("“") > piece.count("”") or piece.count("«") > piece.count("»")


def split_sentences(text: str, *, normalized: bool = False) -> list[str]:
    """Split into sentences; lines are always boundaries (headline, date and body).

    Survives ``TP. Hồ Chí Minh``, ``PGS.TS. Nguyễn``, ``25.10.2021``, ``2.200``,
    ``21-KL/TW``, domain names and ellipses followed by lower-case text. ``normalized=True``
    skips :func:`normalize` for text that already went through it (stored documents).
    """
    sentences: list[str] = []
    for line in (text if normalized else normalize(text)).split("\n"):
        line = line.strip()
        if not line:
            continue
        start = 0
        for match in _SENT_END.finditer(line):
            end = match.end(2)
            rest = line[match.end() :]
            if not rest:
                continue
            nxt = rest[0]
            # A sentence starts with an upper-case letter, a digit, a quote or a bullet.
            if not (nxt.isupper() or nxt.isdigit() or nxt in "\"“‘'(«-–•"):
                continue
            if (
                match.group(1) == "."
                and not match.group(2)
                and _is_abbreviation(line[start : match.start()])
            ):
                continue
            if _inside_quote(line[start:end]):
                # A quotation's sentences stay with it: a summary ended on "“Nhà tôi nằm
                # trong quy hoạch." and a snippet began with "…đúng đắn”, bà nhấn mạnh."
                continue
            sentence = line[start:end].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
        tail = line[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


# --- document codes ----------------------------------------------------------------------

# How each kind of document is named, with accents; matching runs on the folded text so that
# "ket luan 21" typed without accents works, but an accented word must be this exact word
# ("để ăn 5" is not "đề án 5").
_KIND_NAMES = {
    "nghị quyết": "NQ",
    "kết luận": "KL",
    "chỉ thị": "CT",
    "quy định": "QD",
    "quyết định": "QD",
    "hướng dẫn": "HD",
    "thông báo": "TB",
    "kế hoạch": "KH",
    "đề án": "DA",
    "quy chế": "QC",
    "thông tư": "TT",
    "nghị định": "ND",
    "công văn": "CV",
}
_KINDS = {fold_lower(name): abbr for name, abbr in _KIND_NAMES.items()}
_ACCENTED = {fold_lower(name): name for name in _KIND_NAMES}

# On folded text: 21-KL/TW, 35-NQ/TW, 124-QD/TW, 21-KL/TU, 05-CT/TW, 09-HD/BTCTW, 123/QD-UBND,
# 05/2022/ND-CP, and 08-QĐi/TW (the lower-case i of "Quy định" in 2018–2020 codes). A dot in
# the issuer ("T.Ư") only between letters: the full stop after "21-KL/TW." is not the code's.
_CODE_PATTERN = (
    r"(?<![\w/-])(\d{1,4})\s?-\s?([A-Z]{1,6}i?(?:-[A-Z]{1,6})?)\s?/\s?([A-Z](?:[A-Z]|\.(?=[A-Z])){0,9})(?![\w])"
    r"|(?<![\w/-])(\d{1,5})(?:/(\d{4}))?/([A-Z]{1,6})-([A-Z][A-Z0-9]{0,9})(?![\w])"
)
# After a number, what makes it part of a code ("35-NQ/TW", "35 - NQ/TW", "35/QĐ"), on lower-case
# folded text; " -word" (space, dash, a word) is a query's excluded word, not a code's kind.
_CODE_TAIL = r"-|\s?/|\s-\s|\s-[a-z]{1,6}i?(?:-[a-z]{1,6})?\s?/"
_ABBR = r"(nq|kl|ct|qdi|qd|hd)"  # a kind's abbreviation, as typed in a query (folded)
# Typed in a query: "QĐ 124", "KL 21", "NQ số 35", "qdi 08", "NQ TW4" — the kind's abbreviation and
# a number.
_ABBREVIATED_RE = re.compile(
    rf"(?<![\w/-]){_ABBR}\s*(?:so\s*)?(tw\s*)?(\d{{1,4}})(?![\d\w]|[.,]\d|" + _CODE_TAIL + ")"
)
# Typed in a query, with the issuer but not as written: "KL21/TW", "CT 05/TW", "21 KL TW",
# "21 KL/TW"; and without it: "21-KL", "qđ 08-qđi" (a tester's were searched as words).
_ABBREVIATED_SLASHED_RE = re.compile(
    rf"(?<![\w/-]){_ABBR}\s*(?:so\s*)?(\d{{1,4}})\s?/\s?(tw|tu)(?!\w)"
)
_SPACED_RE = re.compile(
    rf"(?<![\w/-])(\d{{1,4}})(?:\s*-\s*|\s+){_ABBR}(?:\s*/\s*|\s+)(tw|tu)(?!\w)"
)
_BARE_RE = re.compile(rf"(?<![\w/-])(?:{_ABBR}\s*(?:so\s*)?)?(\d{{1,4}})\s?-\s?{_ABBR}(?![\w/])")
# "Quy định 08 và 37", "Quy định 08, 37": more numbers of the same kind (37 was searched as a
# word, a tester's); not a count ("Nghị quyết 35 và 2 năm thực hiện") nor a year.
_MORE_NUMBERS_RE = re.compile(
    r"\s*(?:,|va|&|voi|hoac|or|and)\s*(?:so\s*)?(?!(?:19|20)\d\d(?!\d))(\d{1,4})(?!\d|[.,]\d|"
    + _CODE_TAIL
    + r"|\s*(?:%|nam|thang|ngay|tuan|quy|nguoi|lan|ty|trieu|nghin|dieu|khoan|muc|diem|dang vien"
    r"|chi bo|to chuc|can bo|van ban|bai|years?|months?|days?)(?!\w))"
)
_CODE_RE = re.compile(_CODE_PATTERN)
_CODE_RE_LOOSE = re.compile(_CODE_PATTERN, re.IGNORECASE)
# "Nghị quyết số 35", "Kết luận 21", "Chỉ thị số 05", "Quy định 124", "Nghị quyết Trung ương 4"
# (or "Nghị quyết TW4", "Nghị quyết TW 4")
_NAMED_RE = re.compile(
    r"\b("
    + "|".join(sorted(_KINDS, key=len, reverse=True))
    + r")\s+(?:(so)\s+)?(trung uong\s+|tw\s*)?(\d{1,4})"
    r"(?!\d|[.,]\d|" + _CODE_TAIL + ")",
)


@dataclass(frozen=True, slots=True)
class DocCode:
    """A reference to a Party or state document found in text."""

    text: str  # as written
    key: str  # "21-KL" — number without leading zeros + kind, folded upper-case
    full: str | None  # "21-KL/TW" when the issuing body is written
    start: int
    end: int


# Kinds the Party's central bodies issue: the ones a swapped "N/KIND-TW" is read as.
_PARTY_KINDS = frozenset({"NQ", "KL", "CT", "QD", "HD", "TB", "KH", "DA", "QC"})


def _kind(value: str) -> str:
    # "QĐi" (quy định, 2018–2020) is the same kind as "QĐ": "Quy định 08" finds 08-QĐi/TW.
    kind = value.upper()
    return "QD" if kind == "QDI" else kind


def _issuer(value: str, written: str = "") -> str:
    """The issuer's folded letters; "TƯ" and "T.Ư" are Trung ương (TW), but "TU" as written
    is Tỉnh ủy ("35-CT/TU" is a province's directive, not the Politburo's: a tester's)."""
    value = value.replace(".", "").upper()
    if value == "TU" and (not written or "ư" in written.lower()):
        return "TW"
    return value


def find_doc_codes(text: str, *, loose: bool = False) -> list[DocCode]:
    """Find document references such as ``21-KL/TW`` or ``Nghị quyết số 35``.

    Two references to the same document share a ``key`` ("Kết luận số 21", "ket luan 21" and
    "21-KL/TW" all give ``21-KL``); ``21-NQ/TW`` and ``20-KL/TW`` do not. ``loose`` also
    accepts lower-case codes ("21-kl/tw"), for queries typed on a phone.
    """
    text = normalize(text)
    folded = fold(text)  # one character per character: spans found here are spans of text
    lowered = folded.lower()
    found: list[DocCode] = []
    for m in (_CODE_RE_LOOSE if loose else _CODE_RE).finditer(folded):
        if m.group(1):
            written = text[m.start(3) : m.end(3)]
            number, kind, issuer = m.group(1), _kind(m.group(2)), _issuer(m.group(3), written)
            key = f"{int(number)}-{kind}"
            full = f"{int(number)}-{kind}/{issuer}"
        else:
            number, year, kind, issuer = (
                m.group(4),
                m.group(5),
                m.group(6).upper(),
                m.group(7).upper(),
            )
            key = f"{int(number)}/{year + '/' if year else ''}{kind}-{issuer}"
            full = key
            written = text[m.start(7) : m.end(7)]
            if not year and _issuer(issuer, written) == "TW" and _kind(kind) in _PARTY_KINDS:
                # "35/NQ-TW": 35-NQ/TW with its dash and slash swapped, as state documents
                # write theirs ("123/QĐ-UBND"); read as a code nothing cites (a tester's).
                key = f"{int(number)}-{_kind(kind)}"
                full = f"{key}/TW"
        found.append(DocCode(text[m.start() : m.end()], key, full, m.start(), m.end()))
    for m in _NAMED_RE.finditer(lowered):
        written = text[m.start(1) : m.end(1)].lower()
        if written != m.group(1) and written != _ACCENTED[m.group(1)]:
            continue  # accented, but another word: "để ăn" is not "đề án"
        kind = _KINDS[m.group(1)]
        number = int(m.group(4))
        # "Nghị quyết số 35-NQ/TW" never gets here: the pattern refuses a number followed by
        # "-" or "/", so the code above is the one reference.
        key = f"TW{number}-{kind}" if m.group(3) else f"{number}-{kind}"
        found.append(DocCode(text[m.start() : m.end()], key, None, m.start(), m.end()))
    if loose:
        taken = [(c.start, c.end) for c in found]

        def add(start: int, end: int, key: str, full: str | None) -> None:
            if not any(s < end and start < e for s, e in taken):
                found.append(DocCode(text[start:end], key, full, start, end))
                taken.append((start, end))

        for m in _ABBREVIATED_SLASHED_RE.finditer(lowered):
            key = f"{int(m.group(2))}-{_kind(m.group(1))}"
            add(
                m.start(), m.end(), key, f"{key}/{_issuer(m.group(3), text[m.start(3) : m.end(3)])}"
            )
        for m in _SPACED_RE.finditer(lowered):
            key = f"{int(m.group(1))}-{_kind(m.group(2))}"
            add(
                m.start(), m.end(), key, f"{key}/{_issuer(m.group(3), text[m.start(3) : m.end(3)])}"
            )
        for m in _BARE_RE.finditer(lowered):
            if m.group(1) and _kind(m.group(1)) != _kind(m.group(3)):
                continue  # "QĐ 21-KL": which is it?
            add(m.start(), m.end(), f"{int(m.group(2))}-{_kind(m.group(3))}", None)
        for m in _ABBREVIATED_RE.finditer(lowered):
            # "NQ TW4" is "Nghị quyết Trung ương 4" (a plenum's resolution), as the name is.
            number = int(m.group(3))
            key = (
                f"TW{number}-{_kind(m.group(1))}" if m.group(2) else f"{number}-{_kind(m.group(1))}"
            )
            add(m.start(), m.end(), key, None)
        for code in [c for c in found if c.full is None and not c.key.startswith("TW")]:
            kind, at = code.key.split("-", 1)[1], code.end
            while (more := _MORE_NUMBERS_RE.match(lowered, at)) is not None:
                add(more.start(1), more.end(1), f"{int(more.group(1))}-{kind}", None)
                at = more.end()
    found.sort(key=lambda c: c.start)
    return found


def doc_code_keys(text: str) -> list[str]:
    """The distinct :attr:`DocCode.key` values referenced in ``text``, in order."""
    seen: dict[str, None] = {}
    for code in find_doc_codes(text):
        seen.setdefault(code.key, None)
        if code.full and code.full != code.key:
            seen.setdefault(code.full, None)
    return list(seen)
