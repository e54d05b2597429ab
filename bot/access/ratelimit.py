"""Per-user rate limits: a token bucket per user, one warning per streak."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    """A token bucket per key: ``rate`` actions per ``per`` seconds, bursts up to ``rate``."""

    def __init__(self, rate: int, per: float = 60.0, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.rate = max(1, rate)
        self.per = per
        self.clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}
        self._warned: set[int] = set()
        self._lock = threading.Lock()

    def hit(self, key: int) -> float:
        """Take a token; returns 0 when allowed, else the seconds until the next token."""
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(key, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - last) * self.rate / self.per)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                self._warned.discard(key)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) * self.per / self.rate

    def should_warn(self, key: int) -> bool:
        """True once per limited streak, so a flooder gets one warning, not one per message."""
        with self._lock:
            if key in self._warned:
                return False
            self._warned.add(key)
            return True
