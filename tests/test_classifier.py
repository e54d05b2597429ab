"""The topic classifier: data validation, model behaviour, registry (tamper, rollback, hot
reload across processes), applying topics to documents, and the CLI's JSON input/output.

Models here are trained on ``tests/classifier_tiny.jsonl`` (70 lines, under a second), never on
the full data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from bot.classifier.data import (
    assign_splits,
    load_examples,
    read_examples,
    split_for,
    summarize,
)
from bot.classifier.features import SyllableTfidf, ngrams, split_paragraphs, stream, tokens
from bot.classifier.metrics import KeywordRule, pair_confusion, scores
from bot.classifier.model import TopicModel
from bot.classifier.registry import ModelRegistry
from bot.cli import main
from bot.config import PROJECT_ROOT
from bot.corpus.documents import NewDocument
from bot.errors import InputError, ModelError
from bot.store.db import model_versions
from tests.auxil.models import KEYWORDS, SLUGS, TINY, tiny_model
from tests.auxil.settings import make_settings


@pytest.fixture(scope="module")
def model_a() -> TopicModel:
    return tiny_model("20240101-000000")


@pytest.fixture(scope="module")
def model_b() -> TopicModel:
    return tiny_model("20240202-000000", seed=7)


@pytest.fixture
def services(tmp_path: Path, sqlite_url: str):  # type: ignore[no-untyped-def]
    from bot.services import Services

    svc = Services(make_settings(tmp_path, sqlite_url, models_dir=tmp_path / "models"))
    yield svc
    svc.close()


# --- data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "text": "a", "topics": []', "invalid JSON"),
        ('["not", "an", "object"]', "expected a JSON object"),
        ('{"id": "x", "topics": []}', "missing or empty 'text'"),
        ('{"id": "x", "text": "a", "topics": ["sport"]}', "unknown topic sport"),
        ('{"id": "x", "text": "a", "topics": "admission"}', "'topics' must be a list"),
        ('{"id": "x", "text": "a", "topics": [], "split": "dev"}', "'split' must be"),
        ('{"id": "t-adm-1", "text": "a", "topics": []}', "duplicate id 't-adm-1'"),
    ],
)
def test_malformed_training_line_names_file_and_line(
    tmp_path: Path, line: str, message: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(TINY, data / "a.jsonl")
    bad = data / "b.jsonl"
    bad.write_text('{"id": "ok-1", "text": "Văn bản.", "topics": []}\n\n' + line + "\n", "utf-8")
    with pytest.raises(InputError) as info:
        load_examples(data, SLUGS)
    assert str(info.value).startswith(f"{bad}:3: ")
    assert message in str(info.value)
    assert (info.value.source, info.value.line) == (str(bad), 3)
    before = bad.read_bytes()
    with pytest.raises(InputError):
        assign_splits(data, SLUGS)  # nothing is rewritten when any line is bad
    assert bad.read_bytes() == before


def test_cli_train_names_every_malformed_line(tmp_path: Path, cli: CliRunner) -> None:
    """Not only the first: a tester fixed a file one re-run per bad line."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "mixed.jsonl").write_text(
        '{"id": "a", "text": "t", "topics": []}\nnot json\n'
        '{"id": "b", "text": "t", "topics": ["nope"]}\n{"id": "c"}\n',
        "utf-8",
    )
    result = cli.invoke(main, ["train", "--data", str(data)])
    assert result.exit_code == 1, result.output
    where = data / "mixed.jsonl"
    assert f"error: {where}: 3 malformed lines:" in result.output
    for line in (2, 3, 4):
        assert f"  {where}:{line}: " in result.output
    assert "Traceback" not in result.output
    # A second file's bad lines and an id repeated across files, in the same run (a
    # tester's recheck needed a run for each).
    (data / "more.jsonl").write_text(
        '{"id": "a", "text": "t", "topics": []}\n{"id": "z", "text": "t", "topics": 5}\n',
        "utf-8",
    )
    both = cli.invoke(main, ["train", "--data", str(data)])
    assert "error: 5 malformed lines:" in both.output, both.output
    assert f"  {data / 'more.jsonl'}:1: duplicate id 'a'" in both.output
    assert f"  {data / 'more.jsonl'}:2: " in both.output


def test_cli_data_check_reports_the_bad_line(tmp_path: Path, cli: CliRunner) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.jsonl").write_text('{"id": "a", "text": "t", "topics": []}\n{oops\n', "utf-8")
    result = cli.invoke(main, ["data", "check", "--data", str(data)])
    assert result.exit_code == 1
    assert f"error: {data / 'x.jsonl'}:2: invalid JSON" in result.output
    assert "Traceback" not in result.output


def test_cli_evaluate_of_an_empty_file_names_the_file(tmp_path: Path, cli: CliRunner) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", "utf-8")
    result = cli.invoke(main, ["evaluate", str(empty)])
    assert result.exit_code == 1
    assert result.output == f"error: {empty}: no training examples found\n"


def test_assign_splits_adds_missing_and_never_changes_existing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    kept = '{"id": "a-1", "split": "test",  "text": "Giữ nguyên.", "topics": []}'
    path = data / "x.jsonl"
    lines = [kept] + [
        json.dumps({"id": f"n-{i}", "text": f"Câu {i}.", "topics": []}, ensure_ascii=False)
        for i in range(200)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    (report,) = assign_splits(data, SLUGS)
    assert (report.lines, report.added) == (201, 200)
    out = path.read_text("utf-8").splitlines()
    assert out[0] == kept  # byte for byte, odd spacing included
    splits = [json.loads(line)["split"] for line in out[1:]]
    assert splits == [split_for(f"n-{i}") for i in range(200)]
    assert 0.1 < splits.count("test") / 200 < 0.3
    assert assign_splits(data, SLUGS)[0].added == 0  # idempotent
    examples = read_examples(path, SLUGS, require_split=True)
    summary = summarize(examples, SLUGS)
    assert summary.negatives["all"] == 201
    assert summary.shortfalls()[0].startswith("inspection: 0 positives")


# --- features and metrics ------------------------------------------------------------------


def test_features_fold_accents_like_the_text_module() -> None:
    from bot.corpus.text import fold_lower, normalize

    text = "Kết nạp ĐẢNG VIÊN, Ủy ban “Dân vận khéo” năm 2023; 21-KL/TƯ hoà khoẻ ưu tú"
    assert tokens(text) == fold_lower(normalize(text)).replace("tu", "tu").split() or tokens(
        text
    ) == [
        "ket", "nap", "dang", "vien", "uy", "ban", "dan", "van", "kheo", "nam", "2023",
        "21", "kl", "tu", "hoa", "khoe", "uu", "tu",
    ]  # fmt: skip
    decomposed = "Ke\u0302\u0301t na\u0323p"  # NFD input from a legacy editor
    assert tokens(decomposed) == tokens("Kết nạp") == tokens("ket nap")
    assert tokens("hòa") == tokens("hoà")
    assert stream("tham nhũng, đấu thầu") == [b"tham", b"nhung", b"|", b"dau", b"thau"]
    vec = SyllableTfidf(n_max=2, min_df=1).fit(["tham nhung dau thau", "kết nạp đảng viên"])
    x = vec.transform(["Tham nhũng, đấu thầu", "bóng đá"])
    assert x.shape[0] == 2 and x[1].nnz == 0
    assert np.isclose(np.linalg.norm(x[0].toarray()), 1.0)
    names = vec.feature_names()
    # No "nhung dau": the comma is a boundary.
    assert {names[j] for j in x[0].indices} == {"tham", "nhung", "dau", "thau", "tham nhung",
                                                  "dau thau"}  # fmt: skip
    assert split_paragraphs("Tiêu đề\n05/07/2022\n" + "Đoạn dài. " * 20 + "\n" + "Hai. " * 40) == [
        "Tiêu đề\n05/07/2022\n" + ("Đoạn dài. " * 20).strip(),
        ("Hai. " * 40).strip(),
    ]


def test_vectorizer_matches_sklearn() -> None:
    """The hand-written tf-idf gives sklearn's numbers (same analyzer, smooth idf, sublinear)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [json.loads(line)["text"] for line in TINY.read_text("utf-8").splitlines()]
    ours = SyllableTfidf(n_max=3, min_df=2).fit(texts)

    def analyzer(text: str) -> list[str]:
        return [g.decode() for g in ngrams(stream(text), 3)]

    ref = TfidfVectorizer(analyzer=analyzer, min_df=2, sublinear_tf=True).fit(texts)
    assert sorted(ours.feature_names()) == sorted(ref.get_feature_names_out())
    order = [ours.feature_names().index(n) for n in ref.get_feature_names_out()]
    probe = [*texts[:5], "Ủy ban Kiểm tra kết nạp đảng viên mới. Chi bộ!"]
    ours_x = ours.transform(probe).toarray()[:, order]
    assert np.allclose(ours_x, ref.transform(probe).toarray())


def test_scores_baselines_and_confusion() -> None:
    gold = [["admission"], ["admission", "cadres"], [], []]
    pred = [["admission"], ["cadres"], ["cadres"], []]
    result = scores(gold, pred, ["admission", "cadres"])
    assert result["per_topic"]["admission"] == {
        "precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2, "predicted": 1,
    }  # fmt: skip
    assert result["per_topic"]["cadres"]["precision"] == 0.5
    assert result["negatives_with_topic"] == 0.5
    confusion = pair_confusion(gold, pred, ["admission", "cadres"])
    assert confusion["labels"] == ["admission", "cadres", "none"]
    # admission found once, missed once; once given cadres (but cadres was gold there too).
    assert confusion["matrix"] == [[1, 0, 1], [0, 1, 0], [0, 1, 1]]
    rule = KeywordRule(KEYWORDS)
    assert rule.predict(["Le ket nap dang vien moi", "Giá lúa tăng"]) == [["admission"], []]


# --- the model -----------------------------------------------------------------------------


def test_model_api_thresholds_and_none(model_a: TopicModel) -> None:
    texts = [
        "Chi bộ tổ chức lễ kết nạp đảng viên mới cho ba quần chúng ưu tú.",
        "Giá xăng giảm nhẹ, giá lúa tăng vì được mùa.",
    ]
    probs = model_a.predict_proba(texts)
    assert set(probs[0]) == set(SLUGS) and all(0 <= p <= 1 for p in probs[0].values())
    predicted = model_a.predict(texts)
    assert predicted[0][0] == "admission"
    assert predicted[1] == []  # none of the topics
    # predict is exactly "probability over the topic's threshold".
    for row, labels in zip(probs, predicted, strict=True):
        over = {s for s in SLUGS if row[s] >= model_a.thresholds[SLUGS.index(s)] - 5e-5}
        assert set(labels) == over
    saved, gate = model_a.thresholds.copy(), model_a.gate_threshold
    try:
        model_a.thresholds[:] = 1.01
        assert model_a.predict(texts) == [[], []]
        model_a.thresholds[:] = 0.0
        # The gate still says the second text is not about Party work at all.
        assert [len(x) for x in model_a.predict(texts)] == [8, 0]
        model_a.gate_threshold = 0.0
        assert [len(x) for x in model_a.predict(texts)] == [8, 8]
    finally:
        model_a.thresholds[:] = saved
        model_a.gate_threshold = gate
    assert model_a.predict([]) == [] and model_a.predict_proba([""])[0]["admission"] < 0.5
    card = model_a.card
    assert card["labels"] == SLUGS and card["version"] == model_a.version
    assert set(card["cv"]["per_topic"]) == set(SLUGS) and "macro_f1" in card["test"]
    assert {"keyword_rule", "all_positive"} <= set(card["test"]["baselines"])
    assert set(card["thresholds"]) == set(SLUGS)


def test_explain_returns_the_terms_as_written(model_a: TopicModel) -> None:
    text = "Chi bộ tổ chức lễ kết nạp đảng viên mới cho ba quần chúng ưu tú."
    explanation = model_a.explain(text, k=4)
    assert list(explanation) == model_a.predict([text])[0]
    terms = explanation["admission"]
    assert 1 <= len(terms) <= 4
    assert all(w > 0 for _, w in terms) and [w for _, w in terms] == sorted(
        (w for _, w in terms), reverse=True
    )
    # Accented, as in the text; the keyword lexicon shows the keywords it found.
    shown = [p for t, _ in terms for p in t.removeprefix("từ khóa: ").split(", ")]
    assert shown and all(p in text for p in shown)
    # No term twice, none shown again inside a longer phrase, no clause-boundary marks.
    words = [set(t.lower().split()) for t, _ in terms]
    assert len({t.lower() for t, _ in terms}) == len(terms)
    assert not any(a < b for a in words for b in words)
    assert all("|" not in t for t, _ in terms)
    assert model_a.explain("Giá lúa vụ đông xuân tăng, nông dân phấn khởi.") == {}


def test_paragraph_mode_takes_the_strongest_paragraph(model_a: TopicModel) -> None:
    filler = "Thời tiết hôm nay nắng ráo, nhiệt độ cao nhất 33 độ, gió nhẹ. " * 6
    doc = f"{filler}\n{filler}\nChi bộ tổ chức lễ kết nạp đảng viên mới cho ba quần chúng ưu tú."
    mode = model_a.doc_mode
    try:
        model_a.doc_mode = "whole"
        whole = model_a.predict_proba([doc])[0]["admission"]
        model_a.doc_mode = "para_max"
        para = model_a.predict_proba([doc])[0]["admission"]
    finally:
        model_a.doc_mode = mode
    assert para > whole


@pytest.mark.parametrize("mode", ["para_max", "blend"])
def test_paragraph_modes_score_a_mixed_batch_like_one_text_at_a_time(
    model_a: TopicModel, mode: str
) -> None:
    filler = "Giá lúa vụ đông xuân tăng, nông dân phấn khởi vì được mùa. " * 4
    texts = [
        "Chi bộ tổ chức lễ kết nạp đảng viên mới.",  # one paragraph
        f"Tin tổng hợp\n{filler}\nỦy ban Kiểm tra thi hành kỷ luật cảnh cáo hai đảng viên.",
        "",
        f"{filler}\n\n{filler}\n\nHội Nông dân vận động hội viên hiến đất làm đường.",
        "Thời tiết nắng ráo.",
    ]
    saved = model_a.doc_mode
    try:
        model_a.doc_mode = mode
        batch = model_a.proba_matrix(texts)
        alone = np.vstack([model_a.proba_matrix([t]) for t in texts])
        # The one-pass path (whole = sum of paragraph counts) against the two-pass one.
        extractor = type(model_a.extractor)
        fast = extractor.transform_with_parts
        del extractor.transform_with_parts
        try:
            two_pass = model_a.proba_matrix(texts)
        finally:
            extractor.transform_with_parts = fast
    finally:
        model_a.doc_mode = saved
    np.testing.assert_allclose(batch, alone, atol=1e-9)
    np.testing.assert_allclose(batch, two_pass, atol=0.05)
    assert batch.shape == (len(texts), len(model_a.labels))


# --- registry ------------------------------------------------------------------------------


def test_tampered_model_is_refused(
    services, model_a: TopicModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    registry = services.models
    registry.add(model_a, activate=True)
    model_path, card_path = registry.export(model_a.version, tmp_path / "export")
    assert (
        json.loads(card_path.read_text("utf-8"))["sha256"] == registry.info(model_a.version).sha256
    )

    from bot.classifier import persist

    def no_loading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a tampered blob was parsed")

    # A flipped byte in the database blob.
    with services.db.begin() as conn:
        blob = bytearray(conn.execute(sa.select(model_versions.c.blob)).scalar_one())
        blob[len(blob) // 2] ^= 0xFF
        conn.execute(model_versions.update().values(blob=bytes(blob)))
    monkeypatch.setattr(persist, "loads", no_loading)
    with pytest.raises(ModelError, match="sha256 mismatch"):
        registry.load(model_a.version)
    with pytest.raises(ModelError, match="sha256 mismatch"):
        registry.activate(model_a.version)
    with pytest.raises(ModelError, match="stored blob does not match"):
        registry.export(model_a.version, tmp_path / "again")

    # A modified exported file: refused by import too.
    data = bytearray(model_path.read_bytes())
    data[-10] ^= 0xFF
    model_path.write_bytes(bytes(data))
    other_services = _fresh_services(tmp_path / "other")
    other = other_services.models
    with pytest.raises(ModelError, match="sha256 mismatch"):
        other.import_file(model_path)
    assert other.list() == []
    other_services.close()


def _fresh_services(where: Path, **overrides: object):  # type: ignore[no-untyped-def]
    from bot.services import Services

    where.mkdir(parents=True, exist_ok=True)
    values: dict[str, object] = {"models_dir": where / "models", **overrides}
    return Services(make_settings(where, f"sqlite:///{where / 'db.sqlite3'}", **values))


def test_rollback_reactivates_an_older_version(
    services, model_a: TopicModel, model_b: TopicModel
) -> None:  # type: ignore[no-untyped-def]
    registry = services.models
    registry.add(model_a, activate=True)
    handle = registry.active()
    assert handle is not None and handle.version == model_a.version
    registry.add(model_b, activate=True)
    assert handle.version == model_b.version  # the handle follows activations in-process
    info = registry.activate(model_a.version)  # rollback
    assert info.active and registry.active_version() == model_a.version
    assert handle.version == model_a.version
    assert [i.version for i in registry.list()] == [model_b.version, model_a.version]
    assert [i.active for i in registry.list()] == [False, True]
    with pytest.raises(ModelError, match="already exists"):
        registry.add(model_a)


def test_fresh_install_imports_the_default_model(tmp_path: Path, model_a: TopicModel) -> None:
    # A "shipped" models/ folder with a pointer file, as the repository has.
    source = _fresh_services(tmp_path / "source")
    shipped = tmp_path / "shipped"
    source.models.add(model_a)
    source.models.export(model_a.version, shipped)
    (shipped / "DEFAULT").write_text(model_a.version + "\n")
    source.close()
    fresh = _fresh_services(tmp_path / "fresh", models_dir=shipped)
    model = fresh.classifier
    assert model is not None and model.version == model_a.version
    assert fresh.models.active_version() == model_a.version
    assert model.predict(["Lễ kết nạp đảng viên mới tại chi bộ thôn."])[0][:1] == ["admission"]
    fresh.close()
    empty = _fresh_services(tmp_path / "empty", models_dir=tmp_path / "nothing")
    assert empty.classifier is None  # no model anywhere: the bot says "not ready"
    empty.close()


def test_two_processes_importing_the_default_at_once_both_succeed(
    tmp_path: Path, model_a: TopicModel
) -> None:
    # The other process commits the same file just after this one looked at the stored
    # versions (two bots starting on a fresh database): the import is done, not an error.
    source = _fresh_services(tmp_path / "source")
    source.models.add(model_a)
    path, _ = source.models.export(model_a.version, tmp_path / "shipped")
    source.close()
    services = _fresh_services(tmp_path / "db")
    try:
        registry = services.models
        other = ModelRegistry(registry.store.db, models_dir=tmp_path / "shipped")
        other.import_file(path)  # the other process, already committed
        real_list, looks = registry.list, []

        def first_look_empty() -> list[Any]:  # what this one saw, once
            looks.append(1)
            return [] if len(looks) == 1 else real_list()

        registry.list = first_look_empty  # type: ignore[method-assign]
        assert registry.import_file(path).version == model_a.version
        assert len(looks) >= 1 and [i.version for i in real_list()] == [model_a.version]
        # Adding a version that exists stays an error, and so does other content.
        with pytest.raises(ModelError, match="already exists"):
            registry.add(model_a)
    finally:
        services.close()


@pytest.mark.skipif(
    not (PROJECT_ROOT / "models" / "DEFAULT").exists(), reason="no shipped default model yet"
)
def test_shipped_default_model_loads(tmp_path: Path) -> None:
    fresh = _fresh_services(tmp_path / "fresh", models_dir=PROJECT_ROOT / "models")
    pointer = (PROJECT_ROOT / "models" / "DEFAULT").read_text().strip()
    assert fresh.classifier is not None and fresh.classifier.version == pointer
    size = (PROJECT_ROOT / "models" / f"{pointer}.npz").stat().st_size
    assert size < 5_000_000
    fresh.close()


def _cli_env(tmp_path: Path, db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{db_path}",
        DATA_DIR=str(tmp_path / "data"),
        MODELS_DIR=str(tmp_path / "models"),
        TELEGRAM_BOT_TOKEN="",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    return env


@pytest.mark.slow
def test_hot_reload_from_another_process(
    tmp_path: Path, db_url: str, model_a: TopicModel, model_b: TopicModel
) -> None:
    """The bot process (here) switches to a version another process (the CLI) activated,
    on SQLite and on PostgreSQL (where the CLI may run on another machine)."""
    from bot.services import Services

    bot = Services(make_settings(tmp_path, db_url, models_dir=tmp_path / "models"))
    registry = bot.models
    registry.check_every = 0.0
    registry.add(model_a, activate=True)
    registry.add(model_b)
    bot.documents.add(
        NewDocument(title="Kết nạp", text="Lễ kết nạp đảng viên mới.", external_id="d1")
    )
    from bot.classifier.apply import classify_documents

    classify_documents(bot.documents, bot.classifier, [1])
    handle = registry.active()
    assert handle is not None and handle.version == model_a.version

    result = subprocess.run(
        [sys.executable, "-m", "bot", "models", "activate", model_b.version],
        env={**_cli_env(tmp_path, tmp_path / "unused.sqlite3"), "DATABASE_URL": db_url},
        cwd=tmp_path,  # no .env from the developer's checkout
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"activated {model_b.version}" in result.stdout
    assert "re-classified 1 document\n" in result.stdout
    # No restart: the next use checks the database and switches.
    assert handle.version == model_b.version
    assert handle.predict(["Lễ kết nạp đảng viên mới tại chi bộ."])[0][:1] == ["admission"]
    doc = bot.documents.get("d1")
    assert doc.topics and set(doc.topics) <= set(SLUGS)
    with bot.db.begin() as conn:
        versions = set(conn.execute(sa.text("SELECT model_version FROM document_topics")).scalars())
    assert versions == {model_b.version}
    bot.close()


def test_hot_reload_waits_for_the_check_interval(services, model_a, model_b) -> None:  # type: ignore[no-untyped-def]
    slow = ModelRegistry(services.db, services.settings.models_dir, check_every=3600)
    slow.add(model_a, activate=True)
    handle = slow.active()
    assert handle is not None
    # Another process activates b: simulated by writing the database directly.
    slow.add(model_b)
    with services.db.begin() as conn:
        conn.execute(
            model_versions.update().values(active=model_versions.c.version == model_b.version)
        )
    assert handle.version == model_a.version  # not checked yet: no query per prediction
    assert slow.reload_if_changed(force=True) is True
    assert handle.version == model_b.version


# --- applying topics -----------------------------------------------------------------------


def test_classify_documents_and_pending_after_activation(services, model_a, model_b) -> None:  # type: ignore[no-untyped-def]
    from bot.classifier.apply import classify_documents, classify_pending

    registry = services.models
    registry.add(model_a, activate=True)
    ids = []
    for i, text in enumerate(
        [
            "Chi bộ tổ chức lễ kết nạp đảng viên mới cho quần chúng ưu tú.",
            "Giá lúa vụ đông xuân tăng, nông dân phấn khởi.",
            "Ủy ban Kiểm tra thi hành kỷ luật cảnh cáo hai đảng viên vi phạm.",
        ]
    ):
        ids.append(services.documents.add(NewDocument(title=f"Tin {i}", text=text)).document_id)
    assert classify_documents(services.documents, services.classifier, ids) == 3
    docs = services.documents.get_many(ids)
    # Each document keeps its own topics (a 70-line model is too small to promise "none").
    assert "admission" in docs[ids[0]].topics and "inspection" in docs[ids[2]].topics
    assert "admission" not in docs[ids[1]].topics and "admission" not in docs[ids[2]].topics
    assert services.documents.count_pending_classification(model_a.version) == 0
    registry.add(model_b, activate=True)  # every document is now pending for b
    seen: list[tuple[int, int]] = []
    model = registry.current()
    assert (
        classify_pending(
            services.db, services.documents, model, progress=lambda d, t: seen.append((d, t))
        )
        == 3
    )
    assert seen[-1] == (3, 3)
    with services.db.begin() as conn:
        versions = set(conn.execute(sa.text("SELECT model_version FROM document_topics")).scalars())
    assert versions == {model_b.version}
    assert classify_pending(services.db, services.documents, model) == 0  # nothing left


# --- CLI -----------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    for key, value in _cli_env(tmp_path, tmp_path / "cli.sqlite3").items():
        monkeypatch.setenv(key, value)
    from bot.config import get_settings

    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def cli_model(tmp_path: Path, cli: CliRunner, model_a: TopicModel) -> CliRunner:
    """The CLI on a database whose active model is ``model_a``."""
    from bot.config import get_settings
    from bot.services import Services

    svc = Services(get_settings())
    try:
        svc.models.add(model_a)
        svc.models.activate(model_a.version)
    finally:
        svc.close()
    return cli


def test_cli_classify_reports_bad_lines_and_classifies_the_rest(
    tmp_path: Path, cli_model: CliRunner
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "a", "text": "Lễ kết nạp đảng viên mới"}\n{bad\n{"id": "b"}\n'
        '{"id": "c", "text": "Chi bộ kết nạp quần chúng ưu tú"}\n',
        "utf-8",
    )
    target = tmp_path / "out.jsonl"
    target.write_text("PRECIOUS\n", "utf-8")
    result = cli_model.invoke(main, ["classify", "--input", str(source), "--output", str(target)])
    assert result.exit_code == 1
    assert f"error: {source}:2: invalid JSON" in result.output
    assert f"error: {source}:3: expected" in result.output
    assert "2 lines classified, 2 failed" in result.output
    lines = [json.loads(x) for x in target.read_text("utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["a", "c"]
    assert lines[0]["short"] and "readable" not in lines[0]  # six words: a hint
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []

    # A null id is the line's number, not "None" (a tester's).
    source.write_text('{"id": null, "text": "Chi bộ kết nạp đảng viên mới cho quần chúng"}\n')
    nulled = cli_model.invoke(main, ["classify", "--input", str(source)])
    assert json.loads(nulled.stdout)["id"] == "1", nulled.stdout
    # A word or two is judged as TEXT is: no topics, not four at 81-100% (a tester's).
    source.write_text('{"id": "w", "text": "đảng viên"}\n', "utf-8")
    words = cli_model.invoke(main, ["classify", "--input", str(source)])
    assert json.loads(words.stdout) == {"id": "w", "topics": [], "scores": {}, "readable": False}

    # A run where every line fails leaves the earlier output as it was.
    source.write_text("{bad\n", "utf-8")
    target.write_text("PRECIOUS\n", "utf-8")
    again = cli_model.invoke(main, ["classify", "--input", str(source), "--output", str(target)])
    assert again.exit_code == 1 and "0 lines classified, 1 failed" in again.output
    assert target.read_text("utf-8") == "PRECIOUS\n"

    # The input as the output: refused, the input kept (a tester lost it).
    same = cli_model.invoke(main, ["classify", "--input", str(target), "--output", str(target)])
    assert same.exit_code == 2 and "--output is the --input file" in same.output
    assert target.read_text("utf-8") == "PRECIOUS\n"


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("output-missing-folder", "no such folder"),
        ("output-folder", "is a folder, expected a file name"),
        ("input-folder", "is a folder, expected a .jsonl file"),
        ("input-missing", "no such file"),
    ],
)
def test_cli_classify_bad_paths_are_one_error_line(
    tmp_path: Path, cli_model: CliRunner, where: str, message: str
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "Lễ kết nạp đảng viên mới"}\n', "utf-8")
    target = tmp_path / "out.jsonl"
    if where == "output-missing-folder":
        target = tmp_path / "nope" / "x.jsonl"
    elif where == "output-folder":
        target = tmp_path
    elif where == "input-folder":
        source = tmp_path
    else:
        source = tmp_path / "nope.jsonl"
    result = cli_model.invoke(main, ["classify", "--input", str(source), "--output", str(target)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, no traceback
    (line,) = result.output.splitlines()
    assert line.startswith("error: ") and message in line
    assert not (tmp_path / "nope").exists()


def test_cli_models_list_json_created_at_has_its_offset(cli_model: CliRunner) -> None:
    from datetime import datetime

    result = cli_model.invoke(main, ["models", "list", "--json"])
    assert result.exit_code == 0, result.output
    created = datetime.fromisoformat(json.loads(result.output)["created_at"])
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 7 * 3600


def test_cli_models_export_to_a_file_or_unknown_version_is_one_error_line(
    tmp_path: Path, cli_model: CliRunner, model_a: TopicModel
) -> None:
    afile = tmp_path / "garbage.bin"
    afile.write_bytes(b"x")
    result = cli_model.invoke(main, ["models", "export", "--dir", str(afile)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output == f"error: {afile}: not a folder (--dir names the folder to write into)\n"
    unknown = cli_model.invoke(main, ["models", "export", "nope", "--dir", str(tmp_path / "new")])
    assert unknown.exit_code == 1 and "no model version 'nope'" in unknown.output
    assert not (tmp_path / "new").exists()  # a mistyped version creates no folder
    ok = cli_model.invoke(main, ["models", "export", "--dir", str(tmp_path / "new" / "sub")])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "new" / "sub" / f"{model_a.version}.npz").is_file()
    # --set-default says so, and warns of topics the model never tags (it changed what a
    # fresh install imports silently, to a model of two topics; a tester's).
    default = cli_model.invoke(
        main, ["models", "export", "--dir", str(tmp_path / "d"), "--set-default"]
    )
    assert default.exit_code == 0, default.output
    assert f"DEFAULT now names {model_a.version}" in default.stdout
    assert (tmp_path / "d" / "DEFAULT").read_text("utf-8").strip() == model_a.version
    assert "warning" not in default.stderr  # it tags every topic


def test_cli_models_import_names_the_missing_file(
    tmp_path: Path, cli_model: CliRunner, model_a: TopicModel
) -> None:
    missing = cli_model.invoke(main, ["models", "import", str(tmp_path / "nope.npz")])
    assert missing.exit_code == 1
    assert missing.output == f"error: {tmp_path / 'nope.npz'}: no such file\n"
    exported = tmp_path / "export"
    assert cli_model.invoke(main, ["models", "export", "--dir", str(exported)]).exit_code == 0
    (exported / f"{model_a.version}.card.json").unlink()
    no_card = cli_model.invoke(main, ["models", "import", str(exported / f"{model_a.version}.npz")])
    assert no_card.output == f"error: {exported / model_a.version}.card.json: no such file\n"
    # A version already stored is said so, not "imported" again; a renamed file says which
    # version it holds (a tester's).
    assert cli_model.invoke(main, ["models", "export", "--dir", str(exported)]).exit_code == 0
    again = cli_model.invoke(main, ["models", "import", str(exported / f"{model_a.version}.npz")])
    assert again.exit_code == 0 and again.output.startswith("already stored "), again.output
    for suffix in (".npz", ".card.json"):
        (exported / f"{model_a.version}{suffix}").rename(exported / f"20991231-000000{suffix}")
    renamed = cli_model.invoke(main, ["models", "import", str(exported / "20991231-000000.npz")])
    assert f"(the file 20991231-000000.npz holds version {model_a.version})" in renamed.output


@pytest.mark.slow
def test_cli_train_classify_evaluate_models(tmp_path: Path, cli: CliRunner) -> None:
    data = tmp_path / "training"
    data.mkdir()
    shutil.copy(TINY, data / "tiny.jsonl")
    trained = cli.invoke(
        main, ["train", "--data", str(data), "--lexicon", "--no-reclassify", "--json"]
    )
    assert trained.exit_code == 0, trained.output
    # With --json, stdout is the card alone (a status line after it made it no JSON, a
    # tester's); what happened is on stderr.
    card = json.loads(trained.stdout)
    version = card["version"]
    for suffix in (".npz", ".card.json", ".png"):
        assert (tmp_path / "models" / f"{version}{suffix}").is_file()
    assert f"activated {version}" in trained.stderr

    # JSONL in, JSONL out.
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(
            {"id": "a", "title": "Lễ kết nạp", "text": "Chi bộ kết nạp đảng viên mới."},
            ensure_ascii=False,
        )
        + "\n"
        + json.dumps(
            {"id": "b", "text": "Đội bóng đá của tỉnh thắng 2-1 trên sân nhà."}, ensure_ascii=False
        )
        + "\n",
        "utf-8",
    )
    out = cli.invoke(main, ["classify", "--input", str(source), "--output", "-"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["topics"][:1] == ["admission"] and rows[1]["topics"] == []
    assert set(rows[0]["scores"]) == set(SLUGS)
    assert all(0 <= p <= 1 for p in rows[0]["scores"].values())
    target = tmp_path / "out.jsonl"
    assert (
        cli.invoke(main, ["classify", "--input", str(source), "--output", str(target)]).exit_code
        == 0
    )
    assert [json.loads(x)["id"] for x in target.read_text("utf-8").splitlines()] == ["a", "b"]

    one = cli.invoke(main, ["classify", "--json", "Lễ kết nạp đảng viên mới ở chi bộ thôn"])
    payload = json.loads(one.output)
    assert payload["topics"][:1] == ["admission"] and payload["explain"]["admission"]
    text = cli.invoke(main, ["classify", "Giá xăng giảm nhẹ, giá lúa tăng vì được mùa"])
    assert text.exit_code == 0 and text.output.startswith("none")
    # A word or two is too little, as the chat's /classify says ("Đảng": three topics at
    # 94-100%, a tester's).
    little = cli.invoke(main, ["classify", "Đảng"])
    assert little.exit_code == 1 and little.output.startswith("error: too little Vietnamese")

    source.write_text('{"id": "a", "text": "ok"}\n{"id": 1}\n', "utf-8")
    bad = cli.invoke(main, ["classify", "--input", str(source)])
    assert bad.exit_code == 1 and f"error: {source}:2:" in bad.output

    scores_out = cli.invoke(main, ["evaluate", str(TINY), "--json"])
    assert scores_out.exit_code == 0, scores_out.output
    result = json.loads(scores_out.output)
    assert {"per_topic", "macro_f1", "baselines", "confusion", "negatives_with_topic"} <= set(
        result
    )
    assert set(result["baselines"]) == {"keyword_rule", "all_positive"}
    table = cli.invoke(main, ["evaluate", str(TINY)])
    assert "macro-F1" in table.output and "kw F1" in table.output
    assert "warning" not in table.output  # 70 examples of every topic
    # One example's macro-F1 says little, and the output says so (a tester's read 1.000).
    one = tmp_path / "one.jsonl"
    one.write_text(TINY.read_text("utf-8").splitlines()[0] + "\n", "utf-8")
    few = cli.invoke(main, ["evaluate", str(one)])
    assert few.exit_code == 0 and "warning: 1 example; no example of " in few.output

    listing = cli.invoke(main, ["models", "list", "--json"])
    assert [json.loads(x)["version"] for x in listing.output.splitlines()] == [version]

    # A worse model is stored but not activated without --force.
    worse = tmp_path / "worse"
    worse.mkdir()
    lines = [json.loads(x) for x in TINY.read_text("utf-8").splitlines()]
    train_lines = [x for x in lines if split_for(x["id"]) == "train"]
    labels = [x["topics"] for x in train_lines]  # held-out lines keep their true labels
    for x, t in zip(train_lines, labels[7:] + labels[:7], strict=True):
        x["topics"] = t
    (worse / "w.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    refused = cli.invoke(main, ["train", "--data", str(worse), "--no-reclassify"])
    assert refused.exit_code == 1 and "not activated" in refused.output
    active = [
        json.loads(x) for x in cli.invoke(main, ["models", "list", "--json"]).output.splitlines()
    ]
    assert [x["version"] for x in active if x["active"]] == [version]
    assert len(active) == 2

    # Data without some of the active model's topics: a model that never tags them is not
    # activated, however it scores on the topics its held-out split has (a tester's).
    narrow = tmp_path / "narrow"
    narrow.mkdir()
    lines = [json.loads(x) for x in TINY.read_text("utf-8").splitlines()]
    for x in lines:
        x["topics"] = [t for t in x["topics"] if t in ("admission", "anti_corruption")]
    (narrow / "n.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    refused = cli.invoke(main, ["train", "--data", str(narrow), "--no-reclassify"])
    assert refused.exit_code == 1, refused.output
    assert "not activated: the data has no example of 6 topics the active" in refused.output
    assert "inspection, cadres" in refused.output
    active = [
        json.loads(x) for x in cli.invoke(main, ["models", "list", "--json"]).output.splitlines()
    ]
    assert [x["version"] for x in active if x["active"]] == [version]
    # The list says how many topics each version knows: the narrow one's high macro-F1
    # invited activating it (a tester's recheck).
    assert [x["topics_known"] for x in active][:2] == [[2, 8], [8, 8]]
    assert " 2/8 " in cli.invoke(main, ["models", "list"]).output


def test_dense_bigram_lookup_counts_like_the_sorted_table(
    model_a: TopicModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    from bot.classifier.features import SyllableTfidf

    extractor = model_a.extractor
    texts = [ex.text for ex in load_examples([TINY], SLUGS)] + ["", "Đảng", "kết nạp đảng viên"]
    fast = extractor.counts(texts)
    assert "_dense" in extractor.__dict__  # built on first use…
    assert "_dense" not in pickle.loads(pickle.dumps(extractor)).__dict__  # …and never pickled
    monkeypatch.setattr(SyllableTfidf, "_dense_bigrams", lambda self: None)
    slow = extractor.counts(texts)
    assert (fast != slow).nnz == 0 and fast.nnz > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--features", "bogus"], "'bogus' is not one of 'syl1', 'syl2', 'syl3', 'char'"),
        (["--C", "-1"], "'-1' is not a finite number above 0"),
        (["--C", "0"], "'0' is not a finite number above 0"),
        (["--C", "nan"], "'nan' is not a finite number above 0"),
        (["--C", "inf"], "'inf' is not a finite number above 0"),
        (["--C", "abc"], "'abc' is not a number"),
    ],
)
def test_cli_train_refuses_bad_options_before_any_work(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    import bot.classifier.model as model_module

    def no_training(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("training started")

    monkeypatch.setattr(model_module, "train", no_training)
    result = cli.invoke(main, ["train", "--no-activate", *args])
    assert result.exit_code == 2, result.output  # click's usage error, not a traceback
    assert message in result.stderr and "Traceback" not in result.output


def test_cli_feature_choices_are_the_kinds_the_extractor_builds() -> None:
    from bot.classifier.features import build_extractor
    from bot.classifier.model import FEATURE_KINDS
    from bot.cli.classifier import FEATURE_KINDS as CLI_FEATURE_KINDS

    assert CLI_FEATURE_KINDS == FEATURE_KINDS
    for kind in FEATURE_KINDS:
        build_extractor(kind)


def test_scores_without_any_gold_topic_are_undefined_not_zero() -> None:
    perfect = scores([[], []], [[], []], ["admission", "cadres"])
    assert perfect["macro_f1"] is None and perfect["micro_f1"] is None
    # Topics given to negatives are plain mistakes: micro-F1 0, macro-F1 still undefined.
    wrong = scores([[], []], [["admission"], []], ["admission", "cadres"])
    assert wrong["macro_f1"] is None and wrong["micro_f1"] == 0.0


def test_cli_evaluate_on_negatives_only_prints_a_dash_for_macro_f1(
    tmp_path: Path, cli_model: CliRunner
) -> None:
    lines = [
        {"id": "n1", "text": "Giá xăng giảm nhẹ, giá lúa tăng vì được mùa.", "topics": []},
        {"id": "n2", "text": "Đội bóng thắng trận chung kết tối qua.", "topics": []},
    ]
    path = tmp_path / "negatives.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    text = cli_model.invoke(main, ["evaluate", str(path)])
    assert text.exit_code == 0, text.output
    (macro,) = [line for line in text.stdout.splitlines() if line.startswith("macro-F1")]
    assert macro.split() == ["macro-F1", "—", "│", "—", "—", "│", "2"]
    as_json = json.loads(cli_model.invoke(main, ["evaluate", str(path), "--json"]).stdout)
    assert as_json["macro_f1"] is None
    assert as_json["baselines"]["keyword_rule"]["macro_f1"] is None
    if as_json["negatives_with_topic"] == 0:
        assert as_json["micro_f1"] is None


def test_explanations_leave_out_a_pair_that_straddles_two_shown_words() -> None:
    from bot.classifier.model import _straddles

    # "ban Kiểm" is the end of "Ủy ban" and the start of "Kiểm tra": no term a reader gives.
    assert _straddles("ban Kiểm", ["Kiểm tra", "Ủy ban"])
    assert not _straddles("ban Kiểm", ["Kiểm tra"])
    assert not _straddles("vi phạm", ["Kiểm tra", "Ủy ban"])
    assert not _straddles("Kiểm", ["Kiểm tra", "Ủy ban"])


def test_a_word_or_two_is_too_little_to_classify() -> None:
    # "đảng viên" alone got four topics at 81-99% (a tester's); the chat and the CLI judge
    # from bot.classifier.verdict, so they agree.
    from bot.classifier.verdict import judge

    class Stub:
        def classify(self, texts: list[str]) -> list[tuple[list[str], dict[str, float]]]:
            return [(["admission"], {"admission": 0.9, "grassroots": 0.2}) for _ in texts]

        def explain(self, text: str, k: int = 5) -> dict[str, list[tuple[str, float]]]:
            return {"admission": [("kết nạp", 1.0), ("nạp đảng", 0.5), ("đảng viên", 0.4)]}

    for text in ("Đảng", "đảng viên", "🔥", "12345 !!!", "asdkjh qwe zzzz đảng"):
        assert not judge(Stub(), text).readable, text
    # Vietnamese but too little is said so ("Đảng" was told it could not be read).
    assert judge(Stub(), "Đảng").too_short and judge(Stub(), "đảng viên").too_short
    assert not judge(Stub(), "🔥").too_short and not judge(Stub(), "asdkjh qwe zzzz").too_short
    verdict = judge(Stub(), "Chi bộ kết nạp đảng viên mới", lambda term: term != "nạp đảng")
    assert verdict.readable and verdict.short and verdict.topics == ["admission"]
    assert verdict.terms == {"admission": ["kết nạp", "đảng viên"]}
    long = "Chi bộ thôn tổ chức lễ kết nạp đảng viên mới cho hai quần chúng ưu tú."
    assert not judge(Stub(), long).short

    # A family name is no reason for a topic ("Nguyễn" led a bribery case's evidence, a
    # tester's).
    class Named(Stub):
        def explain(self, text: str, k: int = 5) -> dict[str, list[tuple[str, float]]]:
            return {"admission": [("Nguyễn", 1.0), ("kết nạp", 0.5)]}

    assert judge(Named(), long).terms == {"admission": ["kết nạp"]}
