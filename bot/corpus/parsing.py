"""Turn the raw text of a news article into title, date, source, byline and clean paragraphs.

Real input (see ``seeds/``) is text copied from provincial Party newspapers: a headline, a
date in one of several formats (or none), sometimes a view counter, an outlet prefix such as
``(Baoquangngai.vn)-``, photo captions (often printed twice), a byline on the last line, and
page furniture (``(0) Bình luận``, ``Gửi phản hồi``, ``In bài viết``, ``[links()]``, the title
repeated at the end, a ``Nguồn bài viết:`` line with the URL).
"""

from __future__ import annotations

import contextlib
import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime

from bot.corpus.text import normalize
from bot.timeutil import VN

_DIGITS = re.compile(r"\d+")
# A person's name (two to five capitalised words), a dash and where they work, as short as
# a byline and without a comma: "Nguyễn Văn Hùng - Ban Tổ chức Huyện ủy" (a dateline's lead,
# "Quảng Bình – Ngày 18/5, Đảng ủy …", is a sentence).
_NAME_DASH = re.compile(r"^(?:[A-ZĐÀ-Ỹ][\w]*\s){1,4}[A-ZĐÀ-Ỹ][\w]*\s+[-–—]\s+[^,;:.]{3,40}$")
# A date, a dash, and a short name: "Ngày 18/07/2024 — Văn phòng Huyện ủy".
_DATE_DASH = re.compile(r"^(.{6,40}?\d{4}(?:\s+\d{1,2}:\d{2})?)\s+[—–-]\s+(\S.{0,59})$")
_BOILERPLATE = re.compile(
    r"^(?:\(\d+\)\s*Bình luận|Bình luận(?: \(\d+\))?|Gửi phản hồi|In bài viết|Gửi bài viết|"
    r"Chia sẻ|Chia sẻ bài viết|Tin liên quan|Bài liên quan|Xem thêm|Đọc thêm|Lượt xem:?\s*\d*|"
    r"\[links\(\)\]|Trở về|Về đầu trang|Bản in|Tweet|Like|Share|Facebook|Zalo|Email|"
    r"Ý kiến bạn đọc|Gửi ý kiến|Tags?:.*|Từ khóa:.*|[.·•\-–—_*]+|"
    # Links to other articles: "Xem thêm: Kết nạp đảng viên trong trường học".
    r"(?:Xem thêm|Đọc thêm|Tin liên quan|Bài liên quan|Tin cùng chuyên mục)\s*[:>»].*|"
    # A row of share buttons: "Chia sẻ Facebook Twitter Zalo".
    r"(?:(?:Chia sẻ|Share|Facebook|Twitter|Zalo|Email|Tweet|Like|LinkedIn|Messenger|"
    r"Copy link|Sao chép liên kết|In bài)\s*[:|,/·]?\s*){2,})$",
    re.IGNORECASE,
)
# The heading of a list of links to other articles; the list's items follow it.
_RELATED_HEADING = re.compile(
    # ">> Tin liên quan:" too (a tester's list was kept as the article's text).
    r"^(?:[>»•*\-–]+\s*)?(?:Tin liên quan|Bài liên quan|Xem thêm|Đọc thêm|Tin cùng chuyên mục|Tin khác|"
    r"Các tin khác|Tin mới)\s*:?$",
    re.IGNORECASE,
)
_RELATED_ITEM_MAX = 160
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^(?:Nguồn(?: bài viết)?|Theo|Nguồn tin)\s*:\s*(.*)$", re.IGNORECASE)
_OUTLET_PREFIX = re.compile(
    r"^\(\s*([A-Za-zĐđ][\w.\-]*\.(?:vn|com|net|org|gov\.vn|com\.vn)|[A-ZĐ][A-ZĐ0-9 .&/-]{1,20}"
    # "(Báo Nghệ An) - Sáng 5/12, …" (a tester's lead kept it).
    r"|(?:Báo|Tạp chí|Đài|Cổng TTĐT|Cổng thông tin)\s[^()\n]{2,40})\s*\)\s*[-–—:]+\s*"
)
# A byline closing the text, a name and the outlet: "Thanh Hà - Báo Nghệ An".
_NAME_OUTLET = re.compile(
    r"^((?:[A-ZĐÀ-Ỹ][\w]*\s){1,4}[A-ZĐÀ-Ỹ][\w]*)\s+[-–—]\s+((?:Báo|Tạp chí|Đài|TTXVN|VOV|VTV)"
    r"\b[^,;:.]{0,40})$"
)
# "Minh Duy (Theo TTXVN)": the writer, and the outlet the article is taken from (a tester's
# was kept as the last paragraph).
_NAME_THEO = re.compile(
    r"^((?:[A-ZĐÀ-Ỹ][\w]*\s){0,4}[A-ZĐÀ-Ỹ][\w]*)\s*\(\s*(?:Theo|Nguồn)\s*:?\s*([^()]{2,40}?)\s*\)\.?$"
)
_CAPTION_PHOTO = re.compile(r"(?:^|[.\s])(?:Ảnh|Ảnh minh họa|Nguồn ảnh|Video)\s*:\s*[^.]{0,60}\.?$")
# A caption that says so first: "Ảnh: Đồng chí Lê Văn C. trao quyết định kết nạp …".
_CAPTION_LABEL = re.compile(r"^(?:Ảnh|Ảnh minh họa|Ảnh minh hoạ|Ảnh tư liệu)\s*:\s*\S")
_CAPTION_START = re.compile(
    r"^(?:Toàn cảnh|Quang cảnh|Các đại biểu|Đại biểu|Đại diện|Đồng chí|Các đồng chí|Lãnh đạo|"
    r"Ông|Bà|Cán bộ|Lực lượng|Ảnh)\b"
)
_CAPTION_VERB = re.compile(
    r"\b(?:phát biểu|trao (?:quà|tặng|quyết định|giấy khen|bằng khen)|chụp ảnh|tặng quà)\b"
)
_SENTENCE_INSIDE = re.compile(r"[a-zà-ỹđ)][.!?]\s+\S")  # a sentence's end, more after it
_BYLINE = re.compile(
    # Not "Ảnh:" or "Video:" alone: a photographer is no author (a tester's "Ảnh: Quang Hải"
    # was shown as the article's).
    r"^(?:(?:Tin|Bài|Tin và ảnh|Bài và ảnh|Tin, ảnh|Bài, ảnh|Tin/ảnh|Bài/ảnh|Nhóm PV|"
    r"Bài, ảnh, video|Tin, ảnh, video)\s*:\s*)(.{2,80})$",
    re.IGNORECASE,
)
_SHORT_BYLINE = re.compile(
    r"^(?:PV|CTV|BTV|P\.V|TTXVN|Phóng viên|Nhóm phóng viên|[A-ZĐ]{2,6}(?:\s*-\s*[A-ZĐ]{2,6})?)$"
)
_END_PUNCT = tuple('.!?…:;"”’)»')

# 05/07/2022 09:38 | 01:01, 06/01/2023 | 30/11/2021 15:08 | Thứ Ba, 05/07/2022 - 09:38 |
# 05-07-2022 | 2022-07-05T09:38 | 05/07/2022 09:38:12 (GMT+7)
_DATE_PATTERNS: list[re.Pattern[str]] = [
    re.compile(
        r"(?P<H>\d{1,2})[:hg](?P<M>\d{2})(?::\d{2})?\s*(?:[,|\-–]\s*)?(?:[^\d\n]{0,15})?(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
    ),
    re.compile(
        r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})(?:\s*[,|\-–]?\s*(?:lúc\s*)?(?P<H>\d{1,2})[:hg](?P<M>\d{2})(?::\d{2})?)?"
    ),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<H>\d{2}):(?P<M>\d{2}))?"),
]
_DATE_LINE_MAX = 60


@dataclass
class ParsedArticle:
    """An article split into its parts. ``published_at`` is timezone-aware (Vietnam time)."""

    title: str
    paragraphs: list[str]
    published_at: datetime | None = None
    url: str | None = None
    source: str | None = None
    author: str | None = None
    title_derived: bool = False
    dropped: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Body paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


# An ISO 8601 time with its zone ("2026-10-15T08:30:00-05:00", "…Z", "…+0900"): that instant.
_ISO_ZONED = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})",
    re.IGNORECASE,
)


def parse_date(value: str) -> datetime | None:
    """Find a date (and time) in ``value``; the result is in Vietnam time. None if absent.
    A time with its zone is that instant (it was read as Vietnam's clock: "08:30-05:00" became
    08:30 in Vietnam, a tester's); a time without one is Vietnam's."""
    value = value.strip()
    if _ISO_ZONED.fullmatch(value):
        try:
            return datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", value)).astimezone(VN)
        except ValueError:
            pass
    for pattern in _DATE_PATTERNS:
        match = pattern.search(value)
        if not match:
            continue
        parts = match.groupdict()
        try:
            hour = int(parts.get("H") or 0)
            minute = int(parts.get("M") or 0)
            return datetime(
                int(parts["y"]), int(parts["m"]), int(parts["d"]), hour, minute, tzinfo=VN
            )
        except ValueError:
            continue
    return None


# A lead that opens on its full date: "Ngày 12/12/2024, Ban Thường vụ …", "Sáng 3-3-2024, …",
# "Ngày 12 tháng 12 năm 2024, …".
_LEAD_DATE = re.compile(
    r"(?:(?:sáng|chiều|tối|trưa|đêm)\s+(?:hôm\s+)?)?(?:ngày\s+)?"
    r"(?:(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>(?:19|20)\d\d)"
    r"|(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>(?:19|20)\d\d))\s*,",
    re.IGNORECASE,
)


def lead_date(paragraph: str) -> datetime | None:
    """The date a lead opens on, in Vietnam time ("Ngày 12/12/2024, …"), else None: a text
    without a date line (a report saved as .txt or .docx) is dated by its event, the day of
    or before publication, rather than not at all."""
    match = _LEAD_DATE.match(normalize(paragraph).strip())
    if match is None:
        return None
    d, m, y = (match.group(k) or match.group(k + "2") for k in ("d", "m", "y"))
    return _day(y, m, d)


# The place and date heading an official text: "Hà Nội, ngày 25 tháng 10 năm 2021".
_PLACE_DATE = re.compile(
    r"[^\W\d][\w .]{0,40}, ngày (?P<d>\d{1,2}) tháng (?P<m>\d{1,2}) năm (?P<y>(?:19|20)\d\d)\.?",
    re.IGNORECASE,
)


def heading_date(text: str, lines: int = 15) -> datetime | None:
    """The date an official text is headed with, on a line of its own among its first
    ``lines`` ("Hà Nội, ngày 15 tháng 3 năm 2024"), else None."""
    for line in normalize(text).splitlines()[:lines]:
        match = _PLACE_DATE.fullmatch(line.strip())
        if match is not None:
            return _day(match["y"], match["m"], match["d"])
    return None


def _day(year: str, month: str, day: str) -> datetime | None:
    """That day in Vietnam time, or None when no calendar has it ("31/2")."""
    try:
        return datetime(int(year), int(month), int(day), tzinfo=VN)
    except ValueError:
        return None


def _is_date_line(line: str) -> bool:
    if len(line) > _DATE_LINE_MAX:
        return False
    if parse_date(line) is None:
        return False
    # Whatever is left once the date is gone must be weekday/time words, not a sentence.
    rest = re.sub(r"[\d/:.,|\-–()+ ]+", " ", line)
    rest = re.sub(
        r"(?i)\b(thứ|hai|ba|tư|năm|sáu|bảy|chủ nhật|cn|ngày|lúc|giờ|gmt|\+7|cập nhật|đăng)\b",
        " ",
        rest,
    )
    return not rest.strip()


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 12:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.85


def _printed_twice(lines: list[str], i: int) -> bool:
    """Are ``lines[i]`` and the next line one caption printed twice (under the photo and in
    its alt text)? Not when they differ only in their numbers ("khu dân cư số 1." / "số 2.")
    nor when a third like them follows: that is a list, whose items look alike."""
    a, b = lines[i], lines[i + 1]
    if not _similar(a, b):
        return False
    if a != b and _DIGITS.sub("0", a) == _DIGITS.sub("0", b):
        return False
    before = lines[i - 1] if i > 0 else None
    after = lines[i + 2] if i + 2 < len(lines) else None
    return not any(x is not None and _similar(x, a) for x in (before, after))


def _related_item(line: str) -> bool:
    """A line of a "Tin liên quan" list: a title, with a bullet or without a full stop."""
    if len(line) > _RELATED_ITEM_MAX:
        return False
    if line[:1] in "-–•+*·>»":
        return True
    # A title without a full stop; not the byline that may end the article after the list.
    return not line.endswith((".", "!", "?", "…", ":")) and _author_from_line(line) is None


def _is_caption(line: str) -> bool:
    if (_CAPTION_PHOTO.search(line) or _CAPTION_LABEL.match(line)) and len(line) < 300:
        return True
    if line.endswith(_END_PUNCT) or len(line) > 250:
        return False
    if _SENTENCE_INSIDE.search(line, 40):
        # A sentence and more after it is prose: "Đồng chí Bí thư chi bộ cho biết …, đều là
        # đoàn viên ưu tú. link" (a link's text after it) was dropped as a caption (a tester's).
        return False
    return bool(_CAPTION_START.match(line) or _CAPTION_VERB.search(line))


TITLE_MAX_CHARS = 100  # a derived title longer than this is cut: two lines on a phone


def _derive_title(first: str) -> str:
    # No headline: the lead's first clause, cut at a word boundary. A clause of 155
    # characters took most of a phone screen in every answer listing it (found by a tester).
    clause = re.split(r"[;:.!?](?:\s|$)", first, maxsplit=1)[0].strip()
    if len(clause) <= TITLE_MAX_CHARS:
        return clause
    cut = clause[: TITLE_MAX_CHARS - 10].rsplit(" ", 1)[0].rstrip(",;: ")
    return cut + "…"


def _looks_like_headline(line: str) -> bool:
    return len(line) <= 200 and not (line.endswith(".") and len(line) > 120)


def _author_from_line(line: str) -> str | None:
    if _CAPTION_LABEL.match(line):
        return None  # "Ảnh: Quang Hải" names the photographer, not the author (a tester's)
    match = _BYLINE.match(line)
    if match:
        return match.group(1).strip().rstrip(".")
    if _SHORT_BYLINE.match(line):
        return line
    words = line.split()
    if (
        1 < len(words) <= 5
        and len(line) <= 40
        and not line.endswith(_END_PUNCT)
        and all(w[:1].isupper() for w in words)
        and not any(ch.isdigit() for ch in line)
    ):
        return line
    return None


# The kinds of a Party document as its header writes them, in capitals, on a line of their own.
_OFFICIAL_KINDS = (
    "NGHỊ QUYẾT", "CHỈ THỊ", "KẾT LUẬN", "QUY ĐỊNH", "QUYẾT ĐỊNH", "KẾ HOẠCH", "HƯỚNG DẪN",
    "THÔNG BÁO", "ĐỀ ÁN", "BÁO CÁO", "QUY CHẾ", "CHƯƠNG TRÌNH", "TỜ TRÌNH",
)  # fmt: skip
_OFFICIAL_NUMBER = re.compile(
    r"(?:^|\|\s)Số\s*:?\s*(\d{1,4}\s*-\s*[A-ZĐ]{1,6}i?\s*/\s*[A-ZĐƯ.]{1,12})"
)
_OFFICIAL_HEADER_LINES = 12
_HEADER_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d\d)", re.I)


def _official_header(lines: list[str]) -> tuple[str, int, datetime | None] | None:
    """(title, lines taken, date) of a Party document's header: the issuer, "ĐẢNG CỘNG SẢN
    VIỆT NAM", "Số 05-CT/TW", the place and date, then its kind in capitals ("CHỈ THỊ"),
    who issued it ("của Bộ Chính trị") and its subject ("về …"); None for other texts."""
    head = lines[:_OFFICIAL_HEADER_LINES]
    kind_at = next((k for k, line in enumerate(head) if line.strip(" *") in _OFFICIAL_KINDS), None)
    if kind_at is None or kind_at == 0:
        return None
    before = " | ".join(head[:kind_at])
    number = _OFFICIAL_NUMBER.search(before)
    # The motto line, or an issuer in capitals first ("ĐẢNG BỘ TỈNH QUẢNG BÌNH": a plan in a
    # .txt file stayed titled so, a tester's).
    issuer = head[0].isupper() and len(head[0].split()) >= 2
    if number is None or not (issuer or "ĐẢNG CỘNG SẢN VIỆT NAM" in before.upper()):
        return None
    published = None
    for line in head[:kind_at]:
        written = _HEADER_DATE.search(line)  # "Hà Nội, ngày 15 tháng 5 năm 2016"
        if written is not None:
            day, month, year = (int(g) for g in written.groups())
            with contextlib.suppress(ValueError):  # "ngày 31 tháng 2": no such day
                published = published or datetime(year, month, day, tzinfo=VN)
        published = published or parse_date(line)
    taken = kind_at + 1
    while taken < len(lines) and lines[taken].lower().startswith(("của ", "ban hành kèm")):
        taken += 1  # who issued it: the code says so already
    subject = ""
    line = lines[taken] if taken < len(lines) else ""
    # "về …", or a plan's "thực hiện …": lower case, short, no sentence of its own.
    if line[:1].islower() and len(line) <= 200 and not line.endswith((".", ";", ":")):
        subject = " " + line
        taken += 1
    code = re.sub(r"\s+", "", number.group(1))
    kind = lines[kind_at].strip(" *").capitalize()
    return f"{kind} {code}{subject}", taken, published


def parse_article(raw: str, *, title: str | None = None) -> ParsedArticle:
    """Parse raw article text (see the module docstring for what is recognised).

    ``title`` overrides the headline when the caller knows it (JSONL input, HTML metadata);
    the first line is then treated as body unless it repeats the title.
    """
    text = normalize(raw)
    lines = [re.sub(r"[ ]{2,}", " ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    dropped: list[str] = []
    url: str | None = None
    source: str | None = None

    # 1. Page furniture and source lines anywhere.
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        src = _SOURCE_LINE.match(line)
        if src:
            target = src.group(1).strip()
            if not target and i + 1 < len(lines) and _URL.match(lines[i + 1]):
                target = lines[i + 1]
                i += 1
            if _URL.match(target):
                url = target
            elif target:
                source = target
            dropped.append(line)
        elif _URL.match(line):
            url = url or line
            dropped.append(line)
        elif kept and _RELATED_HEADING.match(line):  # the first line may be a headline
            # "Tin liên quan:" and the titles it lists, up to the first real paragraph.
            dropped.append(line)
            while i + 1 < len(lines) and _related_item(lines[i + 1]):
                i += 1
                dropped.append(lines[i])
        elif _BOILERPLATE.match(line):
            dropped.append(line)
        else:
            kept.append(line)
        i += 1
    lines = kept

    # 2. Headline.
    derived = False
    official = _official_header(lines) if title is None else None
    if official is not None:
        # A Party document's own header ("BAN CHẤP HÀNH TRUNG ƯƠNG … Số 05-CT/TW … CHỈ THỊ
        # … về …"): titled by its kind, code and subject, the header dropped; its first line,
        # the issuer, titled every directive (a tester's).
        title, taken, _ = official
        dropped.extend(lines[:taken])
        lines = lines[taken:]
    elif title is not None:
        title = normalize(title).strip()
        if lines and lines[0] == title:
            lines = lines[1:]
    elif lines and _looks_like_headline(lines[0]):
        title = lines.pop(0)
        if not lines and title.endswith(_END_PUNCT):
            # One sentence and nothing else is a short notice, not a headline without a
            # body: "Chi bộ họp ngày 5/6/2022 bàn việc kết nạp đảng viên." was refused as
            # having no body text (a tester's).
            lines, title, derived = [title], _derive_title(title), True
    else:
        title = _derive_title(lines[0]) if lines else ""
        derived = True

    # 3. Header block: dates and bare numbers (view counters) before the body starts; a
    # date with who issued it after a dash ("Ngày 18/07/2024 — Văn phòng Huyện ủy").
    published: datetime | None = official[2] if official is not None else None
    issued_by: str | None = None
    while lines:
        dated = _DATE_DASH.match(lines[0])
        if dated and re.fullmatch(
            r"\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s*\(?GMT[^)]*\)?)?", dated.group(2)
        ):
            # "Chủ Nhật, 12/05/2024 - 15:20": a time after the dash, not who issued it (it
            # was stored as the author, "15:20", and the time lost; a tester's).
            dated = None
        if dated and _is_date_line(dated.group(1)) and not dated.group(2).endswith(_END_PUNCT):
            issued_by = issued_by or dated.group(2).strip()
        elif not (_is_date_line(lines[0]) or re.fullmatch(r"\d{1,6}", lines[0])):
            break
        line = lines.pop(0)
        published = published or parse_date(dated.group(1) if dated else line)
        dropped.append(line)
    if published is not None and lines and len(lines) > 1:
        # Right under the date, a byline: "Nguyễn Văn Hùng - Ban Tổ chức Huyện ủy".
        named = _NAME_DASH.match(lines[0])
        if named and not lines[0].endswith(_END_PUNCT):
            issued_by = issued_by or lines[0]
            dropped.append(lines.pop(0))

    # 4. Outlet prefix on the lead: "(Baoquangngai.vn)- Sáng 6/1, …".
    if lines:
        match = _OUTLET_PREFIX.match(lines[0])
        if match:
            source = source or match.group(1).strip()
            lines[0] = lines[0][match.end() :].strip()

    # 5. Tail: the title repeated, then the byline (never the only line: a one-sentence
    # notice is its own title).
    while len(lines) > 1 and title and _similar(lines[-1], title):
        dropped.append(lines.pop())
    author: str | None = None
    for _ in range(2):
        if not lines:
            break
        candidate = _author_from_line(lines[-1])
        outlet = None
        if candidate is None:
            outlet = _NAME_OUTLET.match(lines[-1]) or _NAME_THEO.match(lines[-1])
        if outlet is not None:
            candidate = outlet.group(1)
            source = source or outlet.group(2).strip()
        if candidate is None:
            break
        author = author or candidate
        dropped.append(lines.pop())
        while len(lines) > 1 and title and _similar(lines[-1], title):
            dropped.append(lines.pop())

    # 6. Captions: photo credits, captions printed twice, caption-shaped lines.
    paragraphs: list[str] = []
    skip_next = False
    for index, line in enumerate(lines):
        if skip_next:
            skip_next = False
            dropped.append(line)
            continue
        nxt = lines[index + 1] if index + 1 < len(lines) else None
        if nxt is not None and len(line) < 300 and _printed_twice(lines, index):
            dropped.append(line)
            skip_next = True
            continue
        if _is_caption(line):
            dropped.append(line)
            continue
        if paragraphs and paragraphs[-1] == line:
            dropped.append(line)
            continue
        paragraphs.append(line)

    return ParsedArticle(
        title=title,
        paragraphs=paragraphs,
        published_at=published,
        url=url,
        source=source,
        author=author or issued_by,
        title_derived=derived,
        dropped=dropped,
    )
