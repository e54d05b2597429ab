"""Relevance on judged queries: nDCG@10 and MRR over the seeds plus the labelled data.

The judged queries (tests/search_judgments.jsonl) mark relevant documents by criteria — phrases
as written, document codes, topic labels — so they keep working as the labelled data grows.
Numbers are reported in the README ("Search"); run ``python -m bot.search.evaluate relevance``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.search.evaluate import (
    build_corpus,
    evaluate_relevance,
    load_judgments,
    ndcg_at_k,
    reciprocal_rank,
    rouge_n,
    telex_twin,
    typo_twin,
)
from bot.services import Services
from tests.auxil.settings import SEEDS, make_settings

DATA = SEEDS.parent / "training" / "data"
NDCG_FLOOR = 0.80
MRR_FLOOR = 0.85
KIND_FLOOR = 0.65
TWIN_GAP = 0.05


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp: Path = tmp_path_factory.mktemp("relevance")
    services = Services(make_settings(tmp, f"sqlite:///{tmp / 'rel.sqlite3'}"))
    services.use_classifier(None)  # topics come from the labels
    build_corpus(services, DATA, SEEDS)
    yield evaluate_relevance(services, load_judgments(services))
    services.close()


def test_metrics() -> None:
    grades = {"a": 2, "b": 1, "c": 1}
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "a"], grades) < ndcg_at_k(["a", "x"], grades)
    assert ndcg_at_k([], grades) == 0.0
    assert reciprocal_rank(["x", "y", "b"], grades) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], grades) == 0.0
    p, r, f = rouge_n("kết nạp đảng viên mới", "kết nạp đảng viên", 1)
    assert (p, r) == (pytest.approx(4 / 5), 1.0) and f == pytest.approx(2 * 0.8 / 1.8)
    assert rouge_n("a b c", "a b d", 2)[2] == pytest.approx(0.5)
    assert rouge_n("Đảng", "dang", 1)[2] == 0.0  # accents count


def test_a_typo_twin_is_one_edit_of_a_kind_people_make() -> None:
    import unicodedata

    from bot.corpus.text import fold_lower

    queries = [
        "kết nạp Đảng cho công nhân trong doanh nghiệp",
        "ket nap dang vien",
        "Quy định 08-QĐi/TW về nêu gương",
        "tham nhũng đấu thầu",
    ]
    seen = set()
    for q in queries:
        for r in range(12):
            made = typo_twin(q, f"{q}:{r}")
            assert made is not None and made == typo_twin(q, f"{q}:{r}")  # the same each time
            twin, kind = made
            assert unicodedata.is_normalized("NFC", twin)
            changed = [(a, b) for a, b in zip(q.split(), twin.split(), strict=True) if a != b]
            assert len(changed) == 1, (q, twin)
            (a, b), size = changed[0], {"drop": -1, "double": 1, "swap": 0, "tone": 0}[kind]
            # A word of four letters or more, its first letter kept, never a code.
            assert len(a) >= 4 and a[0] == b[0] and "/" not in a and len(b) == len(a) + size
            if kind == "tone":
                assert fold_lower(a) == fold_lower(b)
            elif kind == "swap":
                assert sorted(a) == sorted(b)
            seen.add(kind)
    assert seen == {"drop", "double", "swap", "tone"}
    assert typo_twin("21-KL/TW", "x") is None  # no word to mistype


def test_a_telex_twin_spells_every_accented_word_with_its_keys() -> None:
    from bot.corpus.text import telex_word

    query = "Kết nạp đảng viên là người dân tộc thiểu số ở Quy định 08-QĐi/TW"
    twin = telex_twin(query)
    assert (
        twin
        == "Keets napj ddangr vieen laf nguowif daan toocj thieeur soos owr Quy ddinhj 08-QĐi/TW"
    )
    # Read back word by word, it is the query again (the code is left as typed).
    back = " ".join(telex_word(w) or w for w in twin.split())
    assert back.lower() == query.lower()
    assert telex_twin("ket nap dang vien") is None


def test_enough_judged_queries(report: dict[str, Any]) -> None:
    assert report["n"] >= 40
    assert {"accented", "unaccented", "code", "phrase", "typo", "question", "topic"} <= set(
        report["kinds"]
    )


def test_ndcg_and_mrr_floors(report: dict[str, Any]) -> None:
    assert report["ndcg"] >= NDCG_FLOOR, report["kinds"]
    assert report["mrr"] >= MRR_FLOOR, report["kinds"]
    for kind, row in report["kinds"].items():
        assert row["ndcg"] >= KIND_FLOOR, (kind, row)


def test_unaccented_twins_score_like_accented(report: dict[str, Any]) -> None:
    twins = report["twins"]
    assert twins["n"] >= 10
    assert twins["unaccented"] >= twins["accented"] - TWIN_GAP, twins


@pytest.mark.parametrize(
    ("queries", "qrels"),
    [
        ("search_queries.jsonl", "search_qrels.jsonl"),
        ("search_queries_fresh.jsonl", "search_qrels_fresh.jsonl"),
        ("search_queries_third.jsonl", "search_qrels_third.jsonl"),
        ("search_queries_fourth.jsonl", "search_qrels_fourth.jsonl"),
    ],
)
def test_unseen_query_sets_are_well_formed(queries: str, qrels: str) -> None:
    # The sets behind docs/search-quality.md: a judgment on an unknown article or query, a
    # twin without its original, or a query nobody judged would skew the figures silently.
    from bot.search.evaluate import EVAL, read_jsonl_file

    articles = {a["id"] for a in read_jsonl_file(EVAL / "independent.jsonl")}
    rows = read_jsonl_file(EVAL / queries)
    ids = [q["id"] for q in rows]
    assert len(ids) == len(set(ids)) and len(ids) >= 40
    judged: dict[str, int] = {}
    for j in read_jsonl_file(EVAL / qrels):
        assert j["query"] in ids and j["doc"] in articles and j["grade"] in (0, 1, 2), j
        judged[j["query"]] = max(judged.get(j["query"], 0), j["grade"])
    for q in rows:
        assert q["kind"] and q["query"].strip() and q.get("twin", q["id"]) in ids, q
        assert set(q.get("targets") or []) <= articles, q
        assert judged.get(q["id"], 0) > 0, f"{q['id']}: no relevant document judged"
