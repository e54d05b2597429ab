"""English words for the documents' Vietnamese.

The interface speaks English (``/lang en``); the documents do not. A query typed in English
("fake news on social media") that no document matches is searched by the Vietnamese of its
terms ("tin giả mạng xã hội"), and the answer says so. The glossary (``english.json`` next to
this module: pairs of an English term, lower case, and its Vietnamese) covers the eight
topics' vocabulary; a query with a word it lacks is not translated at all, rather than half.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

GLOSSARY = Path(__file__).with_name("english.json")
_TOKEN = re.compile(r"[a-z][a-z'-]*|\d+(?:[./-]\d+)*")
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
    ]
)


POSTPOSED = {"new": "mới", "young": "trẻ"}


@lru_cache(maxsize=1)
def _glossary() -> list[tuple[tuple[str, ...], str]]:
    """(English words, Vietnamese), the longest terms first."""
    pairs = json.loads(GLOSSARY.read_text("utf-8"))
    terms = [(tuple(_TOKEN.findall(en.lower())), vi) for en, vi in pairs]
    return sorted(terms, key=lambda item: -len(item[0]))


def vietnamese_query(text: str) -> str | None:
    """The Vietnamese of an English query, term by term (longest first), figures kept; None
    when it is not plain English or has a word that is neither a term nor a filler."""
    lowered = " ".join(text.lower().split())
    if not lowered.isascii():
        return None
    words = _TOKEN.findall(lowered)
    out: list[str] = []
    after: list[str] = []  # an English adjective comes after its noun in Vietnamese
    i = 0
    while i < len(words):
        if words[i] in POSTPOSED and i + 1 < len(words):
            after.append(POSTPOSED[words[i]])  # "new party members": "đảng viên mới"
            i += 1
            continue
        for phrase, vietnamese in _glossary():
            if tuple(words[i : i + len(phrase)]) == phrase:
                out.append(vietnamese)
                out.extend(after)
                after.clear()
                i += len(phrase)
                break
        else:
            word = words[i]
            if word[0].isdigit():
                out.append(word)
            elif word not in FILLER:
                return None
            i += 1
    said = [w for w in out if not w[0].isdigit()]
    return " ".join(dict.fromkeys(out)) if said else None
