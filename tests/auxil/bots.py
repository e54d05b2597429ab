"""The real Application against the fake Bot API: the helpers every Telegram test (and the
bot benchmark) uses."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from telegram.ext import Application

from bot.corpus.documents import NewDocument
from bot.corpus.ingest import ingest_documents, read_paths
from bot.services import Services
from bot.tg.app import _check_telegram, build_application, post_init
from tests.auxil.fakebotapi import FakeBotAPI
from tests.auxil.settings import SEEDS, make_settings


@asynccontextmanager
async def polling_app(
    services: Services, fake: FakeBotAPI, *, init: bool = True
) -> AsyncIterator[Application]:
    """The composition root's Application polling ``fake``, started and stopped around you.

    ``init=False`` skips command menus and background jobs (tests that run digests by hand).
    """
    app = build_application(
        services,
        token="123:TEST",
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        rate_limiter=False,
    )
    # As run_bot does: getMe once, shut down, then the Application's own start.
    await _check_telegram(app)
    async with app:
        if init:
            await post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0.0)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


ADMIN = 1
USER = 42
STRANGER = 999
GROUP = -100500


@dataclass
class Bot:
    fake: FakeBotAPI
    app: Application
    services: Services


def seed_corpus(services: Services) -> None:
    ingest_documents(services, read_paths([SEEDS]))
    # Topics set by hand, recorded as the active model's so they count as classified.
    model = services.classifier
    version = model.version if model is not None else "test"
    topics = {
        "000_e304ba77d5c08879": {"admission": 0.9, "inspection": 0.8, "anti_corruption": 0.6},
        "001_66334c12e1a1c957": {"cadres": 0.9, "rectification": 0.8, "admission": 0.7},
        "002_502b033faa5b9838": {"rectification": 0.95, "ideology": 0.7},
        "003_10b0ac3c46bc575e": {"grassroots": 0.9, "admission": 0.6},
        "004_f2be7bebb3d2c427": {"grassroots": 0.8, "ideology": 0.7, "inspection": 0.6},
    }
    for ext, scores in topics.items():
        services.documents.set_topics(services.documents.get(ext).id, scores, version)
    # Enough documents about one subject for several result pages.
    for i in range(12):
        result = services.documents.add(
            NewDocument(
                title=f"Chi bộ thôn {i} kết nạp đảng viên mới",
                text=f"Chi bộ thôn {i} tổ chức lễ kết nạp đảng viên mới cho quần chúng ưu tú. Đảng viên mới tuyên thệ.",
                external_id=f"kn-{i}",
                published_at=datetime(2024, 1, 1 + i),
            )
        )
        services.documents.set_topics(result.document_id, {"admission": 0.9}, version)
    long_text = "\n\n".join(
        f"Đoạn {n}. " + "Nội dung nghị quyết về công tác xây dựng Đảng. " * 30 for n in range(12)
    )
    services.documents.add(NewDocument(title="Văn bản rất dài", text=long_text, external_id="long"))
    services.after_documents_changed([])


@asynccontextmanager
async def running_bot(settings_url: str, tmp_path: Path, **overrides: object) -> AsyncIterator[Bot]:
    """Seeded services, the fake Bot API and the polling Application, torn down afterwards."""
    settings = make_settings(
        tmp_path, settings_url, admin_ids=[ADMIN], access_mode="allowlist", **overrides
    )
    services = Services(settings)
    seed_corpus(services)
    services.access.allow(USER)
    try:
        async with FakeBotAPI() as fake:
            async with polling_app(services, fake) as app:
                yield Bot(fake, app, services)
            assert fake.unknown_methods == []
    finally:
        services.close()


def keyboard(call) -> list[list[dict]]:  # type: ignore[no-untyped-def]
    markup = call.params.get("reply_markup") or {}
    return markup.get("inline_keyboard", [])


def button_data(call, label_pattern: str) -> str:  # type: ignore[no-untyped-def]
    for row in keyboard(call):
        for button in row:
            if re.search(label_pattern, button["text"]):
                return button["callback_data"]
    raise AssertionError(f"no button {label_pattern!r} in {keyboard(call)}")
