"""`make bench`: every benchmark in turn (each compares against its own baseline)."""

from __future__ import annotations

import importlib
import sys

BENCHES = [
    ("bench.ingest_bench", ["--docs", "10000"]),
    ("bench.search_bench", ["--docs", "100000"]),
    ("bench.classifier_bench", []),
    ("bench.bot_bench", ["--updates", "300"]),
    ("bench.digest_bench", ["--chats", "1000"]),
    ("bench.feeds_bench", ["--feeds", "50", "--entries", "20"]),
]


def main() -> None:
    only = sys.argv[1:]
    for module_name, args in BENCHES:
        if only and not any(o in module_name for o in only):
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            print(f"== {module_name}: not available ({exc.name})")
            continue
        print(f"== {module_name} {' '.join(args)}", flush=True)
        sys.argv = [module_name, *args]
        module.main()


if __name__ == "__main__":
    main()
