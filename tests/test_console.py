"""The offline console chat runs the same conversation as the bot."""

from __future__ import annotations

import io

from bot.console import run_console
from bot.ingest import ingest_documents, read_paths
from bot.services import Services
from tests.conftest import SEEDS


def test_console_answers_queries_buttons_and_commands(services: Services) -> None:
    ingest_documents(services, read_paths([SEEDS]))
    stdin = io.StringIO("tham nhung dau thau\n2\n/topics\n/doc 1\n/help\n<b>&\n/quit\nnot read\n")
    out = io.StringIO()
    run_console(services, stdin=stdin, stdout=out)
    text = out.getvalue()
    assert "Xin chào!" in text and "[1] kết nạp đảng viên" in text
    assert "Công tác xây dựng Đảng có nhiều đổi mới" in text
    assert "tham nhũng" in text  # the accented original is shown for an unaccented query
    assert "Chủ đề" in text and "Hướng dẫn sử dụng" in text
    assert "<b>" not in text.replace("<b>&", "")  # tags are stripped for the terminal
    assert "not read" not in text
