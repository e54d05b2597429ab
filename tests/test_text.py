from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import PROJECT_ROOT
from bot.corpus.text import (
    doc_code_keys,
    find_doc_codes,
    fold,
    fold_lower,
    has_diacritics,
    normalize,
    split_sentences,
    syllables,
    telex_word,
    tokenize,
)

VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
vi_text = st.text(
    alphabet=st.sampled_from(
        list(VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " .,;:-/\n0123456789")
    ),
    max_size=200,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tỉnh uỷ", "Tỉnh ủy"),
        ("hoà bình", "hòa bình"),
        ("khoẻ mạnh", "khỏe mạnh"),
        ("đa dạng hoá", "đa dạng hóa"),
        ("UỶ BAN", "ỦY BAN"),
        ("quý", "quý"),  # qu + y: the tone stays on y
        ("hoàng", "hoàng"),  # closed syllable: unchanged
        ("thuý", "thúy"),
        ("a\u00a0b", "a b"),
        ("tham\u200bnhũng", "tham nhũng"),  # a zero-width space between syllables: a break
        ("k\u200bết n\u200bạp đả\u200bng", "kết nạp đảng"),  # inside one: copied-in noise
        ("Null\x00byte\x1fx", "Null byte x"),  # a control character: a separator
        ("Tỉnh u\u0309y", "Tỉnh ủy"),  # decomposed input
    ],
)
def test_normalize_one_tone_placement(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_both_placements_in_seeds_fold_to_one_form() -> None:
    assert normalize("Tỉnh uỷ") == normalize("Tỉnh ủy")
    assert normalize("hoà") == normalize("hòa")


def test_fold_maps_d_bar_explicitly() -> None:
    assert fold("Đảng viên đầu tư") == "Dang vien dau tu"
    assert fold_lower("ĐẢNG VIÊN") == "dang vien"
    assert fold("tham nhũng") == fold("tham những") == "tham nhung"


@given(vi_text)
def test_fold_keeps_one_char_per_char(text: str) -> None:
    text = normalize(text)
    folded = fold(text)
    assert len(folded) == len(text)
    assert len(fold_lower(text)) == len(text)


@given(st.text(min_size=128, max_size=400), vi_text)
def test_long_texts_fold_like_short_ones(noise: str, text: str) -> None:
    # Texts of 128+ characters take the lookup-array path; any character (CJK, emoji, lone
    # surrogates, combining marks) must fold exactly as character by character.
    for sample in (noise, (text * 40)[:400] or noise, noise + "\ud800"):
        expected = "".join(fold_lower(c) for c in sample)
        assert fold_lower(sample) == expected
        assert fold(sample) == "".join(fold(c) for c in sample)


@given(vi_text)
def test_fold_is_idempotent_and_removes_all_marks(text: str) -> None:
    folded = fold(normalize(text))
    assert fold(folded) == folded
    assert not has_diacritics(folded)
    assert all(unicodedata.category(c) != "Mn" for c in unicodedata.normalize("NFD", folded))
    assert "đ" not in folded and "Đ" not in folded


@given(st.text(max_size=200))
def test_normalize_is_idempotent_and_nfc(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert unicodedata.is_normalized("NFC", once)


@given(vi_text)
def test_offsets_map_back(text: str) -> None:
    text = normalize(text)
    folded = fold_lower(text)
    for token in tokenize(text):
        assert fold_lower(text[token.start : token.end]) == folded[token.start : token.end]


def test_tokenize_keeps_numbers_whole() -> None:
    assert [t.text for t in tokenize("có 2.200 đảng viên, ngày 25.10.2021, tăng 70,01%")] == [
        "có",
        "2.200",
        "đảng",
        "viên",
        "ngày",
        "25.10.2021",
        "tăng",
        "70,01",
    ]
    assert syllables("Đảng Viên") == ["dang", "vien"]


def test_sentence_splitting_survives_abbreviations_numbers_and_domains() -> None:
    text = (
        "Công tác xây dựng Đảng có nhiều đổi mới\n\n05/07/2022 09:38\n\n"
        "TP. Hồ Chí Minh có 2.200 đảng viên mới. PGS.TS. Nguyễn Văn A phát biểu ngày 25.10.2021 "
        "theo Kết luận số 21-KL/TW. Xem baoquangngai.vn. Ông nói: “Phải làm ngay.” Sau đó… Hết!"
    )
    assert split_sentences(text) == [
        "Công tác xây dựng Đảng có nhiều đổi mới",
        "05/07/2022 09:38",
        "TP. Hồ Chí Minh có 2.200 đảng viên mới.",
        "PGS.TS. Nguyễn Văn A phát biểu ngày 25.10.2021 theo Kết luận số 21-KL/TW.",
        "Xem baoquangngai.vn.",
        "Ông nói: “Phải làm ngay.”",
        "Sau đó…",
        "Hết!",
    ]


def test_sentence_splitting_keeps_lowercase_continuations() -> None:
    assert split_sentences("Các lĩnh vực... và nhiều hơn nữa.") == [
        "Các lĩnh vực... và nhiều hơn nữa."
    ]


def test_doc_codes() -> None:
    codes = find_doc_codes(
        "Kết luận số 21-KL/TƯ, Nghị quyết số 35-NQ/TW, Chỉ thị 05-CT/TW, Quy định 124-QĐ/TW, "
        "Nghị quyết 35, Kết luận số 21, Nghị quyết Trung ương 4, Quyết định 123/QĐ-UBND"
    )
    assert [c.key for c in codes] == [
        "21-KL",
        "35-NQ",
        "5-CT",
        "124-QD",
        "35-NQ",
        "21-KL",
        "TW4-NQ",
        "123/QD-UBND",
    ]
    assert codes[0].full == "21-KL/TW"
    assert codes[0].text == "21-KL/TƯ"
    # The full stop ending a sentence is not part of the code; a dot inside the issuer is.
    assert [c.text for c in find_doc_codes("Thực hiện Chỉ thị 05-CT/TW. Chi bộ")] == ["05-CT/TW"]
    assert [(c.text, c.full) for c in find_doc_codes("theo 21-KL/T.Ư.")] == [
        ("21-KL/T.Ư", "21-KL/TW")
    ]
    # "TU" without its Ư is Tỉnh ủy: a province's directive, not the Politburo's (a tester's).
    assert [c.full for c in find_doc_codes("Chỉ thị 35-CT/TU và 35/CT-TU", loose=True)] == [
        "35-CT/TU",
        "35/CT-TU",
    ]


def test_doc_codes_are_exact() -> None:
    assert doc_code_keys("21-NQ/TW và 20-KL/TW") == ["21-NQ", "21-NQ/TW", "20-KL", "20-KL/TW"]
    assert "21-KL" not in doc_code_keys("21-NQ/TW và 20-KL/TW")
    assert doc_code_keys("nghị quyết 35.000 người") == []


def test_doc_codes_typed_without_accents_or_in_lower_case() -> None:
    assert [c.key for c in find_doc_codes("ket luan so 21 va nghi quyet trung uong 4")] == [
        "21-KL",
        "TW4-NQ",
    ]
    assert [c.key for c in find_doc_codes("21-kl/tw", loose=True)] == ["21-KL"]
    assert find_doc_codes("21-kl/tw") == []
    assert find_doc_codes("để ăn 5 bữa") == []  # accented words must be the real document word
    code = find_doc_codes("Theo Kết luận số 21-KL/TƯ")[0]
    assert (code.text, code.start) == ("21-KL/TƯ", 17)


def test_doc_code_variants() -> None:
    assert [c.full for c in find_doc_codes("Quy định số 08-QĐi/TW của Trung ương")] == ["8-QD/TW"]
    assert [c.key for c in find_doc_codes("quy dinh 08")] == ["8-QD"]
    typed = "QĐ 124, KL 21, nq số 35, qdi 08, CT 05, NQ TW4, nq tw 5"
    assert [c.key for c in find_doc_codes(typed, loose=True)] == [
        "124-QD",
        "21-KL",
        "35-NQ",
        "8-QD",
        "5-CT",
        "TW4-NQ",  # a plenum's resolution, as "Nghị quyết Trung ương 4"
        "TW5-NQ",
    ]
    assert find_doc_codes(typed) == []  # abbreviations alone only in queries
    # "TW" for "Trung ương" after a kind's name, as often written and typed.
    for written in (
        "Nghị quyết TW4",
        "Nghị quyết TW 4",
        "nghi quyet tw4",
        "Nghị quyết Trung ương 4",
    ):
        assert [c.key for c in find_doc_codes(written, loose=True)] == ["TW4-NQ"], written
    assert find_doc_codes("Hội nghị TW 4", loose=True) == []
    assert find_doc_codes("KL 21.000 tấn", loose=True) == []


def test_doc_codes_typed_in_other_orders_and_lists_of_numbers() -> None:
    # A tester's "KL21/TW" found nothing; "21 KL TW", "qđ 08-qđi" and "CT 05/TW" were words.
    for typed, key, full in (
        ("KL21/TW", "21-KL", "21-KL/TW"),
        ("KL 21/TW", "21-KL", "21-KL/TW"),
        ("CT 05/TW", "5-CT", "5-CT/TW"),
        ("21 KL TW", "21-KL", "21-KL/TW"),
        ("21 KL/TW", "21-KL", "21-KL/TW"),
        ("qđ 08-qđi", "8-QD", None),
        ("21-KL", "21-KL", None),
    ):
        codes = find_doc_codes(typed, loose=True)
        assert [(c.text, c.key, c.full) for c in codes] == [(typed, key, full)], typed
    assert find_doc_codes("KL21/TW") == [] and find_doc_codes("21 KL TW") == []  # queries only
    assert find_doc_codes("QĐ 21-KL", loose=True) == []  # which is it?
    assert find_doc_codes("năm 2021 kl", loose=True) == []
    # "Quy định 08 và 37": 37 too (it was searched as a word); not a count or a year.
    keys = lambda text: [c.key for c in find_doc_codes(text, loose=True)]  # noqa: E731
    assert keys("Quy định 08 và 37") == keys("Quy định 08, 37") == ["8-QD", "37-QD"]
    assert keys("QĐ 37, 08 và 124") == ["37-QD", "8-QD", "124-QD"]
    assert keys("Nghị quyết 35 và 2 năm thực hiện") == ["35-NQ"]
    assert keys("Chỉ thị 05 và 2024") == ["5-CT"]
    assert keys("Quy định 124 và 5 đảng viên") == ["124-QD"]


def test_plausible_syllable_accepts_the_seeds_words_and_rejects_edit_garbage() -> None:
    from bot.corpus.text import plausible_syllable, syllables

    words = [
        w
        for path in sorted((PROJECT_ROOT / "seeds").glob("*.txt"))
        for w in syllables(path.read_text("utf-8"))
        if w.isalpha() and not any(c in w for c in "fjwz")
    ]
    assert len(words) > 2000
    rejected = {w for w in words if not plausible_syllable(w)}
    # Only abbreviations, a Roman numeral, glued domain names and URL words are rejected.
    assert rejected <= {
        *("bch", "btv", "ct", "dbqh", "dtts", "hdnd", "kl", "mt", "mttq", "nq", "pv", "ubnd"),
        *("vn", "xvii", "baokontum", "baoquangngai", "html", "http", "links", "plong"),
    }, sorted(rejected)
    for garbage in ("dangg", "dnag", "adng", "nhungg", "tthu", "vienn", "xx"):
        assert not plausible_syllable(garbage), garbage
    for word in ("nghieng", "khuyu", "quyet", "gi", "oanh", "truong", "a"):
        assert plausible_syllable(word), word


def test_the_syllable_shapes_are_what_the_pattern_matches() -> None:
    """The set of syllable shapes typo correction looks variants up in is exactly the
    language of the syllable pattern: every string of up to four Vietnamese letters, and
    every shape in the set."""
    import itertools

    from bot.corpus.text import _SYLLABLE, syllable_shapes

    shapes = syllable_shapes()
    letters = "abcdeghiklmnopqrstuvxy"
    for n in range(5):
        for chars in itertools.product(letters, repeat=n):
            word = "".join(chars)
            assert (word in shapes) == (_SYLLABLE.fullmatch(word) is not None), word
    assert all(_SYLLABLE.fullmatch(shape) for shape in shapes)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ddangr", "đảng"),
        ("vieen", "viên"),
        ("keets", "kết"),
        ("nhwngx", "những"),
        ("nguowif", "người"),
        ("truwowngf", "trường"),
        ("quyeets", "quyết"),
        ("gias", "giá"),
        ("hoaf", normalize("hòa")),  # the project's one tone placement
        ("luaatj", "luật"),
        ("KEETS", "kết"),
        ("gif", "gì"),  # gi with no other vowel: the i takes the tone
        ("quowr", "quở"),  # the u of qu is no vowel, so no ư
    ],
)
def test_telex_typed_with_the_input_method_off_reads_as_vietnamese(typed: str, meant: str) -> None:
    assert telex_word(typed) == meant


@pytest.mark.parametrize("typed", ["tin", "dang", "facebook", "đảng", "x", "2023", "bcdfs"])
def test_a_word_with_no_telex_key_or_no_syllable_is_not_read_as_telex(typed: str) -> None:
    assert telex_word(typed) is None


def test_the_other_spelling_of_i_and_y() -> None:
    from bot.corpus.text import iy_variant

    pairs = {"kỉ": "kỷ", "lý": "lí", "quy": "qui", "Mĩ": "Mỹ", "tỷ": "tỉ", "hy": "hi"}
    assert {w: iy_variant(w) for w in pairs} == pairs
    # Not after other letters, nor inside a longer vowel ("tuy", "thi", "vi"), nor alone.
    assert [iy_variant(w) for w in ("tuy", "thi", "vi", "y", "kết")] == [None] * 5


def test_lookalike_letters_and_direction_overrides() -> None:
    # A tester's "kеt" (Cyrillic е) was "no document has: kеt"; U+202E stayed in a title.
    assert normalize("kеt nаp đảng viеn") == "ket nap đảng vien"
    assert normalize("Đảng bộ Москва") == "Đảng bộ Москва"  # Russian words stay Russian
    assert normalize("\u202eTin\u2066 mới\u2069") == "Tin mới"


def test_a_quotation_s_sentences_stay_with_it() -> None:
    # A summary ended on half a quotation, a snippet began with its other half (a tester's).
    text = (
        "Ông nói: “Nhà tôi nằm trong quy hoạch. Tôi muốn biết khi nào làm.” Cả hội trường vỗ tay."
    )
    assert split_sentences(text) == [
        "Ông nói: “Nhà tôi nằm trong quy hoạch. Tôi muốn biết khi nào làm.”",
        "Cả hội trường vỗ tay.",
    ]
    # A quotation never closed does not swallow the rest of a long paragraph.
    unclosed = "Mở “ngoặc. " + "Câu khác rất dài ở đây. " * 30
    assert len(split_sentences(unclosed)) > 10


def test_english_terms_read_in_vietnamese_order() -> None:
    from bot.search.english import vietnamese_query

    assert vietnamese_query("new party members") == "đảng viên mới"
    assert vietnamese_query("Party cell meetings") == "sinh hoạt chi bộ"
    assert vietnamese_query("vote of confidence People's Council") == (
        "lấy phiếu tín nhiệm Hội đồng nhân dân"
    )
    assert vietnamese_query("poor households") == "hộ nghèo"
    assert vietnamese_query("weather forecast") is None and vietnamese_query("kỷ luật") is None
    # A question's words around the terms, and the news asked for newest first, as
    # Vietnamese says it (a tester's "What does Regulation 37 say?" found nothing, and
    # "latest news on anti-corruption" 3 articles of 27: "mới nhất tin …" required "tin").
    assert vietnamese_query("What does Regulation 37 say?") == "quy định 37"
    assert (
        vietnamese_query("latest news on anti-corruption") == "tin mới nhất phòng, chống tham nhũng"
    )
    assert vietnamese_query("why do party members need to set an example") == "đảng viên nêu gương"
    assert vietnamese_query("cadre rotation 2022") == "luân chuyển cán bộ 2022"  # not twice
    assert vietnamese_query("what's new this week") == "có gì mới tuần này"
    assert vietnamese_query("what things are party members not allowed to do") == (
        "đảng viên không được làm"
    )


def test_english_ordinals_inflections_and_half_read_queries() -> None:
    from bot.search.english import english_reading, vietnamese_query

    def read(text: str) -> tuple[str, list[str]] | None:
        reading = english_reading(text)
        return None if reading is None else (reading.vietnamese, reading.unknown)

    # An ordinal numbers a term, a congress or a plenum, not documents with the figure.
    assert read("Resolution 4 of the 12th Central Committee") == ("nghị quyết 4 khóa XII", [])
    assert read("the 4th plenum of the 13th Central Committee") == (
        "Hội nghị Trung ương 4 khóa XIII",
        [],
    )
    assert read("documents of the 13th National Party Congress") == ("Đại hội XIII", [])
    assert read("Conclusion 21-KL/TW") == ("kết luận 21-KL/TW", [])  # the code kept whole
    # An inflected form of a one-word term.
    assert read("bribed cadres") == ("hối lộ cán bộ", [])
    # Half the words read: translated, and the rest named; fewer: not at all.
    assert read("party discipline for weather forecasting models") is None  # 2 of 5 read
    assert read("party discipline forecasting models") == (
        "kỷ luật đảng",
        ["forecasting", "models"],
    )
    assert read("party discipline drunk") == ("kỷ luật đảng", ["drunk"])
    # Ordinals in words, and codes written with Đ.
    assert read("the twelfth Party Congress") == ("Đại hội XII", [])
    assert read("Regulation 08-QĐi/TW") == ("quy định 08-QĐi/TW", [])
    # A province as English writes it ("corruption in Can Tho" lost the place: "can" is a
    # filler), unless the glossary has a longer term there.
    assert read("corruption in Can Tho") == ("tham nhũng Cần Thơ", [])
    assert read("discipline Ho Chi Minh City") == ("kỷ luật TP.HCM", [])
    assert vietnamese_query("party discipline drunk") is None  # every word, or None
    assert read("tham nhung dau thau") is None and read("weather forecast") is None
    # A term the one before already says is not said twice ("chỉnh đốn Đảng Đảng" had no
    # document "with every word"); everyday terms a tester's queries lacked.
    assert read("rectification of the Party") == ("chỉnh đốn Đảng", [])
    assert read("grassroots branch meetings") == ("cơ sở sinh hoạt chi bộ", [])
    assert read("who can join the party?") == ("kết nạp Đảng", [])
    assert read("self-evolution and self-transformation") == ("tự diễn biến tự chuyển hóa", [])
    assert read("mass mobilization in ethnic minority areas") == (
        "dân vận vùng đồng bào dân tộc thiểu số",
        [],
    )
    # Periods in English, as the parser reads them in Vietnamese: "before 2022" was read as
    # 2022, "since" left out, "from March to June 2023" as 2023 (a tester's).
    assert read("corruption before 2022") == ("tham nhũng trước 2022", [])
    assert read("corruption since 2023") == ("tham nhũng từ 2023", [])
    assert read("corruption after 2021") == ("tham nhũng từ 2022", [])
    assert read("corruption from March to June 2023") == (
        "tham nhũng từ tháng 3 đến tháng 6/2023",
        [],
    )
    assert read("admission in May 2024") == ("kết nạp tháng 5/2024", [])
    # Two numbers of one kind keep their "and" ("Regulations 08 and 37" lost 37), a term
    # said again apart stays, and more everyday terms (testers').
    assert read("Regulations 08 and 37") == ("quy định 08 và 37", [])
    assert read("Regulation 08 and Regulation 37") == ("quy định 08 quy định 37", [])
    assert read("party members of the party") == ("đảng viên", [])
    assert read("personnel work") == ("công tác cán bộ", [])
    assert read("probationary party member") == ("đảng viên dự bị", [])
    assert read("hostile forces on the internet") == ("thế lực thù địch không gian mạng", [])


def test_normalize_drops_a_terminals_colour_codes_whole() -> None:
    # "kết nạp\x1b[31mđảng" searched "[31mđảng" (a tester's): the whole code is a separator.
    assert normalize("kết nạp\x1b[31mđảng\x1b[0m viên") == "kết nạp đảng viên"
    assert normalize("a\x00b") == "a b"
