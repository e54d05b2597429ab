"""Feed polling throughput: 50 feeds × 20 entries from a local site on 127.0.0.1.

python -m bench.feeds_bench --feeds 50 --entries 20
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from bench.common import vocabulary


async def run(feeds: int, entries: int) -> dict[str, float]:
    from bot.config import Settings
    from bot.feeds.poller import Poller
    from bot.services import Services
    from bot.store.sources import SourceStore
    from tests.auxil.feedsite import FeedSite, article_page, rss

    rng = random.Random(3)
    pool = [s for s in vocabulary() if len(s) > 60]
    site = await FeedSite().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                _env_file=None,
                database_url=f"sqlite:///{Path(tmp) / 'feeds.sqlite3'}",  # type: ignore[call-arg]
                data_dir=Path(tmp),
                index_dir=Path(tmp) / "index",
            )
            services = Services(settings)
            store = SourceStore(services.db)
            for f in range(feeds):
                items = []
                for e in range(entries):
                    paragraphs = [*rng.sample(pool, k=6), f"Tin số {f}-{e}."]
                    link = site.add(
                        f"/s{f}/bai-{e}.html", article_page(paragraphs[0][:80], paragraphs)
                    )
                    items.append((paragraphs[0][:80], link, paragraphs[1][:150]))
                store.add(
                    site.add(f"/s{f}/rss.xml", rss(items), "application/rss+xml"), name=f"Báo {f}"
                )
            poller = Poller(services, politeness=0.0, concurrency=16)
            started = time.perf_counter()
            report = await poller.poll_due()
            total = time.perf_counter() - started
            services.close()
    finally:
        await site.stop()
    result = {
        "entries": report.entries,
        "stored": report.stored,
        "seconds": total,
        "entries_per_s": report.entries / total,
    }
    busy = sum(report.timings.values()) or 1.0
    for stage, seconds in report.timings.items():
        result[f"share_{stage}"] = seconds / busy
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--entries", type=int, default=20)
    args = parser.parse_args()
    result = asyncio.run(run(args.feeds, args.entries))
    print(
        f"polled {args.feeds} feeds × {args.entries} entries: {result['stored']:.0f} stored in {result['seconds']:.1f} s "
        f"= {result['entries_per_s']:.0f} entries/s"
    )
    for key, value in sorted(result.items()):
        if key.startswith("share_"):
            print(f"  {key[6:]:15} {value:6.1%} of stage time")


if __name__ == "__main__":
    main()
