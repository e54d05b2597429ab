"""Encoders for tests: Unicode → TCVN3, VNI-Windows and Windows-1258 bytes, written
independently of :mod:`bot.corpus.legacy` so that its tables are checked, not echoed."""

from __future__ import annotations

import unicodedata

TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Encode like a legacy Windows-1258 editor: base letters precomposed, tones combining."""
    import unicodedata

    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


# ---------------------------------------------------------------------------
# Independent reference tables and encoders (unicode -> legacy), test-only.
# Written out by hand in a different layout from the module (tones in the
# order sắc, huyền, hỏi, ngã, nặng as in xvnkb's tcvn.h) so that the module's
# tables are checked, not just echoed.
# ---------------------------------------------------------------------------

TCVN3_CHARS = "ĂÂÊÔƠƯĐăâêôơưđáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
TCVN3_CODES = bytes(range(0xA1, 0xAF)) + bytes(
    [
        0xB8,
        0xB5,
        0xB6,
        0xB7,
        0xB9,  # a
        0xBE,
        0xBB,
        0xBC,
        0xBD,
        0xC6,  # ă
        0xCA,
        0xC7,
        0xC8,
        0xC9,
        0xCB,  # â
        0xD0,
        0xCC,
        0xCE,
        0xCF,
        0xD1,  # e
        0xD5,
        0xD2,
        0xD3,
        0xD4,
        0xD6,  # ê
        0xDD,
        0xD7,
        0xD8,
        0xDC,
        0xDE,  # i
        0xE3,
        0xDF,
        0xE1,
        0xE2,
        0xE4,  # o
        0xE8,
        0xE5,
        0xE6,
        0xE7,
        0xE9,  # ô
        0xED,
        0xEA,
        0xEB,
        0xEC,
        0xEE,  # ơ
        0xF3,
        0xEF,
        0xF1,
        0xF2,
        0xF4,  # u
        0xF8,
        0xF5,
        0xF6,
        0xF7,
        0xF9,  # ư
        0xFD,
        0xFA,
        0xFB,
        0xFC,
        0xFE,  # y
    ]
)
assert len(TCVN3_CHARS) == len(TCVN3_CODES) == 14 + 60
TCVN3_ENC = dict(zip(TCVN3_CHARS, TCVN3_CODES, strict=True))


def encode_tcvn3(text: str) -> bytes:
    """Unicode -> TCVN3 bytes (raises on letters TCVN3 cannot represent)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out += ch.encode("ascii")
        elif ch in TCVN3_ENC:
            out.append(TCVN3_ENC[ch])
        else:
            raise ValueError(f"not encodable in TCVN3: {ch!r}")
    return bytes(out)


# VNI-Windows: tone -> mark glyph (lower case); circumflex / breve combos.
_VNI_TONE = {"": "", "\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRC = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"": "i", "\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def vni_char(ch: str) -> str:
    if ch == "đ":
        return "ñ"
    if ch == "Đ":
        return "Ñ"
    d = unicodedata.normalize("NFD", ch)
    base, marks = d[0], d[1:]
    if base.lower() not in "aeiouy" or not marks:
        return ch
    upper = base.isupper()
    tone = "".join(m for m in marks if m in _VNI_TONE)
    mods = [m for m in marks if m not in _VNI_TONE]
    low = base.lower()
    if low == "i":
        s = _VNI_I[tone]
    elif low == "y" and tone == "\u0323":
        s = "î"
    elif mods == ["\u0302"]:
        s = low + _VNI_CIRC[tone]
    elif mods == ["\u0306"]:
        s = low + _VNI_BREVE[tone]
    elif mods == ["\u031b"]:
        s = {"o": "ô", "u": "ö"}[low] + _VNI_TONE[tone]
    else:
        assert not mods, ch
        s = low + _VNI_TONE[tone]
    return s.upper() if upper else s


def encode_vni(text: str) -> bytes:
    """Unicode -> VNI-Windows bytes."""
    glyphs = "".join(vni_char(c) for c in unicodedata.normalize("NFC", text))
    return glyphs.encode("cp1252")


def encode_cp1258(text: str) -> bytes:
    """Unicode -> Windows-1258 the way Windows does it (base letter + tone mark)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        tone = "".join(m for m in d if m in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(m for m in d if m not in tone))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)
