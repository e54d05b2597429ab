"""Synonyms: the same thing said the way a cadre types it and the way an article writes it.

"họp chi bộ" is written "sinh hoạt chi bộ", "vào đảng" is "kết nạp đảng", "giàu lên bất
thường" is "tài sản tăng bất thường". A query holding one expression of a group also finds the
documents holding another, ranked a little below those with the words as typed
(:data:`bot.search.engine.W_SYNONYM`).

The table (``synonyms.json`` next to this module) is a list of groups, each a list of
expressions of two syllables or more with a note. It was written by helpers from their
knowledge of Party-building terms, without seeing the articles or the evaluation queries. To
extend it, add a group (or an expression to a group): every expression must mean the same as
the others in a query about Party work; merely related words ("tham nhũng", "lãng phí") do
not belong together. A group marked ``"name": true`` spells one proper name ("Thành phố Hồ Chí
Minh", "TP.HCM"): it applies even to a query that is only the name, where other groups leave
a short query as typed. Document codes belong in the catalogue, one-word abbreviations in
``ABBREVIATIONS``. A test checks every entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.corpus.text import normalize, syllables
from bot.errors import InputError
from bot.search.catalogue import read_table

SYNONYMS = Path(__file__).with_name("synonyms.json")
MAX_ALTERNATIVES = 3  # per query: each alternative is one more clause to run


@dataclass(frozen=True)
class Expression:
    """An expression as folded syllables, and as written (for messages)."""

    folded: tuple[str, ...]
    written: str


@dataclass(frozen=True)
class Match:
    """A group expression found in a query: its span of syllables and the other expressions."""

    start: int
    end: int
    alternatives: tuple[Expression, ...]
    name: bool = False  # a proper name's spellings: the same thing even typed alone


class Synonyms:
    """Expressions (as folded syllables) by group, and a longest-first matcher."""

    def __init__(self, groups: list[list[Expression]], names: frozenset[int] = frozenset()) -> None:
        self.groups = groups
        self.names = names  # indices of the groups that spell one name
        self._group_of: dict[tuple[str, ...], int] = {}
        for i, group in enumerate(groups):
            for expr in group:
                if self._group_of.setdefault(expr.folded, i) != i:
                    raise InputError(f"synonyms: {expr.written!r} is in two groups")
        self._longest = max((len(e) for e in self._group_of), default=0)

    def written(self, folded: tuple[str, ...]) -> str | None:
        """How the group writes the expression of these folded syllables, if it has it."""
        group = self._group_of.get(folded)
        if group is None:
            return None
        return next((e.written for e in self.groups[group] if e.folded == folded), None)

    def find(self, words: list[str]) -> list[Match]:
        """Non-overlapping expressions in ``words`` (folded syllables), longest first."""
        found: list[Match] = []
        i = 0
        budget = MAX_ALTERNATIVES
        while i < len(words) and budget > 0:
            for size in range(min(self._longest, len(words) - i), 1, -1):
                expr = tuple(words[i : i + size])
                group = self._group_of.get(expr)
                if group is not None:
                    name = group in self.names
                    others = _shortest_cover(expr, self.groups[group])
                    if not name:  # a name's few spellings are all one name: every one counts
                        others = others[:budget]
                        budget -= len(others)
                    found.append(Match(i, i + size, tuple(others), name))
                    i += size
                    break
            else:
                i += 1
        return found


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _shortest_cover(expr: tuple[str, ...], group: list[Expression]) -> list[Expression]:
    """The group's other expressions, shortest first, without those that contain the typed one
    or an expression already chosen (a document holding them holds the shorter one too)."""
    chosen: list[Expression] = []
    for other in sorted(group, key=lambda e: len(e.folded)):
        f = other.folded
        if f == expr or _contains(f, expr) or any(_contains(f, c.folded) for c in chosen):
            continue
        chosen.append(other)
    return chosen


def parse_group(item: object, index: int) -> list[Expression]:
    """One ``synonyms.json`` group, checked."""
    where = f"synonym group {index}"
    if not isinstance(item, dict) or not isinstance(item.get("group"), list):
        raise InputError(f"{where}: expected an object with a 'group' list")
    if not isinstance(item.get("name", False), bool):
        raise InputError(f"{where}: 'name' must be true or false")
    exprs: list[Expression] = []
    for raw in item["group"]:
        if not isinstance(raw, str):
            raise InputError(f"{where}: expressions must be strings")
        written = normalize(raw).strip()
        expr = Expression(tuple(syllables(written)), written)
        if len(expr.folded) < 2 or any(s.isdigit() for s in expr.folded):
            raise InputError(f"{where}: {raw!r} must be two syllables or more, without numbers")
        if all(e.folded != expr.folded for e in exprs):
            exprs.append(expr)
    if len(exprs) < 2:
        raise InputError(f"{where}: a group needs two different expressions")
    return exprs


def with_abbreviations(synonyms: Synonyms, abbreviations: dict[str, str]) -> Synonyms:
    """``synonyms`` with each abbreviation ("mttq": "mat tran to quoc", folded) as one more
    expression of its spelled-out form's group (a new group when it has none), so "giám sát
    của Mặt trận Tổ quốc" also finds the article that writes "MTTQ". Not for a name's group,
    whose spellings are scored as the name's; nor for a spelling of two syllables or fewer
    ("tp hcm"), which is a way of writing a name, not its abbreviation."""
    groups = [list(group) for group in synonyms.groups]
    where = {expr.folded: i for i, group in enumerate(groups) for expr in group}
    for short, spelled in abbreviations.items():
        full = tuple(spelled.split())
        if len(full) <= 2 or (short,) in where:
            continue
        i = where.get(full)
        if i is None:
            where[full] = len(groups)
            groups.append([Expression(full, spelled)])
            i = where[full]
        elif i in synonyms.names:
            continue
        groups[i].append(Expression((short,), short.upper()))
        where[(short,)] = i
    return Synonyms(groups, synonyms.names)


@lru_cache(maxsize=4)
def load_synonyms(path: Path = SYNONYMS) -> Synonyms:
    """The synonyms table in ``path`` (read once per process)."""
    items = read_table(path, "synonyms table")
    groups = [parse_group(item, i) for i, item in enumerate(items, start=1)]
    names = frozenset(i for i, item in enumerate(items) if item.get("name") is True)
    return Synonyms(groups, names)
