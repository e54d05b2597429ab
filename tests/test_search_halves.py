"""A large index searched in two halves at once (bot/search/halves.py): the same answers as one
search, scores included, and a search in one piece whenever the halves would not be exact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import tantivy
from tantivy import Query

from bot.config import Settings
from bot.corpus.documents import NewDocument
from bot.search import halves
from bot.search.halves import HalvedSearch, middle_id
from bot.services import Services

WORDS = [
    "Chi bộ thôn sinh hoạt định kỳ, kiểm điểm đảng viên cuối năm.",
    "Ủy ban Kiểm tra xem xét kỷ luật đảng viên vi phạm trong đấu thầu.",
    "Kết nạp đảng viên mới là quần chúng ưu tú, đoàn viên thanh niên.",
    "Phòng, chống tham nhũng, tiêu cực trong công tác cán bộ.",
    "Thực hiện Kết luận 21-KL/TW về xây dựng, chỉnh đốn Đảng.",
]


@pytest.fixture
def three_segments(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """Services whose index holds three segments of 12 documents (one commit each)."""
    monkeypatch.setattr(halves, "SPLIT_MIN_DOCS", 1)
    svc = Services(settings)
    svc.use_classifier(None)
    svc.search.halves.threads = 2  # as on a host with two cores, whatever this one has
    svc.search.sync()  # the index exists before the first batch: each batch is one segment
    day = datetime(2024, 1, 1)
    n = 0
    for _ in range(3):
        for _ in range(12):
            text = f"Bản tin số {n}. " + " ".join(
                WORDS[(n + k) % len(WORDS)] for k in range(1 + n % 3)
            )
            svc.documents.add(
                NewDocument(
                    title=f"Tin số {n}",
                    text=text,
                    external_id=f"d{n}",
                    published_at=None if n % 7 == 0 else day + timedelta(days=n % 9),
                )
            )
            n += 1
        svc.search.sync()
    assert svc.search.index.searcher().num_segments == 3
    yield svc
    svc.close()


def spy_on_splits(halved: HalvedSearch, monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The splits ``halved`` decides from now on, in order."""
    splits: list[int | None] = []
    split_at = halved.split_at

    def spy(searcher: tantivy.Searcher) -> int | None:
        splits.append(split_at(searcher))
        return splits[-1]

    monkeypatch.setattr(halved, "split_at", spy)
    return splits


# Broad queries (questions, six syllables or more): the ones the engine searches in halves.
QUERIES = [
    "đảng viên vi phạm kỷ luật trong đấu thầu thì xử lý thế nào?",
    "chi bo thon sinh hoat dinh ky kiem diem cuoi nam",
    "làm sao để kết nạp đoàn viên thanh niên ưu tú vào Đảng",
    "thực hiện Kết luận 21-KL/TW về chỉnh đốn Đảng trong công tác cán bộ",
]


@pytest.mark.parametrize("query", QUERIES)
def test_two_halves_answer_as_one_search(
    three_segments: Services, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = three_segments.search
    assert engine.halves.split_at(engine.index.searcher(), wait=True) is not None
    splits = spy_on_splits(engine.halves, monkeypatch)
    halved = engine.search(query, limit=5)
    assert splits and splits[0] is not None  # the test searched in halves indeed
    engine.halves.threads = 1
    whole = engine.search(query, limit=5)
    assert [h.external_id for h in halved.hits] == [h.external_id for h in whole.hits]
    assert [h.score for h in halved.hits] == [h.score for h in whole.hits]
    assert halved.total == whole.total > 0


def test_a_short_query_is_searched_in_one_piece(
    three_segments: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = three_segments.search
    assert engine.halves.split_at(engine.index.searcher(), wait=True) is not None
    splits = spy_on_splits(engine.halves, monkeypatch)
    assert engine.search("kỷ luật đấu thầu", limit=5).total
    assert splits == []


@pytest.mark.parametrize("order", [None, "published", "date"])
@pytest.mark.parametrize(("offset", "limit"), [(0, 5), (3, 4), (30, 10)])
def test_pages_in_any_order_merge_as_one_search(
    three_segments: Services, order: str | None, offset: int, limit: int
) -> None:
    searcher = three_segments.search.index.searcher()
    two, one = HalvedSearch(2), HalvedSearch(1)
    two.threads = 2  # as on a host with two cores, whatever this one has
    assert two.split_at(searcher, wait=True) is not None
    query = Query.all_query()
    a = two.search(searcher, query, limit, offset=offset, order_by_field=order)
    b = one.search(searcher, query, limit, offset=offset, order_by_field=order)
    key = [(k, h.segment_ord, h.doc) for k, h in a.hits]
    assert key == [(k, h.segment_ord, h.doc) for k, h in b.hits]
    assert a.count == b.count == 36
    two.close()


def test_a_changed_index_is_searched_in_one_piece_until_its_halves_are_known(
    three_segments: Services,
) -> None:
    engine = three_segments.search
    query = QUERIES[1]
    before = engine.search(query).total
    assert engine.halves.split_at(engine.index.searcher(), wait=True) is not None
    three_segments.documents.add(NewDocument(title="Mới", text=WORDS[0], external_id="new"))
    engine.sync()
    searcher = engine.index.searcher()
    assert engine.halves.split_at(searcher) is None  # planned in the helper thread meanwhile
    assert engine.search(query).total == before + 1
    engine.halves._ensure_pool().submit(lambda: None).result()  # the plan is made
    assert engine.halves.split_at(engine.index.searcher()) is not None
    assert engine.search(query).total == before + 1


def test_one_core_or_a_small_index_is_never_split(settings: Settings) -> None:
    svc = Services(settings)
    svc.use_classifier(None)
    svc.documents.add(NewDocument(title="Một", text=WORDS[0], external_id="a"))
    svc.search.sync()
    assert svc.search.halves.split_at(svc.search.index.searcher(), wait=True) is None
    svc.close()


def test_the_middle_follows_whole_segments() -> None:
    # (smallest id, largest id, documents) per segment, in any order
    assert middle_id([(1, 100, 100), (101, 200, 100), (201, 300, 100), (301, 400, 100)]) == 201
    assert middle_id([(201, 300, 100), (1, 100, 100), (101, 200, 100)]) in (101, 201)
    # A merge took ids from both ends: no run of ids holds whole segments on either side.
    assert middle_id([(1, 400, 200), (101, 300, 200)]) is None
    # One segment holds nearly everything: a split would save too little.
    assert middle_id([(1, 1000, 1000), (1001, 1010, 10)]) is None
    assert middle_id([(1, 100, 100)]) is None
    assert middle_id([]) is None
