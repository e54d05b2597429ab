"""Read documents from files: text, Markdown, HTML, DOCX, PDF and JSONL.

Every failure is an :class:`~bot.errors.InputError` that names the file (and line), so a
batch can report it in one line and go on with the next file.
"""

from __future__ import annotations

import html as html_lib
import io
import json
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.corpus.documents import MAX_TEXT_CHARS, NewDocument, clean_external_id
from bot.corpus.legacy import decode_legacy_bytes, fix_legacy
from bot.corpus.parsing import heading_date, lead_date, parse_article, parse_date
from bot.corpus.text import fold_lower, normalize
from bot.errors import InputError
from bot.timeutil import VN

log = logging.getLogger(__name__)

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ""}
MAX_FILE_BYTES = 20 * 1024 * 1024
# No character takes more than 4 bytes, so a bigger text file holds more than a document may:
# it is refused from its size, before seconds of parsing and hundreds of MB of memory.
MAX_TEXT_FILE_BYTES = 4 * MAX_TEXT_CHARS
# Cleaning (whitespace, headline, decomposed accents) shortens a text, but not by a third:
# raw text past this is refused before the slow article parsing.
MAX_RAW_CHARS = MAX_TEXT_CHARS * 3 // 2
# … and its words with one space between past this (page furniture is a few lines).
MAX_WORD_CHARS = MAX_TEXT_CHARS * 21 // 20
MAX_JSONL_LINE = 5 * 1024 * 1024

# Letters that only Vietnamese uses; a legacy decoding that yields them is probably right.
_VIETNAMESE = re.compile(
    r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]"
)


@dataclass
class Decoded:
    """Text decoded from bytes and the encoding that worked."""

    text: str
    encoding: str


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0x80 <= ord(ch) < 0xA0)
    return bad / len(text)


def decode_bytes(data: bytes, *, source: str) -> Decoded:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16/32, or Windows-1258.

    Raises :class:`InputError` for empty, binary or undecodable input.
    """
    if not data.strip():
        raise InputError("empty file", source=source)
    if data.startswith(b"\xef\xbb\xbf"):
        return Decoded(data[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"invalid {codec.upper()} text ({exc.reason})", source=source
                ) from exc
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        head = data[:4096]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        codec = (
            "utf-16-le"
            if odd > len(head) // 4 and even < odd // 4
            else "utf-16-be"
            if even > len(head) // 4 and odd < even // 4
            else None
        )
        if codec:
            try:
                text = data.decode(codec)
                if _control_ratio(text) < 0.01:
                    return Decoded(text, codec)
            except UnicodeDecodeError:
                pass
        raise InputError("binary file, not text", source=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _control_ratio(text) > 0.01:
            raise InputError("binary file, not text", source=source)
        return Decoded(text, "utf-8")
    # Legacy Vietnamese font encodings (TCVN3/ABC, VNI), common in older Party documents; they
    # are checked before Windows-1258, which would decode their bytes into garbage.
    legacy = decode_legacy_bytes(data)
    if legacy is not None:
        return Decoded(normalize(legacy[0]), legacy[1])
    # Windows-1258 composes tones with combining marks; NFC fixes that.
    try:
        text = normalize(data.decode("cp1258"))
    except UnicodeDecodeError:
        text = ""
    if text and _control_ratio(text) < 0.01 and _VIETNAMESE.search(text):
        return Decoded(text, "cp1258")
    raise InputError(
        "not UTF-8 text and not a known Vietnamese encoding (save it as UTF-8)", source=source
    )


_AMPERSAND = re.compile(r"&(?:amp|#0*38|#x0*26);", re.IGNORECASE)


def extract_html(html: str, **options: Any) -> dict[str, Any] | None:
    """trafilatura's ``bare_extraction`` of ``html`` (``options`` passed on) as a dict, with
    text and metadata decoded once; None when it finds no article.

    trafilatura unescapes the text it has already decoded: "&amp;lt;script&amp;gt;" (the page
    shows "&lt;script&gt;") came out as live "<script>", "AT&amp;amp;T" as "AT&T". An
    ampersand escaped once more survives that second pass as the page shows it; the metadata,
    not unescaped again, gets its ampersands back.
    """
    import trafilatura
    from trafilatura.settings import set_date_params

    # The time of day too, with its zone ("2026-10-15T08:00:00+0700"): trafilatura gives the
    # day alone, which was stored as midnight UTC, 07:00 in Vietnam (a tester's).
    dates = {**set_date_params(False), "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
    extracted = trafilatura.bare_extraction(
        _AMPERSAND.sub("&amp;amp;", html),
        with_metadata=True,
        include_comments=False,
        date_extraction_params=dates,
        **options,
    )
    if extracted is None:
        return None
    doc = dict(extracted if isinstance(extracted, dict) else extracted.as_dict())
    for key in ("title", "author", "url", "sitename", "hostname", "date"):
        if isinstance(doc.get(key), str):
            doc[key] = _AMPERSAND.sub("&", doc[key])
    return doc


# An element the page marks as its date: <span class="date">Thứ Hai, 07/10/2024 08:15
# (GMT+7)</span>, the way Vietnamese news sites write it, which the extractor's date search
# missed, and the article was stored undated (a tester's).
_DATE_ELEMENT = re.compile(
    r"<(\w+)[^>]*\b(?:class|id|itemprop)\s*=\s*[\"'][^\"']*(?:date|time|publish|ngay)[^\"']*[\"']"
    r"[^>]*>(.{1,200}?)</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)


# … or an element whose whole text is a date line, wherever it is ("detail-info" on one
# site): "Thứ Sáu, 06/12/2024 16:40 (GMT+7)", "07/10/2024 | 08:15".
_DATE_LINE = re.compile(
    r">\s*((?:(?:Thứ\s+\w+|Chủ\s+nhật)\s*[,-]?\s*)?(?:ngày\s+)?\d{1,2}/\d{1,2}/(?:19|20)\d\d"
    r"(?:\s*[-,|]?\s*\d{1,2}:\d{2}(?::\d{2})?)?(?:\s*\(?\s*GMT\s*[+-]\s*\d{1,2}(?::?\d{2})?\s*\)?)?)"
    r"\s*<",
    re.IGNORECASE,
)


def _tag_text(fragment: str) -> str:
    """The text of an HTML fragment: tags out, entities read, spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


# A heading, closed or (sloppy HTML) up to the next tag.
_HEADING = re.compile(
    r"<h([12])\b[^>]*>(.{1,600}?</h\1\s*>|[^<]{1,600})", re.IGNORECASE | re.DOTALL
)


def _full_headline(html: str, title: str | None) -> str | None:
    """``title`` (the page's <title>, less the site's name), or the page's heading when that
    says it whole: a <title> cut short ("Chi bộ thôn Đông tổ chức sinh hoạt chuyên đề") stood
    for the headline "… về học tập và làm theo tư tưởng …" (a tester's)."""
    if not title:
        return title
    wanted = " ".join(fold_lower(title).split())
    for match in _HEADING.finditer(html[:300_000]):
        text = _tag_text(match.group(2))
        folded = fold_lower(text)
        if len(text) > len(title) and folded.startswith(wanted) and len(text) <= 300:
            return text
    return title


def marked_date(html: str) -> str | None:
    """The first date of an element marked as the page's date, or of one that holds a date
    line alone, ISO (Vietnam time)."""
    from bot.corpus.parsing import parse_date

    head = html[:200_000]
    texts = [m.group(2) for m in _DATE_ELEMENT.finditer(head)]
    texts += [m.group(1) for m in _DATE_LINE.finditer(head)]
    for text in texts:
        found = parse_date(_tag_text(text))
        if found is not None:
            return found.isoformat()
    return None


def _read_html(data: bytes, source: str) -> tuple[str, dict[str, str | None]]:
    html = decode_bytes(data, source=source).text
    doc = extract_html(html, favor_precision=True)
    text = (doc or {}).get("text") or ""
    if doc is None or not text.strip():
        raise InputError("no article text found in the HTML", source=source)
    meta = {
        "title": _full_headline(html, doc.get("title")),
        "date": doc.get("date") or marked_date(html),
        "author": doc.get("author"),
        "url": doc.get("url"),
        "source": doc.get("sitename") or doc.get("hostname"),
    }
    return text, meta


MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # a .docx whose XML inflates beyond this is refused
MAX_ZIP_MEMBERS = 2_000


def _check_zip(data: bytes, source: str) -> None:
    """Refuse a zip (.docx) that inflates beyond :data:`MAX_UNZIPPED_BYTES`.

    The sizes in a zip's directory can lie, so members are inflated in chunks and counted.
    """
    import zipfile

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: Word 97–2003
        raise InputError(
            "an old Word .doc file under a .docx name: open it in Word or LibreOffice and "
            "save it as .docx",
            source=source,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError(
            f"not a readable .docx file ({exc.__class__.__name__})", source=source
        ) from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise InputError("not a .docx file (too many parts)", source=source)
        total = 0
        for info in members:
            try:
                with archive.open(info) as part:
                    while chunk := part.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_UNZIPPED_BYTES:
                            raise InputError(
                                f"the .docx inflates to more than {MAX_UNZIPPED_BYTES // 2**20} MB",
                                source=source,
                            )
            except InputError:
                raise
            except Exception as exc:  # zipfile raises many kinds for damaged members
                raise InputError(
                    f"not a readable .docx file ({exc.__class__.__name__})", source=source
                ) from exc


def _read_docx(data: bytes, source: str) -> str:
    import docx

    _check_zip(data, source)
    try:
        document = docx.Document(io.BytesIO(data))
    except KeyError as exc:  # a zip without the parts of a Word document
        raise InputError(
            "not a .docx file (a zip without a Word document in it)", source=source
        ) from exc
    except Exception as exc:  # python-docx raises a zoo of zipfile/lxml errors
        raise InputError(
            f"not a readable .docx file ({exc.__class__.__name__})", source=source
        ) from exc
    text = "\n".join(_docx_lines(document))
    if not text.strip():
        raise InputError("empty file (the .docx has no text)", source=source)
    return text


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _paragraph_text(paragraph: Any) -> str:
    """A paragraph's text, a page or column break read as a line break: python-docx drops
    them, and "…Trần Văn Chín." and "Biên bản kết thúc …" on the next page became
    "Chín.Biên" (a tester's)."""
    text = paragraph.text
    breaks = [
        br for br in paragraph._p.iter(f"{_W}br") if br.get(f"{_W}type") in ("page", "column")
    ]
    if not breaks:
        return text
    parts: list[str] = []
    for node in paragraph._p.iter(f"{_W}t", f"{_W}br", f"{_W}tab"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _docx_lines(container: Any) -> Iterator[str]:
    """Paragraphs and tables in document order: a report's results are often in a table.
    A table row is one line, its cells joined by " | " (a merged cell once)."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            yield _paragraph_text(block)
            continue
        for row in block.rows:
            cells: list[str] = []
            for cell in row.cells:
                text = " ".join(line for line in _docx_lines(cell) if line.strip())
                if text and (not cells or cells[-1] != text):
                    cells.append(text)
            if cells:
                yield " | ".join(cells)


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1")
_MD_LINE = re.compile(r"(?m)^(?:#{1,6}\s+|>\s?|[-*+]\s+(?=\S)|\s*(?:[-*_]\s*){3,}$)")


# HTML in a field of a JSONL line or a Markdown file: tags a scraper or an editor left in.
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|b|i|u|em|strong|a|h[1-6]|li|ul|ol|img|figure|figcaption|table|tr|"
    r"td|th|blockquote|script|style|section|article|header|footer|sup|sub|font)\b[^<>]*>",
    re.IGNORECASE,
)
_HTML_DROPPED = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_BREAK = re.compile(
    r"</?(?:br|p|div|li|h[1-6]|tr|blockquote|figure|section|ul|ol|table)\b[^<>]*>", re.IGNORECASE
)
_HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,7}|#x[0-9a-fA-F]{2,6});")


def markup_to_text(value: str) -> str:
    """``value`` without the HTML a scraper left in it ("<b>Tiêu đề</b> &amp; <i>x</i>" is
    "Tiêu đề & x"; a script is dropped with its code), decoded once; as it was when it has
    no tags and no entities. A tester saw such tags on the document page."""
    tags = _HTML_TAG.search(value) is not None
    if not tags and not _HTML_ENTITY.search(value):
        return value
    if tags:
        value = _HTML_DROPPED.sub(" ", value)
        value = _HTML_BREAK.sub("\n", value)
        value = _HTML_TAG.sub("", value)
    return normalize(html_lib.unescape(value))


# Front-matter keys and the fields they fill.
_FRONT_KEYS = {
    "title": "title", "tiêu đề": "title", "date": "date", "published": "date", "ngày": "date",
    "author": "author", "tác giả": "author", "source": "source", "nguồn": "source",
    "url": "url", "link": "url",
}  # fmt: skip


def _markdown_text(raw: str) -> tuple[str, dict[str, str | None]]:
    """A Markdown file's text without its markup, and the title and date of its YAML front
    matter ("title: …", "date: 2024-05-05"): an admin's notes are often written so."""
    meta: dict[str, str | None] = {}
    front = _FRONT_MATTER.match(raw)
    if front:
        for line in front.group(1).splitlines():
            key, _, value = line.partition(":")
            value = value.strip().strip("\"'")
            # Its author, source and link too, in English or Vietnamese (only the title and
            # date were read; a tester's author and link were lost).
            field = _FRONT_KEYS.get(" ".join(key.strip().lower().split()))
            if field is not None and value and field not in meta:
                meta[field] = value
        raw = raw[front.end() :]
    raw = _MD_IMAGE.sub("", raw)
    raw = _MD_LINK.sub(r"\1", raw)
    raw = _MD_LINE.sub("", raw)
    raw = _MD_EMPHASIS.sub(r"\2", raw)
    if _HTML_TAG.search(raw):  # raw HTML in Markdown: its tags, not its text, go
        raw = _HTML_TAG.sub("", _HTML_DROPPED.sub(" ", raw))
    return raw, meta


# A page's number alone on its line: "Trang 1/2", "- 3 -", "Page 2 of 5", "4".
_PAGE_NUMBER = re.compile(
    r"(?i)\s*(?:-\s*)?(?:trang|page)?\s*\d{1,4}\s*(?:(?:/|of|trên)\s*\d{1,4})?\s*(?:-\s*)?"
)


def _without_page_furniture(pages: list[str]) -> list[str]:
    """Each page's text without its number and without the header or footer every page
    repeats ("BÁO CÁO … | Trang 1/2" ran into the body between pages, a tester's)."""
    lines = [page.splitlines() for page in pages]

    def key(line: str) -> str:  # a header with its page number is still the same header
        return re.sub(r"\d+", "#", " ".join(line.split()).lower())

    repeated: set[str] = set()
    if len(lines) >= 2:
        seen: dict[str, int] = {}
        for page in lines:
            edges = [ln for ln in page if ln.strip()]
            for line in {key(ln) for ln in edges[:2] + edges[-2:]}:
                seen[line] = seen.get(line, 0) + 1
        repeated = {line for line, n in seen.items() if n >= max(2, len(lines) // 2 + 1)}
    out = []
    for page in lines:
        edges = [ln for ln in page if ln.strip()]
        head, tail = set(edges[:2]), set(edges[-2:])
        kept = [
            ln
            for ln in page
            if not (
                (ln in head or ln in tail) and (_PAGE_NUMBER.fullmatch(ln) or key(ln) in repeated)
            )
        ]
        out.append("\n".join(kept))
    return out


def _read_pdf(data: bytes, source: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InputError(f"not a readable PDF ({exc})", source=source) from exc
    text = "\n".join(_without_page_furniture(pages))
    if not text.strip():
        raise InputError("the PDF has no text layer (scanned image?)", source=source)
    # PDF lines are wrapped: join lines inside a paragraph, keep blank-line breaks.
    text = re.sub(r"(?<![.!?:;”\"])\n(?!\n)", " ", text)
    return text


def path_text(path: Path) -> str:
    """``path`` as text that can be stored and printed: a name that is not UTF-8 (a file
    copied from an old Windows archive) has its bad bytes shown as "�". Its surrogates made
    the database refuse the whole batch, good files included (a tester's)."""
    return os.fsencode(path).decode("utf-8", "replace")


def read_file(path: Path) -> NewDocument:
    """Read one document file; raises :class:`InputError` naming the file on failure.

    Only regular files are read, and never more than :data:`MAX_FILE_BYTES`: a FIFO named
    ``.txt`` would hang and ``/dev/zero`` would fill the memory.
    """
    source = path_text(path)
    suffix = path.suffix.lower()
    if not os.path.lexists(path):  # before the type: "/nonexistent" is missing, not untyped
        raise InputError("no such file or folder", source=source)
    if suffix not in SUPPORTED:
        raise InputError(
            f"unsupported file type {suffix or '(none)'}; use {', '.join(sorted(SUPPORTED))}",
            source=source,
        )
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; we refuse it right after.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise InputError("no such file", source=source) from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder", source=source) from exc
    except PermissionError as exc:
        raise InputError("permission denied", source=source) from exc
    except OSError as exc:
        raise InputError(f"cannot open ({exc.strerror or exc})", source=source) from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a folder", source=source)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("not a regular file (device, FIFO or socket)", source=source)
        limit = _byte_limit(suffix)
        if info.st_size > limit:
            raise InputError(_too_large(info.st_size, suffix), source=source)
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while we read it
        raise InputError(_too_large(len(data), suffix), source=source)
    return read_bytes(data, name=path_text(Path(path.name)), source=source)


def _byte_limit(suffix: str) -> int:
    return MAX_TEXT_FILE_BYTES if suffix in TEXT_SUFFIXES else MAX_FILE_BYTES


def _too_large(size: int, suffix: str) -> str:
    if suffix in TEXT_SUFFIXES:
        return (
            f"file too large ({size:,} bytes; a text file may have {MAX_TEXT_FILE_BYTES:,}, "
            f"a document {MAX_TEXT_CHARS:,} characters)"
        )
    return f"file too large ({size:,} bytes, limit {MAX_FILE_BYTES:,})"


def read_bytes(data: bytes, *, name: str, source: str | None = None) -> NewDocument:
    """Parse a document given as bytes (a file on disk or one uploaded to the bot)."""
    source = source or name
    suffix = Path(name).suffix.lower()
    if len(data) > _byte_limit(suffix):  # an upload is checked here, a file also before reading
        raise InputError(_too_large(len(data), suffix), source=source)
    if not data.strip():
        raise InputError("empty file", source=source)
    meta: dict[str, str | None] = {}
    if data[:5] == b"%PDF-" and suffix != ".pdf":
        suffix = ".pdf"  # a PDF under another name is read as the PDF it is (a tester's)
    if suffix in {".html", ".htm"}:
        raw, meta = _read_html(data, source)
    elif suffix == ".docx":
        raw = _read_docx(data, source)
    elif suffix == ".pdf":
        raw = _read_pdf(data, source)
    elif suffix in {".txt", ".md", ".markdown", ""}:
        raw = decode_bytes(data, source=source).text
        if suffix in {".md", ".markdown"}:
            raw, meta = _markdown_text(raw)
    else:
        raise InputError(f"unsupported file type {suffix}", source=source)
    # Text extracted from a .docx or HTML typed in a legacy font is Unicode made of that
    # font's glyphs ("Héi nghÞ"): convert it when the detector is sure.
    raw, _legacy = fix_legacy(raw)
    # Refused before parsing when its words alone are well over the limit: a 2.4 million
    # character file was refused after 15 s of work (a tester's); only a file near the
    # limit waits for its parse to tell.
    if len(raw) > MAX_TEXT_CHARS:  # words and one space between: what the text keeps
        words = unicodedata.normalize("NFC", raw).split()
        kept = sum(map(len, words)) + len(words) - 1
    if len(raw) > MAX_RAW_CHARS or (len(raw) > MAX_TEXT_CHARS and kept > MAX_WORD_CHARS):
        raise InputError(
            f"document text is too long ({len(raw):,} characters, limit {MAX_TEXT_CHARS:,})",
            source=source,
        )
    article = parse_article(raw, title=meta.get("title") or None)
    if not article.paragraphs:
        raise InputError(
            "no body text after removing headline, dates and page furniture", source=source
        )
    published = article.published_at
    if published is None and meta.get("date"):
        published = parse_date(str(meta["date"]))
    if published is None:
        published = heading_date(raw) or lead_date(article.paragraphs[0])
    if published is not None and published > datetime.now(UTC) + FUTURE_SLACK:
        # A date to come is no publication date ("Hạn chót 30/12/2099"), but the admin is
        # told: a slip of the year ("2027" for "2025") left a plan undated silently (a
        # tester's), where a JSONL line's future date is an error.
        log.warning(
            "%s: its date %s is in the future: stored without a date",
            source,
            published.strftime("%d/%m/%Y"),
        )
        published = None
    return NewDocument(
        title=article.title,
        text=article.text,
        external_id=Path(name).stem,
        published_at=published,
        url=article.url or meta.get("url"),
        source=article.source or meta.get("source"),
        author=article.author or meta.get("author"),
        origin=source,
        named_from_file=True,
    )


@dataclass(frozen=True)
class Skipped:
    """A file inside a named folder that is not read, and why (reported, never silent)."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{path_text(self.path)}: {self.reason}"


def _skip_reason(child: Path) -> str | None:
    """Why a file found in a folder is not read; None when it is a readable document."""
    suffix = child.suffix.lower()
    if suffix == ".jsonl":
        # Folders also hold training or evaluation JSONL; only a JSONL named on purpose is read.
        return "JSONL inside a folder is not read (name the file to ingest it)"
    if suffix not in SUPPORTED:
        return f"unsupported type {suffix or '(none)'}"
    try:
        mode = child.lstat().st_mode
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc})"
    if stat.S_ISLNK(mode):
        return "symbolic link (not followed)" if child.exists() else "broken symbolic link"
    if not stat.S_ISREG(mode):
        return "not a regular file (device, FIFO or socket)"
    return None


def _resolved(path: Path) -> Path | None:
    """``path`` with its links resolved; None for a link loop ("ln -s self self"), which
    raised RuntimeError out of the whole batch."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return None


def walk_paths(paths: list[Path]) -> Iterator[Path | Skipped]:
    """Files named directly, and files inside named folders (sorted, recursive), with a
    :class:`Skipped` for each file in a folder that is not read.

    Inside a folder, symbolic links are not followed (a link to ``/etc/passwd`` or to a
    folder outside the tree is skipped) and only regular files are taken; hidden folders and
    files are passed over, a hidden document with a word. A missing path, or a named path that is not a
    regular file, is yielded as is so the reader reports it.
    """
    named = {r for p in paths if not p.is_dir() and (r := _resolved(p)) is not None}
    for path in paths:
        if path.is_dir():
            found: list[Path | Skipped] = []
            for root, dirs, files in os.walk(path, followlinks=False):
                # os.walk lists a link to a folder among the folders and does not enter it.
                links = [d for d in dirs if not d.startswith(".") and (Path(root) / d).is_symlink()]
                found += [Skipped(Path(root) / d, "symbolic link (not followed)") for d in links]
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in links)
                for name in files:
                    if name.startswith("."):
                        # A hidden document is said to be left (".bao-cao.txt" vanished from
                        # the counts, a tester's); system files (".DS_Store", "._x") quietly.
                        if Path(name).suffix.lower() in SUPPORTED and not name.startswith("._"):
                            found.append(
                                Skipped(Path(root) / name, "hidden file (name it to ingest it)")
                            )
                        continue
                    child = Path(root) / name
                    reason = _skip_reason(child)
                    if reason is not None and _resolved(child) in named:
                        continue  # also named on its own: read there, not "skipped" here
                    found.append(child if reason is None else Skipped(child, reason))
            yield from sorted(found, key=lambda p: p if isinstance(p, Path) else p.path)
        else:
            yield path


def iter_paths(paths: list[Path]) -> Iterator[Path]:
    """The files :func:`walk_paths` reads, without the skipped ones."""
    return (p for p in walk_paths(paths) if isinstance(p, Path))


FUTURE_SLACK = timedelta(days=1)  # a date later than now + this is a mistake, not news
# In Vietnam time, as dates without a zone are read: "1900-01-01" was refused as outside
# "1900–2199", being 1899 in UTC (a tester's).
_EARLIEST = datetime(1900, 1, 1, tzinfo=VN)
_LATEST = datetime(2200, 1, 1, tzinfo=VN)
_MAX_FIELD_CHARS = {"title": 2_000, "url": 2_000, "source": 200, "author": 200}


def _parse_jsonl_date(value: object, source: str, line: int) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise InputError(
            "'date' must be a short string (ISO 8601 or dd/mm/yyyy)", source=source, line=line
        )
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = parse_date(value)
        if parsed is None:
            raise InputError(
                f"unrecognised date {value[:40]!r}", source=source, line=line
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VN)
    try:
        in_range = _EARLIEST <= parsed.astimezone(UTC) < _LATEST
    except (OverflowError, ValueError):  # 0001-01-01T00:00:00+14:00 is before year 1 in UTC
        in_range = False
    if not in_range:
        raise InputError(
            f"date {value[:40]!r} is out of range (1900–2199)", source=source, line=line
        )
    if parsed > datetime.now(UTC) + FUTURE_SLACK:
        # It would head the newest documents until that day (a tester's "2099-12-31").
        raise InputError(f"date {value[:40]!r} is in the future", source=source, line=line)
    return parsed


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _optional_str(item: dict[str, object], key: str, source: str, line: int) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"'{key}' must be a string", source=source, line=line)
    if _has_surrogate(value):
        raise InputError(
            f"'{key}' is not valid Unicode (a lone surrogate)", source=source, line=line
        )
    value = normalize(value).strip()
    if len(value) > _MAX_FIELD_CHARS[key]:
        raise InputError(
            f"'{key}' is too long ({len(value):,} characters, limit {_MAX_FIELD_CHARS[key]:,})",
            source=source,
            line=line,
        )
    return value or None


def _external_id(value: object, source: str, line: int) -> str:
    # bool is an int, and 1e400 is a float (inf): neither names a document.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError("'id' must be a string or an integer", source=source, line=line)
    if isinstance(value, str) and _has_surrogate(value):
        raise InputError("'id' is not valid Unicode (a lone surrogate)", source=source, line=line)
    text = str(value).strip()
    if not text:
        raise InputError("missing id", source=source, line=line)
    if len(text) > 200:
        raise InputError("'id' is longer than 200 characters", source=source, line=line)
    try:
        return clean_external_id(text)
    except InputError:
        raise InputError(
            f"'id' {text[:40]!r} has no letters or digits", source=source, line=line
        ) from None


def parse_jsonl_item(item: object, *, source: str, line: int) -> NewDocument:
    """One JSONL object checked field by field; :class:`InputError` (naming the line) if bad."""
    if not isinstance(item, dict):
        raise InputError("expected a JSON object", source=source, line=line)
    missing = [k for k in ("id", "text") if item.get(k) in (None, "")]
    if missing:
        raise InputError(f"missing {', '.join(missing)}", source=source, line=line)
    external_id = _external_id(item["id"], source, line)
    raw_text = item["text"]
    if not isinstance(raw_text, str):
        raise InputError("'text' must be a string", source=source, line=line)
    if _has_surrogate(raw_text):
        raise InputError("'text' is not valid Unicode (a lone surrogate)", source=source, line=line)
    text = markup_to_text(normalize(raw_text)).strip()
    if not text:
        raise InputError("'text' is empty", source=source, line=line)
    title = markup_to_text(_optional_str(item, "title", source, line) or "").strip()
    url = _optional_str(item, "url", source, line)
    if url is not None and not re.match(r"https?://[^\s/]+", url, re.IGNORECASE):
        raise InputError("'url' must be an http(s) URL", source=source, line=line)
    published = _parse_jsonl_date(item.get("date"), source, line)
    # Scraped text carries what a page file does ("(ĐCSVN) – " before the lead, "Tin liên
    # quan:" and a share bar at the end, photo captions): cleaned the same way. What the
    # line says itself (title, date, source, author) wins over what the text gives.
    article = parse_article(text, title=title or None)
    return NewDocument(
        title=title or article.title,
        text=article.text or text,
        external_id=external_id,
        published_at=published or article.published_at,
        url=url or article.url,
        source=_optional_str(item, "source", source, line) or article.source,
        author=_optional_str(item, "author", source, line) or article.author,
        origin=f"{source}:{line}",
    )


def open_jsonl(path: Path) -> io.BufferedReader:
    """Open a JSONL file for reading; :class:`InputError` naming it when that cannot be done."""
    source = str(path)
    try:
        if not path.is_file():
            raise InputError(
                "is a folder, expected a .jsonl file" if path.is_dir() else "no such file",
                source=source,
            )
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open ({exc.strerror or exc})", source=source) from exc


def iter_jsonl(path: Path) -> Iterator[NewDocument | InputError]:
    """Documents from a JSONL file, one per line; bad lines are yielded as errors.

    Every line is checked completely before it joins a batch, so one bad line is reported as
    ``FILE:LINE: reason`` and skipped, and never stops the lines after it.
    """
    try:
        handle = open_jsonl(path)
    except InputError as exc:
        yield exc
        return
    with handle:
        yield from iter_jsonl_stream(handle, source=str(path))


def iter_jsonl_stream(
    handle: io.BufferedIOBase, *, source: str
) -> Iterator[NewDocument | InputError]:
    """Documents from an open binary JSONL stream (a file, or bytes uploaded to the bot).

    An id a line before already had is an error: the later line silently replaced the
    earlier one's document, reported as "1 updated" (a tester's).
    """
    lines_of: dict[str, int] = {}
    for entry in iter_json_lines(handle, source=source):
        if isinstance(entry, InputError):
            yield entry
            continue
        number, item = entry
        try:
            doc = parse_jsonl_item(item, source=source, line=number)
        except InputError as exc:
            yield exc
            continue
        key = doc.external_id or ""
        first = lines_of.setdefault(key, number)
        if first != number:
            yield InputError(f"id {key!r} is also on line {first}", source=source, line=number)
            continue
        yield doc


def iter_json_lines(
    handle: io.BufferedIOBase, *, source: str
) -> Iterator[tuple[int, object] | InputError]:
    """``(line number, decoded JSON value)`` per non-blank line; a line that is not JSON is
    yielded as an :class:`InputError` naming it, and the lines after it are still read."""
    for number, raw in enumerate(_lines(_utf8(handle)), start=1):
        if raw is None:
            yield InputError(
                f"line too long (over {MAX_JSONL_LINE:,} bytes)", source=source, line=number
            )
            continue
        if not raw.strip():
            continue
        try:
            yield number, json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError:
            yield InputError("not UTF-8", source=source, line=number)
        except json.JSONDecodeError as exc:
            yield InputError(f"invalid JSON ({json_error(exc)})", source=source, line=number)
        except (ValueError, RecursionError) as exc:  # 5,000-digit numbers, deep nesting
            yield InputError(f"invalid JSON ({exc.__class__.__name__})", source=source, line=number)


def json_error(exc: json.JSONDecodeError) -> str:
    """``Expecting value at column 7``; some messages already end in "at" ("Invalid control
    character at"), which said "at at"."""
    # A line's own newline counted as a second line: "column 1" for a line cut off at 37
    # (a tester's). A JSONL line has no other: the column is the position in it.
    column = min(exc.pos, len(exc.doc.rstrip("\r\n"))) + 1
    return f"{exc.msg.removesuffix(' at')} at column {column}"


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"))
_BOMS += ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


class _Recoded:
    """A UTF-16/32 text stream read as UTF-8 lines."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text

    def readline(self, limit: int = -1) -> bytes:
        return self.text.readline(limit).encode("utf-8")


def _utf8(handle: io.BufferedIOBase) -> io.BufferedIOBase | _Recoded:
    """``handle``, or as UTF-8 when it starts with a UTF-16/32 byte order mark: JSONL saved by
    Windows PowerShell's ``>`` is UTF-16 (a tester's was refused line by line, its one record
    as two failures, while the same text as a .txt file was read)."""
    peek = getattr(handle, "peek", None)
    if peek is not None:
        head = peek(4)[:4]
    elif handle.seekable():
        at = handle.tell()
        head = handle.read(4)
        handle.seek(at)
    else:
        return handle
    for bom, codec in _BOMS:
        if head.startswith(bom):
            text = io.TextIOWrapper(handle, encoding=codec, errors="replace", newline=None)  # type: ignore[arg-type]
            return _Recoded(text)
    return handle


def _lines(handle: io.BufferedIOBase | _Recoded) -> Iterator[bytes | None]:
    """Lines of a binary file; None for a line over :data:`MAX_JSONL_LINE` (skipped, not
    held in memory whole)."""
    while True:
        raw = handle.readline(MAX_JSONL_LINE + 1)
        if not raw:
            return
        if len(raw) > MAX_JSONL_LINE and not raw.endswith(b"\n"):
            while True:  # drain the rest of the oversized line
                more = handle.readline(1 << 20)
                if not more or more.endswith(b"\n"):
                    break
            yield None
            continue
        yield raw
