"""Property tests: arbitrary callback data, command numbers and JSONL lines never raise.

Hypothesis throws what a forged client or a broken export could send at the conversation
(which every Telegram handler calls) and at the JSONL ingest path.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.corpus.documents import NewDocument
from bot.corpus.ingest import ingest_documents
from bot.corpus.readers import iter_jsonl_stream
from bot.errors import InputError
from bot.present.conversation import Context, Conversation
from bot.services import Services

KINDS = ["q", "k", "t", "l", "d", "r", "x", "noop", "", "zz"]
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet="0123456789²³٣-+. e", max_size=40),
)
callback_data = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda kind, parts: ":".join([kind, *parts]),
        st.sampled_from(KINDS),
        st.lists(st.one_of(numbers, st.text(max_size=20)), max_size=3),
    ),
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Services:
    from tests.auxil.settings import make_settings

    where = tmp_path_factory.mktemp("fuzz")
    services = Services(make_settings(where, f"sqlite:///{where / 'f.sqlite3'}"))
    services.use_classifier(None)
    for i in range(8):
        services.documents.add(
            NewDocument(
                title=f"Tài liệu {i}",
                text=f"Chi bộ {i} học tập chống tham nhũng và kết nạp đảng viên.",
                external_id=f"f{i}",
            )
        )
    services.after_documents_changed([])
    yield services
    services.close()


FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=callback_data)
def test_any_callback_data_gets_a_bounded_reply(corpus: Services, data: str) -> None:
    reply = Conversation(corpus).callback(Context(), data)
    assert reply is None or len(reply.html) <= 4096


@FUZZ
@given(ref=numbers, page=st.integers(min_value=-(10**20), max_value=10**20))
def test_any_document_reference_and_page(corpus: Services, ref: str, page: int) -> None:
    conversation = Conversation(corpus)
    assert conversation.document(Context(), ref, page).html
    assert conversation.search(Context(), "tham nhũng", page).html
    assert conversation.topic(Context(), "admission", page).html
    assert conversation.latest(Context(), page).html


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
records = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.text(max_size=30),
        "text": json_values | st.text(min_size=1, max_size=80),
        "title": json_values,
        "date": json_values
        | st.sampled_from(["2023-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31", "31/12/2022"]),
        "url": json_values | st.sampled_from(["https://a.vn/x", "javascript:alert(1)", "ftp://x"]),
        "source": json_values,
        "author": json_values,
    },
)
lines = st.one_of(
    records.map(
        lambda r: json.dumps(r, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")
    ),
    st.binary(max_size=60),
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@FUZZ
@given(batch=st.lists(lines, min_size=1, max_size=12))
def test_any_jsonl_lines_are_stored_or_reported_one_by_one(
    corpus: Services, batch: list[bytes]
) -> None:
    data = b"\n".join(line.replace(b"\n", b" ") for line in batch) + b"\n"
    items = list(iter_jsonl_stream(io.BytesIO(data), source="fuzz.jsonl"))
    for item in items:
        if isinstance(item, InputError):
            assert str(item).startswith("fuzz.jsonl:")
    report = ingest_documents(corpus, items)
    good = [i for i in items if not isinstance(i, InputError)]
    assert len(report.added) + len(report.updated) + len(report.duplicates) + len(
        report.failed
    ) == len(items)
    assert len(report.failed) >= len(items) - len(good)


def test_fuzz_corpus_is_searchable(corpus: Services, tmp_path: Path) -> None:
    assert corpus.search.search("tham nhũng").total >= 8


async def test_random_callback_data_through_the_bot_reaches_no_admin(tmp_path: Path) -> None:
    import random

    from tests.auxil.bots import ADMIN, USER, running_bot

    rng = random.Random(20261203)
    alphabet = "0123456789:-qktldrx²٣ eé/\\\"'<>&"
    async with running_bot(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path) as bot:
        bot.fake.private_message(USER, "kết nạp đảng viên")
        message_id = (await bot.fake.wait_for("sendMessage", chat_id=USER)).result["message_id"]
        for _ in range(40):
            kind = rng.choice(KINDS)
            rest = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
            bot.fake.callback_query(USER, USER, message_id, f"{kind}:{rest}"[:64])
            await bot.fake.wait_for("answerCallbackQuery")
        reports = [c for c in bot.fake.calls_to("sendMessage") if c["chat_id"] == ADMIN]
        assert reports == []
