"""Updates per second through the real PTB Application against the fake Bot API.

    python -m bench.bot_bench --updates 300

Sequential: one update at a time, waiting for the reply. Burst: all updates at once.
The baseline is /help (no database, no search) measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench.common import percentile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def run(n: int) -> dict[str, dict[str, float]]:
    from bot.config import Settings
    from bot.corpus.ingest import ingest_documents, read_paths
    from bot.services import Services
    from tests.auxil.bots import polling_app
    from tests.auxil.fakebotapi import FakeBotAPI

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",  # type: ignore[call-arg]
            data_dir=Path(tmp),
            index_dir=Path(tmp) / "index",
            access_mode="open",
            rate_limit_per_minute=1_000_000,
        )
        services = Services(settings)
        ingest_documents(services, read_paths([settings.seeds_dir]))
        root = Path(__file__).resolve().parent.parent
        from bot.corpus.ingest import read_jsonl

        for path in sorted((root / "training" / "data").glob("*.jsonl")):
            ingest_documents(services, read_jsonl(path))
        async with (
            FakeBotAPI(strict_chats=False) as fake,
            polling_app(services, fake) as app,
        ):
            state = app.bot_data
            for label, text in (
                ("help (baseline)", "/help"),
                ("search", "tham nhung dau thau"),
                ("search accented", "kết nạp đảng viên"),
            ):
                # sequential
                state.timings.clear()
                started = time.perf_counter()
                for i in range(n):
                    fake.private_message(10_000 + i, text)
                    await fake.wait_for("sendMessage", chat_id=10_000 + i, timeout=30)
                sequential = n / (time.perf_counter() - started)
                seq_timings = list(state.timings)
                # burst
                state.timings.clear()
                started = time.perf_counter()
                for i in range(n):
                    fake.private_message(20_000 + i, text)
                for i in range(n):
                    await fake.wait_for("sendMessage", chat_id=20_000 + i, timeout=60)
                burst = n / (time.perf_counter() - started)
                results[label] = {
                    "sequential_per_s": sequential,
                    "burst_per_s": burst,
                    "p50_ms": percentile(seq_timings, 50) * 1000,
                    "p95_ms": percentile(seq_timings, 95) * 1000,
                    "burst_p95_ms": percentile(list(state.timings), 95) * 1000,
                }
        services.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=300)
    results = asyncio.run(run(parser.parse_args().updates))
    base = results["help (baseline)"]
    print("| update | sequential/s | burst/s | p50 ms | p95 ms | burst p95 ms | p95 vs /help |")
    print("|---|---|---|---|---|---|---|")
    for label, r in results.items():
        print(
            f"| {label} | {r['sequential_per_s']:.0f} | {r['burst_per_s']:.0f} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['burst_p95_ms']:.1f} | "
            f"{r['p95_ms'] / (base['p95_ms'] or 1e-9):.2f}× |"
        )


if __name__ == "__main__":
    main()
