"""English words for the documents' Vietnamese.

The interface speaks English (``/lang en``); the documents do not. A query typed in English
("fake news on social media") that no document matches is searched by the Vietnamese of its
terms ("tin giả mạng xã hội"), and the answer says so. The glossary (``english.json`` next to
this module: pairs of an English term, lower case, and its Vietnamese) covers the eight
topics' vocabulary. A query with words it lacks is translated when at least half of its words
are terms ("party discipline gambling": kỷ luật đảng, and "gambling" not understood), else not
at all: a word or two of a sentence it cannot read is no reading of it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.search.query import PLACE_SYLLABLES as _PLACE_SYLLABLES

GLOSSARY = Path(__file__).with_name("english.json")
# A document code ("04-nq/tw", "08-qđi/tw" is not ASCII), an ordinal ("12th"), a word, a figure.
_TOKEN = re.compile(
    r"\d+[a-zđ]*-[a-zđ]+/[a-zđ]+|\d+(?:st|nd|rd|th)\b|[a-z][a-z'-]*|\d+(?:[./-]\d+)*"
)
_CODE = re.compile(r"\d+[a-zđ]*-[a-zđ]+/[a-zđ]+")
_CODE_AS_TYPED = re.compile(_CODE.pattern, re.IGNORECASE)
# Ordinals in words ("the twelfth Party Congress").
_ORDINAL_WORDS = {
    word: n
    for n, word in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
        ],
        start=1,
    )
}
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
# What an ordinal numbers: "the 12th Central Committee" is its term (khóa XII), "the 13th
# Congress" the congress, "the 4th plenum" a plenum of the Central Committee ("Resolution 4 of
# the 12th Central Committee", read as the figure 12, listed "12 học sinh": a tester's).
_ORDINAL_OF = {
    ("party", "central", "committee"): "khóa {roman}",
    ("central", "committee"): "khóa {roman}",
    ("tenure",): "khóa {roman}",
    ("term",): "khóa {roman}",
    ("national", "party", "congress"): "Đại hội {roman}",
    ("national", "congress"): "Đại hội {roman}",
    ("party", "congress"): "Đại hội {roman}",
    ("congress",): "Đại hội {roman}",
    ("central", "plenum"): "Hội nghị Trung ương {n}",
    ("plenum",): "Hội nghị Trung ương {n}",
    ("plenary", "session"): "Hội nghị Trung ương {n}",
    ("central", "conference"): "Hội nghị Trung ương {n}",
}
_ROMAN = (
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)
# Endings tried on a word the glossary lacks ("members'", "inspected", "meetings").
_ENDINGS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))
# Words an English query says around its terms; dropped.
FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "at",
        "for",
        "about",
        "and",
        "or",
        "to",
        "with",
        "by",
        "from",
        "into",
        "over",
        "how",
        "what",
        "which",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "find",
        "show",
        "me",
        "please",
        "news",
        "documents",
        "document",
        "articles",
        "article",
        "cases",
        "case",
        "latest",
        "recent",
        "any",
        "some",
        "our",
        "their",
        "its",
        # A question around the terms ("What does Regulation 37 say?": a tester's found
        # nothing, though "Regulation 37" alone did).
        "say",
        "says",
        "said",
        "mean",
        "means",
        "tell",
        "tells",
        "explain",
        "explains",
        "regarding",
        "concerning",
        "there",
        "can",
        "i",
        "we",
        "you",
        "need",
        "want",
        "know",
        "be",
        "it",
        "this",
        "that",
        "these",
        "those",
        "when",
        "where",
        "why",
        "list",
        "give",
        "all",
        "things",
        "thing",
        # "is there anything about …" (a tester's kept "anything" as a word not understood).
        "anything",
        "something",
        "stuff",
        "make",
        "get",
        "should",
        "must",
        "more",
        "less",
        "them",
        "his",
        "her",
        "who",
        "have",
        "has",
        "had",
        "been",
        "being",
        "will",
        "would",
        "could",
        "not",
        "no",
        "so",
        "as",
        "like",
        "through",
        "under",
        "after",
        "before",
        "during",
        "between",
        "against",
        "up",
    ]
)


POSTPOSED = {"new": "mới", "young": "trẻ"}


@lru_cache(maxsize=1)
def _glossary() -> list[tuple[tuple[str, ...], str]]:
    """(English words, Vietnamese), the longest terms first."""
    pairs = json.loads(GLOSSARY.read_text("utf-8"))
    terms = [(tuple(_TOKEN.findall(en.lower())), vi) for en, vi in pairs]
    return sorted(terms, key=lambda item: -len(item[0]))


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


@lru_cache(maxsize=1)
def _single_words() -> dict[str, str]:
    return {words[0]: vi for words, vi in _glossary() if len(words) == 1}


def _stemmed(word: str) -> str | None:
    """The Vietnamese of an inflected form of a one-word term ("inspected": kiểm tra)."""
    single = _single_words()
    for ending, replacement in _ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            found = single.get(word[: -len(ending)] + replacement)
            if found is not None:
                return found
    return None


@dataclass
class EnglishReading:
    """An English query's Vietnamese, and the words of it no term covers."""

    vietnamese: str
    unknown: list[str] = field(default_factory=list)


_MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_YEAR = re.compile(r"(?:19|20)\d\d")
_QUARTERS = {"first": "I", "1st": "I", "second": "II", "2nd": "II", "third": "III", "3rd": "III",
             "fourth": "IV", "4th": "IV", "q1": "I", "q2": "II", "q3": "III", "q4": "IV"}  # fmt: skip


def _english_period(words: list[str], i: int) -> tuple[str, int] | None:
    """A period written in English at ``words[i]``, as the Vietnamese the query parser reads,
    and the words it takes: "before 2022" (it was read as 2022), "since 2023", "until
    2022", "after 2021", "(from) March to June 2023", "in March 2023" (a tester's)."""

    def year(k: int) -> str | None:
        return words[k] if k < len(words) and _YEAR.fullmatch(words[k]) else None

    def month(k: int) -> int | None:
        # "may" is a word too: a month only before a year ("May 2023").
        n = _MONTHS.get(words[k]) if k < len(words) else None
        return None if n is None or (words[k] == "may" and year(k + 1) is None) else n

    word = words[i]
    # "between 2019 and 2021", "from 2019 to 2021", "2019-2021", "2022 onwards", "the first
    # quarter of 2023": each was read as its first year or not at all (a tester's).
    if word in ("between", "from") and (a := year(i + 1)) and i + 3 < len(words):
        if words[i + 2] in ("and", "to", "until", "till") and (b := year(i + 3)):
            return f"từ năm {a} đến năm {b}", 4
    span = re.fullmatch(r"((?:19|20)\d\d)-((?:19|20)\d\d)", word)
    if span is not None:
        return f"từ năm {span.group(1)} đến năm {span.group(2)}", 1
    if (y := year(i)) and i + 1 < len(words) and words[i + 1] in ("onwards", "onward"):
        return f"từ {y}", 2
    quarter = _QUARTERS.get(word)
    if quarter is not None and i + 1 < len(words) and words[i + 1] == "quarter":
        k = i + 3 if i + 2 < len(words) and words[i + 2] == "of" else i + 2
        if y := year(k):
            return f"quý {quarter}/{y}", k + 1 - i
    if word in ("before", "until", "till", "since", "after") and (y := year(i + 1)):
        said = {"before": f"trước {y}", "since": f"từ {y}", "after": f"từ {int(y) + 1}"}
        return said.get(word, f"đến {y}"), 2
    start = i + 1 if word == "from" else i
    first = month(start)
    if first is not None and start + 2 < len(words) and words[start + 1] in ("to", "until"):
        last = month(start + 2)
        y = year(start + 3)
        if last is not None and y:
            return f"từ tháng {first} đến tháng {last}/{y}", start + 4 - i
    if first is not None and (y := year(start + 1)):
        return f"tháng {first}/{y}", start + 2 - i
    return None


def _vietnamese_run(words: list[str], i: int) -> int:
    """How many words from ``i`` on are Vietnamese syllables typed without accents that the
    glossary does not know ("ket nap"): two or more are Vietnamese, one may be English."""
    from bot.corpus.text import syllable_shapes

    shapes = syllable_shapes()
    n = 0
    while i + n < len(words):
        word = words[i + n]
        glossed = any(words[i + n : i + n + len(p)] == list(p) for p, _ in _glossary())
        if word in FILLER or word not in shapes or glossed or _stemmed(word) is not None:
            break
        n += 1
    return n


def english_reading(text: str) -> EnglishReading | None:
    """The Vietnamese of an English query, term by term (longest first), figures and document
    codes kept; None when it is not plain English, or when fewer than half of its words (not
    counting fillers) are read as terms (see the module's docstring)."""
    lowered = " ".join(text.lower().split())
    # "the Party's": the Party (a lone "s" made "party's ideological foundation" no English).
    # The glossary's own ("People's Council", "Women's Union", "what's new") stay.
    lowered = lowered.replace("’", "'")
    lowered = re.sub(r"(?<=[a-z])(?<!people)(?<!women)(?<!what)(?<!minh)'s\b", "", lowered)
    if not _CODE.sub(" ", lowered).isascii():  # "Regulation 08-QĐi/TW" is English
        return None
    words = _TOKEN.findall(lowered)
    # A code as typed ("08-QĐi/TW": its lower-case i is part of it).
    codes = {m.group(0).lower(): m.group(0) for m in _CODE_AS_TYPED.finditer(text)}
    out: list[str] = []
    after: list[str] = []  # an English adjective comes after its noun in Vietnamese
    unknown: list[str] = []
    terms = 0
    kept_vi = 0  # words kept as the Vietnamese typed without accents they are
    i = 0
    while i < len(words):
        word = words[i]
        period = _english_period(words, i)
        if period is not None and word in _QUARTERS:  # "the first quarter of 2023"
            out.append(period[0])
            terms += period[1]
            i += period[1]
            continue
        ordinal = _ORDINAL.fullmatch(word)
        n = int(ordinal.group(1)) if ordinal is not None else _ORDINAL_WORDS.get(word)
        if n is not None:
            for phrase, template in sorted(_ORDINAL_OF.items(), key=lambda kv: -len(kv[0])):
                if tuple(words[i + 1 : i + 1 + len(phrase)]) == phrase:
                    out.append(template.format(roman=_roman(n), n=n))
                    terms += 1 + len(phrase)
                    i += 1 + len(phrase)
                    break
            else:
                if ordinal is not None:
                    out.append(str(n))  # "the 5th": a figure; "the first": a filler
                i += 1
            continue
        period = _english_period(words, i)
        if period is not None:
            out.append(period[0])
            terms += period[1]
            i += period[1]
            continue
        place = next(
            (
                _PLACE_SYLLABLES[tuple(words[i : i + k])]
                for k in (4, 3, 2)
                if tuple(words[i : i + k]) in _PLACE_SYLLABLES
            ),
            None,
        )
        # The longest glossary term here (terms are sorted longest first).
        term = next(
            (
                (phrase, vi)
                for phrase, vi in _glossary()
                if tuple(words[i : i + len(phrase)]) == phrase
            ),
            None,
        )
        glossed = len(term[0]) if term is not None else 0
        if place is not None and len(place) > glossed:  # "Ho Chi Minh City" is the glossary's
            # A province as English writes it, without accents ("corruption in Can Tho" lost
            # its place: "can" is a filler): the name, as a name.
            out.append(" ".join(w[:1].upper() + w[1:] for w in place))
            terms += len(place)
            i += len(place)
            continue
        if word in POSTPOSED and i + 1 < len(words):
            after.append(POSTPOSED[word])  # "new party members": "đảng viên mới"
            i += 1
            continue
        if term is not None:
            phrase, vietnamese = term
            # Not again what a term before says: "rectification of the Party" was searched
            # as "chỉnh đốn Đảng Đảng", and no document had that (a tester's).
            said = f" {out[-1].lower()} " if out else ""
            if f" {vietnamese.lower()} " not in said:
                out.append(vietnamese)
            out.extend(after)
            after.clear()
            terms += len(phrase)  # words read: "party members" is two
            i += len(phrase)
        else:
            if word[0].isdigit():
                out.append(codes.get(word, word.upper()) if _CODE.fullmatch(word) else word)
            elif (
                word in ("and", "or")
                and out
                and out[-1][-1:].isdigit()
                and i + 1 < len(words)
                and words[i + 1][:1].isdigit()
            ):
                # "Regulations 08 and 37": both numbers of one kind, as "Quy định 08 và 37"
                # reads (37 was lost with the "and", a tester's).
                out.append("và")
            elif word not in FILLER:
                stemmed = _stemmed(word)
                run = _vietnamese_run(words, i)
                if stemmed is None and run >= 2:
                    # Vietnamese typed without accents among the English ("ket nap party
                    # member", "ky luat party members 2023"): its words as typed (they were
                    # "not understood" and left out, a tester's).
                    out.extend(words[i : i + run])
                    kept_vi += run
                    i += run
                    continue
                if stemmed is not None:
                    out.append(stemmed)
                    terms += 1
                else:
                    unknown.append(word)
            i += 1
    if not terms or len(unknown) > terms or kept_vi > terms:
        # No English term, too few, or more Vietnamese than English: a Vietnamese query
        # (which reads its English words in place).
        return None
    # A term said twice in a row once; apart, both stay ("Regulation 08 and Regulation 37").
    kept = [w for k, w in enumerate(out) if k == 0 or w != out[k - 1]]
    return EnglishReading(" ".join(kept), list(dict.fromkeys(unknown)))


def vietnamese_query(text: str) -> str | None:
    """The Vietnamese of an English query that has no word the glossary lacks, else None."""
    reading = english_reading(text)
    return reading.vietnamese if reading is not None and not reading.unknown else None
