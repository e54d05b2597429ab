"""Exact expectations for the five real seed articles."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.corpus.parsing import parse_article, parse_date
from bot.timeutil import VN as VN_TZ
from tests.auxil.settings import SEEDS


def parse_seed(prefix: str):  # type: ignore[no-untyped-def]
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return parse_article(path.read_text(encoding="utf-8"))


def test_seed_000_pv_byline_comment_counter_and_repeated_title() -> None:
    a = parse_seed("000")
    assert a.title == "Công tác xây dựng Đảng có nhiều đổi mới"
    assert a.published_at == datetime(2022, 7, 5, 9, 38, tzinfo=VN_TZ)
    assert a.author == "PV"
    assert a.url is None and a.source is None
    assert a.paragraphs[0].startswith("6 tháng đầu năm, công tác xây dựng Đảng")
    assert a.paragraphs[-1].startswith("MTTQ và các tổ chức chính trị - xã hội các cấp")
    assert "Sửa đổi, bổ sung nhiều quy chế, quy định" in a.paragraphs  # sub-heading kept
    assert "(0) Bình luận" not in a.text
    assert not a.text.endswith("Công tác xây dựng Đảng có nhiều đổi mới")
    assert len(a.paragraphs) == 16
    assert "Tỉnh uỷ" not in a.text and "Tỉnh ủy" in a.text  # one tone placement


def test_seed_001_outlet_prefix_links_marker_and_double_captions() -> None:
    a = parse_seed("001")
    assert a.title == "Triển khai nhiệm vụ công tác tổ chức xây dựng Đảng năm 2023"
    assert a.published_at == datetime(2023, 1, 6, 1, 1, tzinfo=VN_TZ)
    assert a.source == "Baoquangngai.vn"
    assert a.author == "ÁI KIỀU"
    assert a.paragraphs[0].startswith("Sáng 6/1, Ủy viên Trung ương Đảng")
    assert "[links()]" not in a.text
    assert "Các đồng chí chủ trì hội nghị." not in a.text
    assert "phát biểu chỉ đạo hội nghị." not in a.text
    assert "\u00a0" not in a.text
    assert a.paragraphs[-1].startswith("“Tỉnh ủy mong muốn")
    assert len(a.paragraphs) == 10


def test_seed_002_no_headline_no_date_page_furniture() -> None:
    a = parse_seed("002")
    assert a.title_derived
    # The lead's first clause, cut to two lines on a phone.
    assert a.title == (
        "Nhằm giúp cho cán bộ, đảng viên nhận thức sâu sắc tính chất, tầm quan trọng của công tác…"
    )
    assert a.published_at is None
    assert a.author is None
    assert "Gửi phản hồi" not in a.text and "In bài viết" not in a.text
    assert a.paragraphs[-1].endswith("công chức, viên chức.")
    assert len(a.paragraphs) == 6


def test_seed_003_view_counter_photo_credits_name_byline_and_source_url() -> None:
    a = parse_seed("003")
    assert (
        a.title
        == "Ban Thường vụ Tỉnh ủy làm việc với Đoàn khảo sát của Ban chỉ đạo Đề án Trung ương 05"
    )
    assert a.published_at == datetime(2021, 11, 30, 15, 8, tzinfo=VN_TZ)
    assert a.author == "Mai Trâm"
    assert a.url == (
        "http://baokontum.com.vn/thoi-su-chinh-tri/"
        "ban-thuong-vu-tinh-uy-lam-viec-voi-doan-khao-sat-cua-ban-chi-dao-de-an-trung-uong-05-21682.html"
    )
    assert "Ảnh: MT" not in a.text
    assert not any(p == "26" for p in a.paragraphs)
    assert a.paragraphs[0].startswith("Sáng 30/11, Đồng chí Lê Tiến Châu")
    assert len(a.paragraphs) == 10


def test_seed_004_no_date_captions_without_credit_and_photo_byline() -> None:
    a = parse_seed("004")
    assert (
        a.title
        == "Kiểm tra công tác xây dựng Đảng và hệ thống chính trị tại Đảng bộ Thị trấn Mường Lát"
    )
    assert a.published_at is None  # "Sáng ngày 18-5" has no year
    assert a.author == "Tuấn Bình"
    assert "Toàn cảnh buổi làm việc" not in a.paragraphs
    assert not any("phát biểu tại buổi làm việc" in p and len(p) < 200 for p in a.paragraphs)
    assert a.paragraphs[-1].startswith("Nhiệm vụ trong thời gian tới")
    assert len(a.paragraphs) == 7


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/07/2022 09:38", datetime(2022, 7, 5, 9, 38, tzinfo=VN_TZ)),
        ("01:01, 06/01/2023", datetime(2023, 1, 6, 1, 1, tzinfo=VN_TZ)),
        ("30/11/2021 15:08", datetime(2021, 11, 30, 15, 8, tzinfo=VN_TZ)),
        ("Thứ Ba, 05/07/2022 - 09:38", datetime(2022, 7, 5, 9, 38, tzinfo=VN_TZ)),
        ("2023-03-01", datetime(2023, 3, 1, tzinfo=VN_TZ)),
        # A time with its zone is that instant (read as Vietnam's clock before, a tester's).
        ("2026-10-15T08:30:00-05:00", datetime(2026, 10, 15, 20, 30, tzinfo=VN_TZ)),
        ("2026-10-15T01:30:00Z", datetime(2026, 10, 15, 8, 30, tzinfo=VN_TZ)),
        ("2026-10-15T23:30:00+0900", datetime(2026, 10, 15, 21, 30, tzinfo=VN_TZ)),
        ("không có ngày", None),
        ("31/02/2022", None),
    ],
)
def test_parse_date_formats(value: str, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_hostile_and_empty_input_does_not_crash() -> None:
    assert parse_article("").paragraphs == []
    a = parse_article("<script>alert(1)</script>\n\nBody & more <b>text</b>.")
    assert a.title == "<script>alert(1)</script>"
    assert a.paragraphs == ["Body & more <b>text</b>."]


def test_list_items_that_look_alike_are_not_captions_printed_twice() -> None:
    # A caption printed twice is dropped; items differing by their number are a list.
    items = [f"Chi bộ đã giải quyết kịp thời kiến nghị ở khu dân cư số {n}." for n in (1, 2, 3)]
    a = parse_article("Kết quả giải quyết kiến nghị\n" + "\n".join(items))
    assert a.paragraphs == items
    two = parse_article("Kết quả\nĐã giải quyết ở khu số 1.\nĐã giải quyết ở khu số 2.")
    assert two.paragraphs == ["Đã giải quyết ở khu số 1.", "Đã giải quyết ở khu số 2."]
    # Three lines alike, whatever differs, are a list too.
    alike = [f"Đồng chí {name} phát biểu tại hội nghị." for name in ("An", "Bình", "Chi")]
    assert parse_article("Hội nghị\n" + "\n".join(alike)).paragraphs == alike
    caption = "Bí thư Tỉnh ủy phát biểu chỉ đạo hội nghị."
    body = "Sáng 6/1, Tỉnh ủy tổ chức hội nghị triển khai nhiệm vụ năm 2023."
    twice = parse_article(f"Hội nghị\n{body}\n{caption}\n{caption}\nHội nghị kết thúc.")
    assert twice.paragraphs == [body, "Hội nghị kết thúc."]


def test_a_date_line_with_its_issuer_after_a_dash() -> None:
    # A note's "Ngày 18/07/2024 — Văn phòng Huyện ủy" left it undated, in no date filter.
    a = parse_article("Ghi chú kiểm tra\nNgày 18/07/2024 — Văn phòng Huyện ủy\nNội dung ghi chú.")
    assert (a.published_at, a.author) == (datetime(2024, 7, 18, tzinfo=VN_TZ), "Văn phòng Huyện ủy")
    assert a.paragraphs == ["Nội dung ghi chú."]
    # A sentence that starts with a date is body text.
    body = "Ngày 18/07/2024 - Huyện ủy đã họp và thống nhất nhiều nội dung quan trọng."
    assert parse_article(f"Tin\n{body}").paragraphs == [body]


def test_a_byline_under_the_date_is_the_author() -> None:
    # It was the first paragraph, and so the snippet and summary of the article.
    a = parse_article(
        "Kết nạp đảng viên ở Tả Xùa\n12/03/2024 08:00\nNguyễn Văn Hùng - Ban Tổ chức Huyện ủy\n"
        "Chi bộ bản Tả Xùa kết nạp hai đảng viên."
    )
    assert a.author == "Nguyễn Văn Hùng - Ban Tổ chức Huyện ủy"
    assert a.paragraphs == ["Chi bộ bản Tả Xùa kết nạp hai đảng viên."]
    # A dateline's lead is a sentence, not a byline.
    lead = "Quảng Bình – Ngày 18/5, Đảng ủy Khối cho biết đã kết nạp 20 học sinh."
    assert parse_article(f"Tin\n19/05/2017 08:00\n{lead}\nNội dung.").paragraphs[0] == lead


def test_a_newspapers_name_before_the_lead_and_after_the_byline() -> None:
    # "(Báo Nghệ An) - Sáng 5/12, …" began the digest's lead, and "Thanh Hà - Báo Nghệ An"
    # stayed as the last paragraph (a tester's).
    a = parse_article(
        "Kết nạp đảng viên là thanh niên\n05/12/2026\n"
        "(Báo Nghệ An) - Sáng 5/12, Đảng ủy Khối tổ chức lễ kết nạp đảng viên.\n\n"
        "Buổi lễ diễn ra trang trọng.\n\nThanh Hà - Báo Nghệ An\n"
    )
    assert a.paragraphs == [
        "Sáng 5/12, Đảng ủy Khối tổ chức lễ kết nạp đảng viên.",
        "Buổi lễ diễn ra trang trọng.",
    ]
    assert (a.source, a.author) == ("Báo Nghệ An", "Thanh Hà")


def test_related_links_share_bar_and_labelled_captions_are_page_furniture() -> None:
    # Found by a tester: all three reached the document page, and the snippets.
    a = parse_article(
        "Kết nạp đảng viên mới\nThứ Hai, 12/06/2023 08:15 (GMT+7)\n"
        "Toàn tỉnh đã kết nạp 2.200 đảng viên mới.\n"
        "Ảnh: Đồng chí Lê Văn C. trao quyết định kết nạp đảng viên cho công nhân.\n"
        "Xem thêm: Kết nạp đảng viên trong trường học\n"
        "Chi bộ họp định kỳ hằng tháng.\n"
        "Tin liên quan:\n- Nghệ An kết nạp hơn 2.000 đảng viên\n- Hội nghị Tỉnh ủy lần thứ 14\n"
        "Chia sẻ Facebook Twitter Zalo\n"
    )
    assert a.published_at == datetime(2023, 6, 12, 8, 15, tzinfo=VN_TZ)
    assert a.paragraphs == [
        "Toàn tỉnh đã kết nạp 2.200 đảng viên mới.",
        "Chi bộ họp định kỳ hằng tháng.",
    ]
    # A list in the body is not a related-links list: no heading before it.
    body = "Hội nghị yêu cầu:\n- Rà soát đảng viên;\n- Báo cáo trước 30/6."
    assert parse_article(f"Tin\n{body}").paragraphs == body.split("\n")
    # And a real paragraph after the related heading ends its list.
    tail = parse_article("Tin\nNội dung chính.\nXem thêm\n- Bài A\nMột đoạn văn đầy đủ.")
    assert tail.paragraphs == ["Nội dung chính.", "Một đoạn văn đầy đủ."]


def test_jsonl_text_is_cleaned_like_a_page_and_stays_so_when_read_again() -> None:
    from bot.corpus.readers import parse_jsonl_item

    item = {
        "id": "t1",
        "title": "Quảng Trị gỡ bỏ tin xấu độc",
        "source": "dangcongsan.vn",
        "text": "(ĐCSVN) – Ban Chỉ đạo 35 Tỉnh ủy Quảng Trị vừa tổ chức hội nghị.\n\n"
        "Theo báo cáo, đã gỡ bỏ 1.200 tin.\n\nTin liên quan:\n- Bài khác\n\nTrần Tuyền",
    }
    doc = parse_jsonl_item(item, source="x.jsonl", line=1)
    assert doc.text == (
        "Ban Chỉ đạo 35 Tỉnh ủy Quảng Trị vừa tổ chức hội nghị.\n\nTheo báo cáo, đã gỡ bỏ 1.200 tin."
    )
    # What the line says wins; what only the text says fills the gaps.
    assert (doc.source, doc.author) == ("dangcongsan.vn", "Trần Tuyền")
    again = {**item, "text": doc.text, "author": doc.author}
    assert parse_jsonl_item(again, source="x.jsonl", line=1).text == doc.text


def test_a_related_heading_as_the_first_line_is_a_headline() -> None:
    a = parse_article("Tin mới\nChi bộ kết nạp đảng viên mới ở xã.\n")
    assert (a.title, a.paragraphs) == ("Tin mới", ["Chi bộ kết nạp đảng viên mới ở xã."])


def test_an_html_page_is_decoded_once() -> None:
    from bot.corpus.readers import _read_html

    # The page shows "&lt;script&gt;" and "AT&amp;T"; they were stored as "<script>", "AT&T".
    page = (
        "<html><head><title>Kỷ luật &amp; kỷ cương</title></head><body><article>"
        "<p>Chi bộ thôn Đông họp bàn việc kết nạp đảng viên mới &lt;đợt 1&gt; trong năm nay.</p>"
        "<p>Mẫu &amp;lt;script&amp;gt; và AT&amp;amp;T là văn bản có ký hiệu đặc biệt trong bài.</p>"
        "</article></body></html>"
    )
    text, meta = _read_html(page.encode(), "x.html")
    assert "<đợt 1>" in text
    assert "Mẫu &lt;script&gt; và AT&amp;T" in text
    assert meta["title"] == "Kỷ luật & kỷ cương"


def test_html_left_in_a_jsonl_line_is_read_as_text() -> None:
    from bot.corpus.readers import parse_jsonl_item

    # Shown as "<b>Tiêu đề HTML</b> &amp; <i>x</i>" on the document page (a tester's).
    item = {
        "id": "h1",
        "title": "<b>Tiêu đề HTML</b> &amp; <i>x</i>",
        "text": "<script>alert(1)</script><p>Chi bộ họp.</p><p>Đoạn hai &lt;đợt 1&gt;.</p>",
    }
    doc = parse_jsonl_item(item, source="x.jsonl", line=1)
    assert (doc.title, doc.text) == ("Tiêu đề HTML & x", "Chi bộ họp.\n\nĐoạn hai <đợt 1>.")
    # Plain text with the signs HTML uses is left as it is.
    plain = {"id": "p1", "title": "R&D", "text": "Tỉ lệ 5 < 7 và AT&T."}
    assert parse_jsonl_item(plain, source="x.jsonl", line=2).text == "Tỉ lệ 5 < 7 và AT&T."


def test_a_date_to_come_is_no_publication_date(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.corpus.readers import parse_jsonl_item, read_file
    from bot.errors import InputError

    # "2099-12-31" headed the newest documents for good (a tester's).
    with pytest.raises(InputError, match="is in the future"):
        parse_jsonl_item({"id": "f", "text": "Nội dung.", "date": "2099-12-31"}, source="x", line=1)
    page = tmp_path / "tin.txt"
    page.write_text("Tin họp chi bộ\n31/12/2099\nChi bộ họp định kỳ.\n", encoding="utf-8")
    assert read_file(page).published_at is None


def test_a_file_without_a_date_line_is_dated_by_the_date_its_lead_opens_on(
    tmp_path: Path,
) -> None:
    # A report saved as .txt or .docx, its lead "Ngày 12/12/2024, …", was stored undated and
    # left out of "… năm 2024" (a tester's).
    from bot.corpus.parsing import lead_date
    from bot.corpus.readers import read_file

    assert lead_date("Ngày 12/12/2024, Ban Thường vụ Huyện ủy tổng kết.") == datetime(
        2024, 12, 12, tzinfo=VN_TZ
    )
    assert lead_date("Sáng 3-3-2024, Đảng ủy xã họp.") == datetime(2024, 3, 3, tzinfo=VN_TZ)
    assert lead_date("Ngày 5 tháng 1 năm 2025, chi bộ kết nạp.") == datetime(
        2025, 1, 5, tzinfo=VN_TZ
    )
    for lead in (
        "Ngày 4/11, Ủy ban Kiểm tra họp.",  # no year
        "Năm 2024, huyện kết nạp 215 đảng viên.",
        "Chi bộ họp ngày 12/12/2024, bàn nhiều việc.",  # not what the lead opens on
        "Ngày 31/2/2024, ngày không có.",
    ):
        assert lead_date(lead) is None, lead
    report = tmp_path / "baocao.txt"
    report.write_text(
        "Huyện ủy tổng kết công tác kết nạp\n\nNgày 12/12/2024, Ban Thường vụ Huyện ủy tổng kết "
        "công tác kết nạp đảng viên năm 2024.\n",
        encoding="utf-8",
    )
    assert read_file(report).published_at == datetime(2024, 12, 12, tzinfo=VN_TZ)
    # A date line above the lead is the date, as before.
    report.write_text(
        "Tiêu đề báo cáo tổng kết\n\n05/07/2022 09:38\n\nNgày 1/7/2022, huyện tổng kết công tác.\n",
        encoding="utf-8",
    )
    assert read_file(report).published_at == datetime(2022, 7, 5, 9, 38, tzinfo=VN_TZ)
    # An official text's heading: the place and the date on a line of their own.
    report.write_text(
        "ĐẢNG BỘ HUYỆN KRÔNG PẮC\nKrông Pắc, ngày 15 tháng 3 năm 2024\n\nBÁO CÁO\nTổng kết "
        "công tác kiểm tra, giám sát năm 2023 của Đảng bộ huyện.\n",
        encoding="utf-8",
    )
    assert read_file(report).published_at == datetime(2024, 3, 15, tzinfo=VN_TZ)


def test_a_sentence_with_more_after_it_is_no_caption() -> None:
    # "Đồng chí Bí thư … đều là đoàn viên thanh niên ưu tú. link" (an HTML link's text after
    # the sentence) was dropped as a photo caption, and the article lost its second paragraph
    # without a word (a tester's).
    prose = (
        "Đồng chí Bí thư chi bộ cho biết năm qua chi bộ đã kết nạp 3 đảng viên, đều là đoàn "
        "viên thanh niên ưu tú. link"
    )
    caption = "Đồng chí Nguyễn Văn A, Bí thư Tỉnh ủy phát biểu tại hội nghị"
    text = f"Chi bộ thôn Tân Lập họp.\n{prose}\n{caption}\nChi bộ duy trì sinh hoạt đều đặn."
    paragraphs = parse_article(text, title="Tin").paragraphs
    assert prose in paragraphs and caption not in paragraphs, paragraphs


def test_a_news_pages_marked_date_line_dates_it() -> None:
    # "Thứ Hai, 07/10/2024 08:15 (GMT+7)" in <span class="date">, as Vietnamese news sites
    # write it: the extractor found no date and the article was stored undated (a tester's).
    from bot.corpus.readers import read_bytes

    body = "".join(
        f"<p>Ban Thường vụ Tỉnh ủy tổ chức hội nghị tổng kết công tác kiểm tra lần {n}.</p>"
        for n in range(6)
    )
    page = (
        "<html><head><title>Tỉnh ủy tổng kết công tác kiểm tra</title></head><body>"
        "<h1>Tỉnh ủy tổng kết công tác kiểm tra</h1>"
        '<div class="meta"><span class="date">Thứ Hai, 07/10/2024 08:15 (GMT+7)</span>'
        f"</div><article>{body}</article></body></html>"
    )
    doc = read_bytes(page.encode("utf-8"), name="tin.html")
    assert doc.published_at is not None
    assert doc.published_at.isoformat().startswith("2024-10-07T08:15"), doc.published_at
    # A date line alone in an element of any name, and a photo credit that is no author.
    other = page.replace('<div class="meta"><span class="date">', '<div class="detail-info"><b>')
    other = other.replace("(GMT+7)</span>", "(GMT+7)</b>").replace(
        "</article>", "<p>Ảnh: Quang Hải</p></article>"
    )
    second = read_bytes(other.encode("utf-8"), name="tin2.html")
    assert second.published_at is not None and second.published_at.hour == 8
    assert second.author is None and "Quang Hải" not in second.text
    # And the same page fetched from a feed.
    from bot.feeds.fetch import extract_article

    fetched = extract_article(page, "https://bao.vn/tin.html")
    assert fetched is not None and fetched.date is not None
    assert fetched.date.isoformat().startswith("2024-10-07T01:15"), fetched.date  # UTC


def test_a_party_documents_header_titles_it_by_kind_code_and_subject() -> None:
    # Every directive ingested from Word was titled "BAN CHẤP HÀNH TRUNG ƯƠNG", its issuer
    # line, with "Số 05-CT/TW | ĐẢNG CỘNG SẢN VIỆT NAM" as its snippet (a tester's).
    text = "\n".join(
        [
            "BAN CHẤP HÀNH TRUNG ƯƠNG",
            "*",
            "Số 05-CT/TW | ĐẢNG CỘNG SẢN VIỆT NAM",
            "Hà Nội, ngày 15 tháng 5 năm 2016",
            "CHỈ THỊ",
            "của Bộ Chính trị",
            "về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            "Sau 5 năm thực hiện Chỉ thị số 03-CT/TW, việc học tập đạt kết quả quan trọng.",
            "Các cấp ủy, tổ chức đảng tiếp tục quán triệt nội dung Chỉ thị.",
        ]
    )
    article = parse_article(text)
    assert article.title == (
        "Chỉ thị 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
    )
    assert article.paragraphs[0].startswith("Sau 5 năm") and len(article.paragraphs) == 2
    assert article.published_at is not None and article.published_at.year == 2016
    # A province's plan in a text file: its issuer first, no motto line, "thực hiện …".
    plan = parse_article(
        "ĐẢNG BỘ TỈNH QUẢNG BÌNH\nSố 302-KH/TU\nĐồng Hới, ngày 10 tháng 3 năm 2025\nKẾ HOẠCH\n"
        "thực hiện công tác kiểm tra, giám sát năm 2025\n"
        "Ban Thường vụ Tỉnh ủy ban hành kế hoạch kiểm tra, giám sát năm 2025."
    )
    assert plan.title == "Kế hoạch 302-KH/TU thực hiện công tác kiểm tra, giám sát năm 2025"
    assert plan.paragraphs[0].startswith("Ban Thường vụ")
    # An article that only mentions such words is not read as one.
    plain = parse_article(
        "Tin Hà Nội\nĐẢNG CỘNG SẢN VIỆT NAM tổ chức hội nghị.\nCHỈ THỊ\nNội dung."
    )
    assert plain.title == "Tin Hà Nội"


def test_a_one_sentence_notice_is_its_own_title_and_body() -> None:
    # "no body text after removing headline, dates and page furniture" (a tester's).
    article = parse_article("Chi bộ họp ngày 5/6/2022 bàn việc kết nạp đảng viên.")
    assert article.paragraphs == ["Chi bộ họp ngày 5/6/2022 bàn việc kết nạp đảng viên."]
    assert article.title == "Chi bộ họp ngày 5/6/2022 bàn việc kết nạp đảng viên"
    # A headline alone, without a full stop, is still no document.
    assert parse_article("Kết nạp đảng viên").paragraphs == []


def test_an_inline_related_list_and_a_byline_taken_from_an_outlet() -> None:
    # ">> Tin liên quan:" and its titles were kept as the article's text (a Long An query
    # found this Bình Dương article by a related title), and "Minh Duy (Theo TTXVN)" as its
    # last paragraph (a tester's).
    text = "\n".join(
        [
            "Bình Dương phát triển đảng viên trong doanh nghiệp",
            "Năm 2024, Đảng ủy đã kết nạp 350 đảng viên mới, trong đó 70% là công nhân.",
            ">> Tin liên quan:",
            "- Long An: Thành lập 12 tổ chức đảng trong doanh nghiệp tư nhân",
            "Các tổ chức đảng tiếp tục củng cố, nâng cao chất lượng sinh hoạt.",
            "Minh Duy (Theo TTXVN)",
        ]
    )
    article = parse_article(text)
    assert [p[:10] for p in article.paragraphs] == ["Năm 2024, ", "Các tổ chứ"], article.paragraphs
    assert (article.author, article.source) == ("Minh Duy", "TTXVN")


def test_a_time_after_the_dash_of_a_date_line_is_its_time() -> None:
    # "Chủ Nhật, 12/05/2024 - 15:20" stored "15:20" as the author and the day alone (a
    # tester's); "Ngày 18/07/2024 — Văn phòng Huyện ủy" still names who issued it.
    timed = parse_article("Tin\nChủ Nhật, 12/05/2024 - 15:20\nChi bộ họp.\nNội dung.")
    assert timed.author is None and timed.published_at is not None
    assert (timed.published_at.hour, timed.published_at.minute) == (15, 20)
    issued = parse_article("Tin\nNgày 18/07/2024 — Văn phòng Huyện ủy\nChi bộ họp.\nNội dung.")
    assert issued.author == "Văn phòng Huyện ủy"


def test_a_future_date_in_a_file_is_left_out_and_said(caplog: pytest.LogCaptureFixture) -> None:
    # A plan dated "2027" by a slip of the year was stored undated without a word (a
    # tester's); a JSONL line's future date is an error.
    import logging

    from bot.corpus.readers import read_bytes

    text = "Kế hoạch kiểm tra\n\nNgày 10/03/2099, Ban Thường vụ ban hành kế hoạch kiểm tra.\n"
    with caplog.at_level(logging.WARNING):
        doc = read_bytes(text.encode("utf-8"), name="kh.txt")
    assert doc.published_at is None
    assert "10/03/2099 is in the future" in caplog.text, caplog.text


def test_a_headline_cut_short_in_the_title_tag_is_read_whole_from_the_heading() -> None:
    # "<title>Chi bộ thôn Đông tổ chức sinh hoạt chuyên đề - Báo Thái Bình</title>" stood for
    # the headline the page's <h2> gives whole (a tester's).
    from bot.corpus.readers import read_bytes

    whole = "Chi bộ thôn Đông tổ chức sinh hoạt chuyên đề về học tập và làm theo gương Bác"
    body = "".join(
        f"<p>Chi bộ thôn Đông họp lần thứ {n} trong năm, bàn nhiều việc.</p>" for n in range(6)
    )
    page = (
        "<html><head><title>Chi bộ thôn Đông tổ chức sinh hoạt chuyên đề - Báo Thái Bình</title>"
        f"</head><body><h2>{whole}<div>{body}</div></body></html>"
    )
    assert read_bytes(page.encode("utf-8"), name="tin.html").title == whole


def test_a_pdfs_page_numbers_and_repeated_header_are_not_its_text() -> None:
    # "BÁO CÁO … Trang 1/2" ran into the body between a PDF's pages (bb66 #9).
    from bot.corpus.readers import _without_page_furniture

    pages = [
        "BÁO CÁO TỈNH ỦY\nTrang 1/2\nNội dung trang một về kiểm tra.\nTiếp tục.\nSở X - Trang 1",
        "BÁO CÁO TỈNH ỦY\nTrang 2/2\nNội dung trang hai.\n- 2 -\nSở X - Trang 2",
    ]
    assert _without_page_furniture(pages) == [
        "Nội dung trang một về kiểm tra.\nTiếp tục.",
        "Nội dung trang hai.",
    ]
    # One page: a figure on a line of its own inside the text stays.
    one = ["Tiêu đề\nKết quả năm 2023\n12\nNội dung.\nKết.\nHết."]
    assert _without_page_furniture(one) == one
