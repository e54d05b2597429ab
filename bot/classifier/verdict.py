"""The topics of one text a person gave (/classify in the chat, ``partybot classify TEXT``):
the model's labels, and whether the text is enough to label at all.

A model scores any text, but a word or two is no evidence: "đảng viên" alone scored four
topics at 81–99% (a tester's), since tf-idf gives a lone syllable pair the weight of a whole
article. Both the chat and the CLI answer from here, so they agree on what is too little.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.corpus.text import fold_lower, syllable_shapes, tokenize

MIN_READABLE_SYLLABLES = 3  # fewer Vietnamese syllables is no text to label ("đảng viên")
SHORT_TEXT_WORDS = 8  # fewer words: labelled, but only a hint
MAX_TERMS = 5  # terms shown per topic


class _Model(Protocol):
    def classify(self, texts: list[str]) -> list[tuple[list[str], dict[str, float]]]: ...

    def explain(self, text: str, k: int = 5) -> dict[str, list[tuple[str, float]]]: ...


@dataclass(frozen=True)
class Verdict:
    """What a text is about, as far as it can be told."""

    readable: bool  # enough Vietnamese to label; else nothing below is filled, and ...
    too_short: bool = False  # ... it is Vietnamese, but a word or two ("Đảng")
    short: bool = False  # a few words: a hint, not a judgement
    topics: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    terms: dict[str, list[str]] = field(default_factory=dict)  # per topic, as written


# Family names are no reason for a topic ("Nguyễn" was the first evidence of a bribery case,
# a tester's): a person named is not what the text is about.
_SURNAMES = frozenset(
    [
        "Nguyễn",
        "Trần",
        "Lê",
        "Phạm",
        "Hoàng",
        "Huỳnh",
        "Phan",
        "Vũ",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Ngô",
        "Dương",
        "Lý",
        "Đinh",
        "Trương",
        "Lâm",
        "Mai",
        "Trịnh",
        "Đoàn",
        "Lưu",
        "Cao",
        "Tạ",
        "Hà",
        "Thái",
        "Vương",
        "Quách",
        "Tô",
        "Kiều",
        "Lương",
        "Châu",
    ]
)


def readable(text: str) -> bool:
    """Whether ``text`` is Vietnamese enough to be labelled (see :func:`judge`)."""
    words = [w.text for w in tokenize(text) if any(c.isalpha() for c in w.text)]
    vietnamese = [w for w in words if fold_lower(w) in syllable_shapes()]
    return len(vietnamese) >= MIN_READABLE_SYLLABLES and len(vietnamese) * 2 >= len(words)


def judge(model: _Model, text: str, shown: Callable[[str], bool] = lambda term: True) -> Verdict:
    """The verdict on ``text``; ``shown(term)`` says whether a term the model used is worth
    showing as evidence (the chat leaves out pairs that straddle two words)."""
    words = [w.text for w in tokenize(text) if any(c.isalpha() for c in w.text)]
    vietnamese = [w for w in words if fold_lower(w) in syllable_shapes()]
    if len(vietnamese) < MIN_READABLE_SYLLABLES or len(vietnamese) * 2 < len(words):
        # "asdkjh qwe zzzz", "12345 !!!", "🔥", "Đảng": "belongs to no topic" would say it
        # was read, and a topic would say it was understood. Vietnamese, but too little, is
        # said so ("Đảng" was told it could not be read, a tester's).
        short = bool(vietnamese) and len(vietnamese) * 2 >= len(words)
        return Verdict(readable=False, too_short=short)
    ((topics, scores),) = model.classify([text])
    explanation = model.explain(text) if topics else {}
    terms = {
        slug: [
            term
            for term, _ in explanation.get(slug, [])[:8]
            if term not in _SURNAMES and shown(term)
        ][:MAX_TERMS]
        for slug in topics
    }
    return Verdict(
        readable=True,
        short=len(words) < SHORT_TEXT_WORDS,
        topics=list(topics),
        scores=dict(scores),
        terms=terms,
    )
