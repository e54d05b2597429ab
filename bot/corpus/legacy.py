"""Detect and convert legacy Vietnamese encodings to Unicode (NFC).

Two legacy 8-bit encodings are supported:

* **TCVN3 / ABC** (TCVN 5712:1993 "VN3", the ``.VnTime`` fonts).  One byte per
  letter.  Only the lower-case toned vowels and the seven upper-case letters
  Ă Â Ê Ô Ơ Ư Đ exist; upper-case toned vowels were produced by switching to the
  ``.VnTimeH`` font, which re-uses the lower-case codes.  Bytes 0x80-0x9F keep
  their Windows-1252 symbols (quotes, dashes ...), as in Unikey's TCVN3 table.
* **VNI-Windows** (the ``VNI-Times`` fonts).  A base letter followed by a
  separate tone / vowel-mark byte (``"Vieät"`` = V i e + ``ä`` [circumflex and
  dot below] + t); đ, ơ, ư and the toned i / ỵ are single bytes.

Legacy text reaches a program in two forms:

(a) raw bytes (a ``.txt`` saved in the legacy code page) -> :func:`decode_legacy_bytes`;
(b) Unicode text made of the Windows-1252 / Latin-1 / Windows-1258 glyphs of the
    legacy bytes (text pulled out of ``.docx``/HTML that used the legacy font) ->
    :func:`detect_legacy_text`, :func:`tcvn3_to_unicode`, :func:`vni_to_unicode`,
    :func:`fix_legacy`.

Detection converts the text with each candidate encoding and scores the result
with a compact Vietnamese syllable validator (onset + rhyme + at most one tone)
and the share of Vietnamese letters, and only answers when one candidate beats
both the unconverted text and the other candidate by a clear margin.

Mapping tables were cross-checked against Unikey's VnConv tables
(``unikey/data.cpp``), lamdao/xvnkb ``tcvn.h`` / ``vni.h`` and
duydev/vietnamese-conversion ``src/charsets.ts``.

Only the standard library is used.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

__all__ = [
    "TCVN3_TO_UNICODE",
    "VNI_TO_UNICODE",
    "decode_legacy_bytes",
    "detect_legacy_text",
    "fix_legacy",
    "is_vietnamese_syllable",
    "tcvn3_to_unicode",
    "vni_to_unicode",
]

# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

_GRAVE, _ACUTE, _TILDE, _HOOK, _DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_TONE_MARKS = (_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT)  # huyền, hỏi, ngã, sắc, nặng
_TONE_SET = frozenset(_TONE_MARKS)


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# TCVN3: for each lower-case vowel the bytes of (huyền, hỏi, ngã, sắc, nặng).
_TCVN3_TONED: dict[str, tuple[int, int, int, int, int]] = {
    "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}


def _build_tcvn3() -> dict[int, str]:
    table: dict[int, str] = {}
    for byte, ch in zip(range(0xA1, 0xAF), "ĂÂÊÔƠƯĐăâêôơưđ", strict=True):
        table[byte] = ch
    for vowel, codes in _TCVN3_TONED.items():
        for mark, code in zip(_TONE_MARKS, codes, strict=True):
            table[code] = _nfc(vowel + mark)
    return table


#: TCVN3 byte -> Unicode character (bytes not listed keep their cp1252 meaning).
TCVN3_TO_UNICODE: dict[int, str] = _build_tcvn3()

# VNI-Windows: single-byte letters and the (lower, upper) byte of each mark.
_VNI_LETTERS: dict[int, str] = {
    0xD1: "Đ",
    0xF1: "đ",
    0xD4: "Ơ",
    0xF4: "ơ",
    0xD6: "Ư",
    0xF6: "ư",
    0xCD: "Í",
    0xED: "í",
    0xCC: "Ì",
    0xEC: "ì",
    0xC6: "Ỉ",
    0xE6: "ỉ",
    0xD3: "Ĩ",
    0xF3: "ĩ",
    0xD2: "Ị",
    0xF2: "ị",
    0xCE: "Ỵ",
    0xEE: "ỵ",
}
_VNI_MARKS: dict[tuple[int, int], str] = {
    (0xF9, 0xD9): _ACUTE,  # ù  sắc
    (0xF8, 0xD8): _GRAVE,  # ø  huyền
    (0xFB, 0xDB): _HOOK,  # û  hỏi
    (0xF5, 0xD5): _TILDE,  # õ  ngã
    (0xEF, 0xCF): _DOT,  # ï  nặng
    (0xE2, 0xC2): _CIRC,  # â  ^
    (0xE1, 0xC1): _CIRC + _ACUTE,  # á  ^ + sắc
    (0xE0, 0xC0): _CIRC + _GRAVE,  # à  ^ + huyền
    (0xE5, 0xC5): _CIRC + _HOOK,  # å  ^ + hỏi
    (0xE3, 0xC3): _CIRC + _TILDE,  # ã  ^ + ngã
    (0xE4, 0xC4): _CIRC + _DOT,  # ä  ^ + nặng
    (0xEA, 0xCA): _BREVE,  # ê  breve
    (0xE9, 0xC9): _BREVE + _ACUTE,  # é  breve + sắc
    (0xE8, 0xC8): _BREVE + _GRAVE,  # è  breve + huyền
    (0xFA, 0xDA): _BREVE + _HOOK,  # ú  breve + hỏi
    (0xFC, 0xDC): _BREVE + _TILDE,  # ü  breve + ngã
    (0xEB, 0xCB): _BREVE + _DOT,  # ë  breve + nặng
}


def _build_vni() -> dict[int, str]:
    table = dict(_VNI_LETTERS)
    for (lower, upper), marks in _VNI_MARKS.items():
        table[lower] = marks
        table[upper] = marks
    return table


#: VNI byte -> Unicode letter or combining mark(s); compose with NFC afterwards.
VNI_TO_UNICODE: dict[int, str] = _build_vni()


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: Latin-1 control char


def _build_char_to_byte() -> dict[str, int]:
    """Every glyph a legacy byte can show up as (Latin-1, cp1252, cp1258)."""
    out: dict[str, int] = {}
    for codec in ("latin-1", "cp1252", "cp1258"):
        for byte in range(256):
            try:
                ch = bytes([byte]).decode(codec)
            except UnicodeDecodeError:
                continue
            prev = out.setdefault(ch, byte)
            if prev != byte:  # pragma: no cover - guarded by tests
                raise AssertionError(f"glyph {ch!r} maps to two bytes")
    return out


_CHAR_TO_BYTE: dict[str, int] = _build_char_to_byte()


def _only_in(codec: str, other: str) -> frozenset[str]:
    def glyphs(c: str) -> set[str]:
        out = set()
        for b in range(0x80, 0x100):
            with contextlib.suppress(UnicodeDecodeError):
                out.add(bytes([b]).decode(c))
        return out

    return frozenset(glyphs(codec) - glyphs(other))


#: glyphs that only a Windows-1258 decoding produces (Ă Đ Ơ Ư ă đ ơ ư ₫ and 5 marks)
_CP1258_ONLY = _only_in("cp1258", "cp1252")
#: glyphs of cp1252 that cp1258 lacks (Ã Ì Ò Õ Ý ... ); after cp1258 decoding + NFC
#: they can only come from a base letter + a cp1258 combining mark.
_CP1252_ONLY = _only_in("cp1252", "cp1258")


def _glyph_table(byte_table: dict[int, str]) -> dict[int, str]:
    """Map every glyph of a mapped legacy byte to its Unicode value (str.translate)."""
    return {
        ord(ch): byte_table[b]
        for ch, b in _CHAR_TO_BYTE.items()
        if b in byte_table and len(ch) == 1
    }


_TCVN3_GLYPHS = _glyph_table(TCVN3_TO_UNICODE)
_VNI_GLYPHS = _glyph_table(VNI_TO_UNICODE)


def _byte_table(byte_table: dict[int, str]) -> dict[int, str]:
    """Translate table for ``data.decode('latin-1')`` of raw legacy bytes."""
    out: dict[int, str] = {}
    for b in range(0x80, 0x100):
        out[b] = byte_table.get(b, _cp1252_char(b))
    return out


_TCVN3_BYTES = _byte_table(TCVN3_TO_UNICODE)
_VNI_BYTES = _byte_table(VNI_TO_UNICODE)


def _split_composed(ch: str, forbid: frozenset[str]) -> list[str] | None:
    """Undo an NFC composition of a legacy glyph with a cp1258 combining mark.

    E.g. TCVN3 ``i`` + byte 0xD2 decoded as cp1258 is ``i`` + U+0309, which NFC
    turns into ``ỉ``; this returns ``['i', '\\u0309']``.
    """
    d = unicodedata.normalize("NFD", ch)
    if len(d) < 2:
        return None
    base, marks = d[0], d[1:]
    for i, mark in enumerate(marks):
        if mark not in _CHAR_TO_BYTE:
            continue
        head = _nfc(base + marks[:i] + marks[i + 1 :])
        if head in _CHAR_TO_BYTE and head not in forbid:
            return [head, mark]
    if all(c in _CHAR_TO_BYTE for c in d):
        return list(d)
    return None


_CLUSTER_RE = re.compile(r"[^\u0300-\u036f]?[\u0300-\u036f]+")
MAX_GLYPH_MARKS = 4  # combining marks a legacy glyph sequence can carry (a vowel, a hat, a tone)


@lru_cache(maxsize=4096)
def _split_cluster(cluster: str) -> str:
    """Rewrite a base + combining-marks cluster as a sequence of legacy glyphs.

    After cp1258 decoding and NFC, a legacy glyph and a following combining-mark
    glyph may be composed and canonically reordered (VNI ``ñ`` + U+0323 becomes
    ``ṇ`` + U+0303).  Find a glyph (base plus some of the marks) and leave the
    remaining marks as separate glyphs.
    """
    if all(c in _CHAR_TO_BYTE for c in cluster):
        return cluster  # already a glyph sequence (cp1258 text that was not NFC'd)
    if not all(c in _CHAR_TO_BYTE for c in cluster[1:]):
        return cluster  # marks cp1258 cannot produce (e.g. NFD "ê"): not legacy glyphs
    d = unicodedata.normalize("NFD", cluster)
    base, marks = d[0], d[1:]
    if unicodedata.combining(base) or len(marks) > MAX_GLYPH_MARKS:
        # No legacy glyph carries more marks, and the subsets below are 2^marks: a letter
        # with 300 marks ("Zalgo" text) held a whole ingest for good (a tester's).
        return cluster
    for k in range(len(marks), -1, -1):
        for keep in combinations(range(len(marks)), k):
            head = _nfc(base + "".join(marks[i] for i in keep))
            rest = [m for i, m in enumerate(marks) if i not in keep]
            if (
                head in _CHAR_TO_BYTE
                and head not in _CP1252_ONLY
                and all(m in _CHAR_TO_BYTE for m in rest)
            ):
                return head + "".join(rest)
    return cluster


def _prepare(text: str, glyphs: dict[int, str]) -> tuple[str, dict[int, str]]:
    """Undo cp1258 + NFC artefacts; return the text and the glyph table to use."""
    chars = {c for c in set(text) if ord(c) >= 0x80}
    if chars.isdisjoint(_CP1258_ONLY) and not any(
        c not in _CHAR_TO_BYTE and _TONE_SET.intersection(unicodedata.normalize("NFD", c))
        for c in chars
    ):
        forbid: frozenset[str] = frozenset()
    else:
        forbid = _CP1252_ONLY
        if any(unicodedata.combining(c) for c in chars):
            text = _CLUSTER_RE.sub(lambda m: _split_cluster(m.group()), text)
            chars = {c for c in set(text) if ord(c) >= 0x80}
    todo = [c for c in chars if c not in _CHAR_TO_BYTE or c in forbid]
    if not todo:
        return text, glyphs
    table = dict(glyphs)
    for c in todo:
        parts = _split_composed(c, forbid)
        if parts is not None:
            table[ord(c)] = "".join(glyphs.get(ord(p), p) for p in parts)
    return text, table


# .VnTimeH all-caps words: TCVN3 has no upper-case toned vowels, so an all-caps
# word typed in .VnTimeH comes out with lower-case toned vowels ("NGHị").
_UPPER_SET = "A-ZĂÂÊÔƠƯĐ"
_TCVN3_LOWER = "".join(sorted({v for v in TCVN3_TO_UNICODE.values() if v.islower()}))
_CAPS_WORD_RE = re.compile(
    rf"(?<![^\W\d_])(?=[{_UPPER_SET}{_TCVN3_LOWER}]*[{_TCVN3_LOWER}])"
    rf"[{_UPPER_SET}{_TCVN3_LOWER}]{{2,}}(?![^\W\d_])"
)


def _fix_caps(match: re.Match[str]) -> str:
    word = match.group()
    if sum(1 for c in word if c.isupper()) >= 2:
        return word.upper()
    return word


# ---------------------------------------------------------------------------
# Conversion
# ---------------------------------------------------------------------------


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 (ABC, ``.VnTime``) text in glyph form to Unicode NFC.

    ``text`` holds the Latin-1 / Windows-1252 / Windows-1258 glyphs of the
    TCVN3 bytes, e.g. ``"Héi nghÞ"`` or ``"Héi ngh\\u0303"`` -> ``"Hội nghị"``.
    Characters that are not glyphs of a TCVN3 letter are kept.  All-caps words
    whose toned vowels came out lower case (``.VnTimeH``) are upper-cased.
    """
    text, table = _prepare(text, _TCVN3_GLYPHS)
    out = text.translate(table)
    out = _nfc(_CAPS_WORD_RE.sub(_fix_caps, out))
    return "\n".join(_caps_line(line) for line in out.split("\n"))


_ONLY_CAPS_OR_TONED = re.compile(rf"[{_UPPER_SET}{_nfc(_TCVN3_LOWER)}]+")


def _caps_line(line: str) -> str:
    """A line in capitals (a heading typed in .VnTimeH) with a word of one capital left:
    "ĐẢNG Bộ TỈNH Hà TĨNH", "HUYỆN ủY", "Kế HOẠCH" (a tester's) are upper-cased whole."""
    # Not the letters of a code or a figure ("Số 112-KH/HU" is no heading in capitals).
    words = re.findall(r"[^\W\d_]+", re.sub(r"\S*\d\S*", " ", line))
    caps = [w for w in words if w.isupper()]
    if len(words) < 2 or 2 * len(caps) < len(words):
        return line
    if not all(w.isupper() or _ONLY_CAPS_OR_TONED.fullmatch(w) for w in words):
        return line  # a word in lower case ("UBND xã"): not a heading in capitals
    return " ".join(w if re.search(r"\d", w) else w.upper() for w in line.split(" "))


def vni_to_unicode(text: str) -> str:
    """Convert VNI-Windows (``VNI-Times``) text in glyph form to Unicode NFC.

    ``text`` holds the Latin-1 / Windows-1252 / Windows-1258 glyphs of the VNI
    bytes, e.g. ``"Ñaûng Coäng saûn"`` -> ``"Đảng Cộng sản"``.
    """
    text, table = _prepare(text, _VNI_GLYPHS)
    return _nfc(text.translate(table))


def _decode_tcvn3_bytes(data: bytes) -> str:
    out = data.decode("latin-1").translate(_TCVN3_BYTES)
    out = _nfc(_CAPS_WORD_RE.sub(_fix_caps, out))
    return "\n".join(_caps_line(line) for line in out.split("\n"))


def _decode_vni_bytes(data: bytes) -> str:
    return _nfc(data.decode("latin-1").translate(_VNI_BYTES))


# ---------------------------------------------------------------------------
# Vietnamese syllable validator
# ---------------------------------------------------------------------------

_RHYMES = frozenset(
    [
        "a",
        "ai",
        "ao",
        "au",
        "ay",
        "ac",
        "ach",
        "am",
        "an",
        "ang",
        "anh",
        "ap",
        "at",
        "ăc",
        "ăm",
        "ăn",
        "ăng",
        "ăp",
        "ăt",
        "âc",
        "âm",
        "ân",
        "âng",
        "âp",
        "ât",
        "âu",
        "ây",
        "e",
        "ec",
        "em",
        "en",
        "eng",
        "eo",
        "ep",
        "et",
        "ê",
        "êch",
        "êm",
        "ên",
        "ênh",
        "êp",
        "êt",
        "êu",
        "i",
        "ia",
        "ich",
        "im",
        "in",
        "inh",
        "ip",
        "it",
        "iu",
        "iêc",
        "iêm",
        "iên",
        "iêng",
        "iêp",
        "iêt",
        "iêu",
        "o",
        "oc",
        "oi",
        "om",
        "on",
        "ong",
        "op",
        "ot",
        "oa",
        "oac",
        "oach",
        "oai",
        "oam",
        "oan",
        "oang",
        "oanh",
        "oao",
        "oap",
        "oat",
        "oay",
        "oăc",
        "oăm",
        "oăn",
        "oăng",
        "oăt",
        "oe",
        "oen",
        "oeo",
        "oet",
        "oong",
        "ooc",
        "ô",
        "ôc",
        "ôi",
        "ôm",
        "ôn",
        "ông",
        "ôp",
        "ôt",
        "ơ",
        "ơi",
        "ơm",
        "ơn",
        "ơp",
        "ơt",
        "u",
        "ua",
        "uân",
        "uâng",
        "uât",
        "uây",
        "uc",
        "uê",
        "uêch",
        "uênh",
        "ui",
        "um",
        "un",
        "ung",
        "uơ",
        "uôc",
        "uôi",
        "uôm",
        "uôn",
        "uông",
        "uôt",
        "up",
        "ut",
        "uy",
        "uya",
        "uych",
        "uyên",
        "uyêt",
        "uynh",
        "uyt",
        "uyu",
        "ư",
        "ưa",
        "ưc",
        "ưi",
        "ưm",
        "ưn",
        "ưng",
        "ươc",
        "ươi",
        "ươm",
        "ươn",
        "ương",
        "ươp",
        "ươt",
        "ươu",
        "ưt",
        "ưu",
        "y",
        "yêm",
        "yên",
        "yêt",
        "yêu",
    ]
)
_ONSETS = (
    "ngh",
    "ng",
    "nh",
    "ch",
    "gh",
    "gi",
    "kh",
    "ph",
    "qu",
    "th",
    "tr",
    "b",
    "c",
    "d",
    "đ",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
    "",
)
_ALPHABET = frozenset("abcdđeghiklmnopqrstuvxyăâêôơư")
_FRONT = "ieêy"


def _rhyme_ok(onset: str, rhyme: str) -> bool:
    if not rhyme:
        return False
    first = rhyme[0]
    if onset == "qu":
        return first not in "uưo" and rhyme in _RHYMES
    if onset == "gi":
        return first != "i" and (rhyme in _RHYMES or "i" + rhyme in _RHYMES)
    if rhyme not in _RHYMES:
        return False
    if onset in ("k", "gh", "ngh"):
        return first in _FRONT
    if onset in ("c", "ng"):
        return first not in _FRONT
    if onset == "g":
        return first not in "eê"
    return True


@lru_cache(maxsize=1 << 16)
def is_vietnamese_syllable(word: str) -> bool:
    """True when ``word`` is a well-formed Vietnamese syllable (any case, NFC or NFD).

    Structure checked: optional onset + a known rhyme, at most one tone mark and
    it must sit on a vowel, spelling rules (k/gh/ngh before i e ê y; c/ng not),
    and syllables ending in p, t, c, ch carry only the sắc or nặng tone.
    """
    if not word or len(word) > 12:
        return False
    tone = ""
    prev = ""
    kept: list[str] = []
    for c in unicodedata.normalize("NFD", word.lower()):
        if c in _TONE_MARKS:
            if tone or not prev or prev not in "aeiouy":
                return False
            tone = c
            continue
        if not unicodedata.combining(c):
            prev = c
        kept.append(c)
    base = _nfc("".join(kept))
    if not base or len(base) > 7 or not _ALPHABET.issuperset(base):
        return False
    if base[-1] in "ptc" or base.endswith("ch"):
        if tone not in (_ACUTE, _DOT):
            return False
    return any(base.startswith(onset) and _rhyme_ok(onset, base[len(onset) :]) for onset in _ONSETS)


# ---------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------

# A token: a run of anything but whitespace, ASCII punctuation/digits and
# general punctuation.  Latin-1 symbols stay inside tokens on purpose: they are
# legacy letters (§ = Đ in TCVN3).
_TOKEN_RE = re.compile(r"[^\s!-@\[-`{-~\u2010-\u205e\u3000-\u303f]+")
_NONASCII_RE = re.compile(r"[^\x00-\x7f\s\u2010-\u205e]")


def _vietnamese_letters() -> str:
    out = {"đ", "Đ"}
    for vowel in "aăâeêioôơuưy":
        for mark in ("", *_TONE_MARKS):
            ch = _nfc(vowel + mark)
            out.update((ch, ch.upper()))
    return "".join(sorted(c for c in out if not c.isascii()))


_VN_LETTER_RE = re.compile(f"[{_vietnamese_letters()}]")

_DETECT_LIMIT = 100_000  # characters (or bytes) examined by detection


@dataclass(frozen=True)
class _Profile:
    tokens: int  # all tokens
    valid: int  # tokens that are Vietnamese syllables
    nonascii: int  # tokens containing a non-ASCII character
    nonascii_valid: int  # ... of which are Vietnamese syllables
    distinct_valid: int  # distinct valid non-ASCII tokens
    vn_ratio: float  # Vietnamese letters / non-ASCII characters


def _profile(text: str) -> _Profile:
    tokens = valid = nonascii = nonascii_valid = 0
    distinct: set[str] = set()
    for tok in _TOKEN_RE.findall(text):
        tokens += 1
        ok = is_vietnamese_syllable(tok)
        valid += ok
        if not tok.isascii():
            nonascii += 1
            if ok:
                nonascii_valid += 1
                distinct.add(tok.lower())
    others = len(_NONASCII_RE.findall(text))
    ratio = len(_VN_LETTER_RE.findall(text)) / others if others else 0.0
    return _Profile(tokens, valid, nonascii, nonascii_valid, len(distinct), ratio)


def _choose(candidates: dict[str, str], baselines: list[str]) -> str | None:
    """Pick the candidate decoding that is clearly Vietnamese, or None."""
    profiles = {name: _profile(text) for name, text in candidates.items()}
    base = max((_profile(b) for b in baselines), key=lambda p: p.nonascii_valid)
    name = max(profiles, key=lambda k: (profiles[k].nonascii_valid, profiles[k].vn_ratio))
    best = profiles[name]
    n = best.nonascii
    if n == 0:
        return None
    rival = max(
        [base.nonascii_valid] + [p.nonascii_valid for k, p in profiles.items() if k != name]
    )
    if best.nonascii_valid - rival < max(2, math.ceil(0.2 * n)):
        return None
    if best.nonascii_valid < 0.6 * n or best.distinct_valid < 2:
        return None
    if best.valid < 0.5 * best.tokens:
        return None
    if best.vn_ratio < 0.8 or best.vn_ratio < base.vn_ratio:
        return None
    return name


def _sample(text: str) -> str:
    if len(text) <= _DETECT_LIMIT:
        return text
    cut = text.rfind(" ", 0, _DETECT_LIMIT)
    return text[: cut if cut > _DETECT_LIMIT // 2 else _DETECT_LIMIT]


def detect_legacy_text(text: str) -> str | None:
    """Return ``"tcvn3"``, ``"vni"`` or None for text in glyph form (form b).

    None for ordinary Unicode (Vietnamese or not), ASCII, text with only a few
    odd characters, or when neither legacy reading is clearly better.  Only the
    first ~100k characters are examined.
    """
    sample = _sample(text)
    if sample.isascii():
        return None
    candidates = {"tcvn3": tcvn3_to_unicode(sample), "vni": vni_to_unicode(sample)}
    return _choose(candidates, [sample])


def decode_legacy_bytes(data: bytes) -> tuple[str, str] | None:
    """Decode raw TCVN3 or VNI bytes (form a).

    Returns ``(unicode_text, "tcvn3" | "vni")`` when the bytes are confidently
    one of them, else None.  Bytes that are valid UTF-8 (including pure ASCII)
    or contain NUL bytes are never taken as legacy.  Candidates must also beat
    the Windows-1252 and Windows-1258 readings of the same bytes.
    """
    if not data or b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return None
    sample = data[:_DETECT_LIMIT]
    candidates = {"tcvn3": _decode_tcvn3_bytes(sample), "vni": _decode_vni_bytes(sample)}
    baselines = [
        sample.decode("cp1252", errors="replace"),
        _nfc(sample.decode("cp1258", errors="replace")),
    ]
    name = _choose(candidates, baselines)
    if name is None:
        return None
    decode = _decode_tcvn3_bytes if name == "tcvn3" else _decode_vni_bytes
    return decode(data), name


def fix_legacy(text: str) -> tuple[str, str | None]:
    """Detect and convert legacy glyph text.

    Returns ``(converted_text, "tcvn3" | "vni")``, or ``(text, None)`` unchanged
    when no legacy encoding is detected.
    """
    name = detect_legacy_text(text)
    if name == "tcvn3":
        return tcvn3_to_unicode(text), name
    if name == "vni":
        return vni_to_unicode(text), name
    return text, None
