"""A catalogue of central Party documents: code, title and subject of each.

A cadre who asks for "Kết luận 21-KL/TW" wants the articles citing it first, then the articles
about its subject that do not cite it; the answer names the document ("Kết luận số 21-KL/TW về
đẩy mạnh xây dựng, chỉnh đốn Đảng…"). The catalogue (``catalogue.json`` next to this module)
gives each document's subject words for that second tier and its title for the header.

To extend it, add an object to ``catalogue.json``: ``code`` as written in documents
(``08-QĐi/TW``), ``date``, ``issuer``, ``title`` (Vietnamese, as published), ``subject`` (the
words an article on that subject uses), ``topics`` (taxonomy slugs) and optional ``aliases``
(``{"key": "TW4-NQ", "term": "XII"}`` for "Nghị quyết Trung ương 4 khóa XII"). A test checks
every entry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.corpus.text import find_doc_codes, fold_lower, normalize
from bot.errors import InputError

CATALOGUE = Path(__file__).with_name("catalogue.json")
_TERMS = ("xiv", "xiii", "xii", "xi", "x", "ix")  # Central Committee terms (khóa), longest first
_ROMAN = {9: "ix", 10: "x", 11: "xi", 12: "xii", 13: "xiii", 14: "xiv"}
_TERM_NUMBER = re.compile(r"\bkhoa\s+(\d{1,2})\b")
# When each term's Central Committee was elected (its documents are numbered from 1 again).
_TERM_STARTS = (
    ("2026-01-01", "xiv"),
    ("2021-02-01", "xiii"),
    ("2016-01-28", "xii"),
    ("2011-01-19", "xi"),
    ("2006-04-25", "x"),
    ("2001-04-22", "ix"),
)


def term_of(date: str) -> str | None:
    """The term (khóa, lower case) a document of ``date`` (YYYY-MM-DD) belongs to."""
    return next((term for start, term in _TERM_STARTS if date >= start), None)


@dataclass(frozen=True)
class CentralDocument:
    """One catalogued document."""

    code: str  # as written: "08-QĐi/TW"
    key: str  # "8-QD", shared by every way of citing it
    full: str  # "8-QD/TW"
    date: str
    issuer: str
    title: str
    subject: str
    topics: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...]  # (key, term): ("TW4-NQ", "XII")
    # The codes of the documents that replaced it ("69-QD/TW"), from its title's "(thay bằng
    # Quy định 69-QĐ/TW)".
    replaced_by: tuple[str, ...] = ()


class Catalogue:
    """Catalogued documents by the keys a query can carry."""

    def __init__(self, documents: list[CentralDocument]) -> None:
        self.documents = documents
        self._by_key: dict[str, list[CentralDocument]] = {}
        for doc in documents:
            for key in {doc.key, doc.full}:
                self._by_key.setdefault(key, []).append(doc)
        self._aliases: dict[str, list[tuple[str, CentralDocument]]] = {}
        for doc in documents:
            for key, term in doc.aliases:
                self._aliases.setdefault(key, []).append((term.lower(), doc))

    def lookup(self, keys: list[str], query_text: str = "") -> list[CentralDocument]:
        """The documents a code's keys name (``["21-KL/TW", "21-KL/*"]``); an alias such as
        "Nghị quyết Trung ương 4" names one only together with its term ("khóa XII").

        Without the term an alias is ambiguous (three Central Committees held a fourth
        plenum on Party building) and names none: the query then matches what it cites.
        """
        found: list[CentralDocument] = []
        folded = fold_lower(normalize(query_text))
        # "khóa 12" is how many type khóa XII.
        folded = _TERM_NUMBER.sub(lambda m: f"khoa {_ROMAN.get(int(m.group(1)), '')}", folded)
        words = set(folded.split())
        term = next((t for t in _TERMS if t in words), None)
        # A code with another issuer ("35-CT/TU", a province's): no central document, though
        # its "any issuer" key shares the central one's number and kind.
        elsewhere = {
            k.split("/")[0] for k in keys if "/" in k and k.split("/", 1)[1] not in ("*", "TW")
        }
        for key in keys:
            if key.endswith("/*") and key.removesuffix("/*") in elsewhere:
                continue
            # Numbers start again with each term: "Nghị quyết 4 khóa XIII" is not 04-NQ/TW of
            # khóa XII.
            found.extend(
                doc
                for doc in self._by_key.get(key.removesuffix("/*"), [])
                if not term or term_of(doc.date) in (None, term)
            )
            found.extend(doc for t, doc in self._aliases.get(key, []) if term and t == term)
        return list(dict.fromkeys(found))


def code_labels(keys: list[str], central: list[CentralDocument]) -> list[str]:
    """Codes as a cadre writes them, each once: a catalogued document's own ("08-QĐi/TW"
    for "8-QD" or "8-QD/TW"), else the key with its letters ("8-QĐ", "NQ TW4" for "TW4-NQ")."""
    labels: list[str] = []
    for key in keys:
        bare = key.removesuffix("/*")
        doc = next(
            (
                d
                for d in central
                if bare in (d.key, d.full) or any(bare == alias for alias, _ in d.aliases)
            ),
            None,
        )
        if doc is not None:
            label = doc.code
        elif m := re.fullmatch(r"TW(\d+)-([A-Z]+)", bare):
            label = f"{m.group(2)} TW{m.group(1)}"  # "NQ TW4", as "Nghị quyết Trung ương 4"
        elif m := re.fullmatch(r"(\d+)/([A-Z]+)-([A-Z]+)", bare):
            # A local document, "123/QĐ-UBND": the kind's D is Đ, an issuer's only in HĐND.
            issuer = "HĐND" if m.group(3) == "HDND" else m.group(3)
            label = f"{m.group(1)}/{m.group(2).replace('D', 'Đ')}-{issuer}"
        else:
            label = re.sub(r"(?<=-)([A-Z]*)D([A-Z]*)", r"\1Đ\2", bare)  # "8-QĐ", "5-ĐA"
        if label not in labels:
            labels.append(label)
    return labels


_REPLACED = re.compile(r"\(thay bằng ([^)]+)\)")


def parse_entry(item: object, index: int) -> CentralDocument:
    """One ``catalogue.json`` object, checked."""
    where = f"catalogue entry {index}"
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected an object")
    for field in ("code", "title", "subject"):
        if not isinstance(item.get(field), str) or not item[field].strip():
            raise InputError(f"{where}: missing {field}")
    codes = [c for c in find_doc_codes(item["code"]) if c.full]
    if len(codes) != 1:
        raise InputError(f"{where}: {item['code']!r} is not a document code")
    aliases = tuple((str(a["key"]), str(a.get("term", ""))) for a in item.get("aliases") or [])
    title = normalize(item["title"])
    replaced = _REPLACED.search(title)
    replaced_by = tuple(
        c.full for c in find_doc_codes(replaced.group(1) if replaced else "") if c.full
    )
    return CentralDocument(
        code=item["code"],
        key=codes[0].key,
        full=codes[0].full or codes[0].key,
        date=str(item.get("date") or ""),
        issuer=str(item.get("issuer") or ""),
        title=title,
        subject=normalize(item["subject"]),
        topics=tuple(item.get("topics") or ()),
        aliases=aliases,
        replaced_by=replaced_by,
    )


def read_table(path: Path, what: str) -> list[object]:
    """A shipped JSON list (the catalogue, the synonyms); a clear error when unreadable."""
    try:
        items = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc})") from exc
    if not isinstance(items, list):
        raise InputError(f"{path}: expected a JSON list")
    return items


@lru_cache(maxsize=4)
def load_catalogue(path: Path = CATALOGUE) -> Catalogue:
    """The catalogue in ``path`` (read once per process)."""
    items = read_table(path, "document catalogue")
    return Catalogue([parse_entry(item, i) for i, item in enumerate(items, start=1)])
