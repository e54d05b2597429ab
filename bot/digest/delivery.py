"""Exactly-once digest delivery, safe with several bot instances on one database.

A delivery is a row in ``deliveries`` keyed by ``(chat_id, due_at)``:

1. **Claim.** ``INSERT … ON CONFLICT DO NOTHING``: of all instances that see a digest due,
   exactly one inserts the row and owns it for a lease. A crashed owner's lease runs out and
   another instance takes the row over with a compare-and-set ``UPDATE``.
2. **Prepare.** The owner renders the messages once and stores them in the row, with the
   document range they cover, so a resumed delivery sends exactly the same parts.
3. **Send.** For each part: record ``in_flight = k`` (before), send, record ``parts_sent = k+1``
   (after). A crash between two records leaves ``in_flight`` set; the resuming instance counts
   that part as sent (``in_doubt``) rather than sending it twice — Telegram offers no way to ask
   whether a message arrived, and a repeated digest is worse than the rare lost fragment.
   A sender that accepts ``before_request`` (the Telegram one does) has ``in_flight`` recorded
   only once the rate limiter has let the request go, right before it leaves: with dozens of
   chats queued behind the limiter, recording earlier would put all of them in doubt at a crash
   (and lose them) instead of the one or two requests really on the wire.
4. **Complete.** In one transaction the row becomes ``sent`` and the subscription's
   high-water mark (``last_doc_id``) and next due time move forward. The next due time is the
   next scheduled slot after *now*, so a bot that was down for three days sends one catch-up
   digest, not three.

Sending goes through a :class:`Sender` (the Telegram layer implements it), so this module
imports nothing from ``telegram``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.digest.content import build_digest
from bot.errors import PartyBotError
from bot.services import Services
from bot.store.db import chats, deliveries, subscriptions, utcnow
from bot.store.subscriptions import Subscription, SubscriptionStore
from bot.timeutil import TIMEZONE, next_due

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=3)
MAX_ATTEMPTS = 3


class SendError(PartyBotError):
    """Sending failed; subclasses say what to do about it."""


class ChatGone(SendError):
    """The bot was kicked or blocked: disable the subscription."""


class ChatMoved(SendError):
    """The group became a supergroup: move the subscription and retry there."""

    def __init__(self, new_chat_id: int) -> None:
        self.new_chat_id = new_chat_id
        super().__init__(f"chat moved to {new_chat_id}")


class TransientSendError(SendError):
    """Network trouble or a server error: retry with backoff."""


class Sender(Protocol):
    """Sends one HTML message; returns its message id. Waits out flood limits itself.

    A sender may also take a keyword argument ``before_request`` (an async callable) and await
    it right before each attempt leaves, after any rate-limit wait; see step 3 above.
    """

    async def send(self, chat_id: int, html: str) -> int: ...


@dataclass
class RunReport:
    """What one pass over due digests did."""

    sent: list[int] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    disabled: list[int] = field(default_factory=list)
    moved: dict[int, int] = field(default_factory=dict)
    messages: int = 0
    errors: list[str] = field(default_factory=list)  # unexpected errors, left for a later pass


def instance_id() -> str:
    """A name for this process in lease records."""
    return f"{socket.gethostname()}:{os.getpid()}"


class DigestDelivery:
    """Finds due digests, claims them, and sends each exactly once."""

    def __init__(
        self,
        services: Services,
        sender: Sender,
        *,
        owner: str | None = None,
        bot_username: str = "",
        clock: Callable[[], datetime] = utcnow,
        concurrency: int = 64,
        on_failure: Callable[[int, str], Awaitable[None]] | None = None,
        backoff: Callable[[int], float] = lambda attempt: min(30.0, 2.0**attempt),
    ) -> None:
        self.services = services
        self.db = services.db
        self.sender = sender
        self.owner = owner or instance_id()
        self.bot_username = bot_username
        self.clock = clock
        self.subs = SubscriptionStore(self.db)
        self.semaphore = asyncio.Semaphore(concurrency)
        self.on_failure = on_failure
        self.backoff = backoff
        try:
            params = inspect.signature(sender.send).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        self._sender_reports_start = "before_request" in params

    # --- claiming ----------------------------------------------------------------------------

    def _insert_ignore(self, values: dict[str, object]) -> sa.Insert:
        dialect = postgresql if self.db.is_postgres else sqlite
        return (
            dialect.insert(deliveries)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["chat_id", "due_at"])
        )

    def due(self, now: datetime | None = None) -> list[tuple[int, datetime, int]]:
        """``(chat_id, due_at, last_doc_id)`` of every enabled subscription due at ``now``."""
        now = now or self.clock()
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(
                    subscriptions.c.chat_id,
                    subscriptions.c.next_due_at,
                    subscriptions.c.last_doc_id,
                )
                .where(subscriptions.c.enabled.is_(True), subscriptions.c.next_due_at <= now)
                .order_by(subscriptions.c.next_due_at, subscriptions.c.chat_id)
            ).all()
        return [(int(r.chat_id), r.next_due_at, int(r.last_doc_id or 0)) for r in rows]

    def claim(self, chat_id: int, due_at: datetime, last_doc_id: int) -> int | None:
        """Insert the delivery row for ``(chat_id, due_at)``; its id, or None if it exists."""
        lease_from = self.clock()
        with self.db.begin() as conn:
            # The list of due chats is a snapshot: since then the digest may have been turned
            # off, or sent and rescheduled, or moved to a supergroup by another instance.
            still_due = conn.execute(
                sa.select(subscriptions.c.chat_id).where(
                    subscriptions.c.chat_id == chat_id,
                    subscriptions.c.enabled.is_(True),
                    subscriptions.c.next_due_at == due_at,
                )
            ).first()
            if still_due is None:
                return None
            # RETURNING tells a real insert from a conflict on both backends (rowcount does not).
            inserted = conn.execute(
                self._insert_ignore(
                    {
                        "chat_id": chat_id,
                        "due_at": due_at,
                        "status": "claimed",
                        "claimed_by": self.owner,
                        "lease_until": lease_from + LEASE,
                        "from_doc_id": last_doc_id,
                        "to_doc_id": last_doc_id,
                        "parts_total": 0,
                        "parts_sent": 0,
                        "in_doubt": 0,
                        "attempts": 1,
                        "created_at": lease_from,
                    }
                ).returning(deliveries.c.id)
            ).scalar()
        return int(inserted) if inserted is not None else None

    def claim_due(self, now: datetime | None = None) -> list[int]:
        """Claim every digest due at ``now`` that no live instance owns; returns delivery ids."""
        now = now or self.clock()
        claimed = [d for d in (self.claim(*row) for row in self.due(now)) if d is not None]
        claimed.extend(self._take_over_stale(now))
        return claimed

    def _take_over_stale(self, now: datetime) -> list[int]:
        # A delivery whose owner died mid-way: whoever flips the lease first continues it.
        with self.db.begin() as conn:
            stale = (
                conn.execute(
                    sa.select(deliveries.c.id).where(
                        deliveries.c.status.in_(("claimed", "sending")),
                        deliveries.c.lease_until < now,
                    )
                )
                .scalars()
                .all()
            )
        taken = []
        for delivery_id in stale:
            with self.db.begin() as conn:
                won = conn.execute(
                    deliveries.update()
                    .where(
                        deliveries.c.id == delivery_id,
                        deliveries.c.lease_until < now,
                        deliveries.c.status.in_(("claimed", "sending")),
                    )
                    .values(
                        claimed_by=self.owner,
                        lease_until=self.clock() + LEASE,
                        attempts=deliveries.c.attempts + 1,
                    )
                ).rowcount
            if won:
                taken.append(delivery_id)
        return taken

    def _renew(
        self, conn: sa.Connection, delivery_id: int, now: datetime, **values: object
    ) -> None:
        updated = conn.execute(
            deliveries.update()
            .where(deliveries.c.id == delivery_id, deliveries.c.claimed_by == self.owner)
            .values(lease_until=now + LEASE, **values)
        ).rowcount
        if not updated:
            raise LostLease(delivery_id)

    # --- preparing and sending ---------------------------------------------------------------

    def _lang(self, chat_id: int) -> str:
        with self.db.begin() as conn:
            lang = conn.execute(sa.select(chats.c.lang).where(chats.c.chat_id == chat_id)).scalar()
        return lang or "vi"

    def prepare(self, delivery_id: int, now: datetime | None = None) -> list[str]:
        """Render the digest once and store it in the delivery row; returns the parts."""
        now = now or self.clock()
        with self.db.begin() as conn:
            row = conn.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id)).one()
        if row.payload is not None:
            return json.loads(row.payload)
        sub = self.subs.get(row.chat_id)
        if sub is None or not sub.enabled:
            with self.db.begin() as conn:
                self._renew(
                    conn,
                    delivery_id,
                    now,
                    status="failed",
                    error="digest turned off before sending",
                )
            raise Cancelled(delivery_id)
        to_doc = self.services.documents.max_id()
        docs = self.services.documents.newer_than(sub.last_doc_id, limit=100_000)
        docs = [d for d in docs if d.id <= to_doc]
        digest = build_digest(
            self.services,
            docs,
            now=now,
            topics=sub.topics,
            lang=self._lang(row.chat_id),
            bot_username=self.bot_username,
            notify_empty=sub.notify_empty,
            tz=sub.timezone,
        )
        with self.db.begin() as conn:
            self._renew(
                conn,
                delivery_id,
                now,
                status="sending",
                payload=json.dumps(digest.messages, ensure_ascii=False),
                parts_total=len(digest.messages),
                from_doc_id=sub.last_doc_id,
                to_doc_id=to_doc,
            )
        return digest.messages

    async def deliver(self, delivery_id: int, report: RunReport) -> None:
        """Send one claimed delivery to the end (or to a recorded failure)."""
        async with self.semaphore:
            await self._deliver_guarded(delivery_id, report)

    async def _claim_and_deliver(
        self, chat_id: int, due_at: datetime, last_doc_id: int, report: RunReport
    ) -> None:
        # Claimed only when a sending slot is free: the lease starts when the work does, and
        # another instance on the same database is free to take the chats this one has not
        # reached yet.
        async with self.semaphore:
            try:
                delivery_id = await asyncio.to_thread(self.claim, chat_id, due_at, last_doc_id)
            except Exception as exc:  # the next pass claims it
                log.exception("chat %s: could not claim its digest", chat_id)
                report.errors.append(f"chat {chat_id}: claim failed: {exc!r}")
                return
            if delivery_id is not None:
                await self._deliver_guarded(delivery_id, report)

    async def _deliver_guarded(self, delivery_id: int, report: RunReport) -> None:
        try:
            await self._deliver(delivery_id, report)
        except LostLease:
            log.warning("delivery %s: lease lost to another instance; leaving it", delivery_id)
        except Cancelled:
            log.info("delivery %s: the chat's digest was turned off; nothing sent", delivery_id)
        except Exception as exc:
            # A bug or the database going away must not stop the other chats' digests. The row
            # keeps its lease; when that runs out, a later pass resumes it.
            log.exception("delivery %s: unexpected error; left for a later pass", delivery_id)
            report.errors.append(f"delivery {delivery_id}: {exc!r}")

    async def _deliver(self, delivery_id: int, report: RunReport) -> None:
        parts = await asyncio.to_thread(self.prepare, delivery_id)
        chat_id, start = await asyncio.to_thread(self._resume_point, delivery_id)
        for index in range(start, len(parts)):
            try:
                chat_id = await self._send_with_retries(
                    delivery_id, chat_id, index, parts[index], report
                )
            except ChatGone as exc:
                await asyncio.to_thread(self._finish_gone, delivery_id, chat_id, str(exc))
                report.disabled.append(chat_id)
                return
            except SendError as exc:
                await asyncio.to_thread(self._finish_failed, delivery_id, chat_id, str(exc))
                report.failed[chat_id] = str(exc)
                if self.on_failure is not None:
                    await self.on_failure(chat_id, str(exc))
                return
            await asyncio.to_thread(self._mark_sent, delivery_id, index)
            report.messages += 1
        await asyncio.to_thread(self._finish_sent, delivery_id, chat_id, bool(parts))
        (report.sent if parts else report.empty).append(chat_id)

    def _resume_point(self, delivery_id: int) -> tuple[int, int]:
        """The chat and the first part to send; a part left in flight by a crash is in doubt."""
        with self.db.begin() as conn:
            row = conn.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id)).one()
            start = row.parts_sent
            if row.in_flight is not None:
                # The previous owner died between "about to send" and "sent": count it as sent.
                start = row.in_flight + 1
                self._renew(
                    conn,
                    delivery_id,
                    self.clock(),
                    parts_sent=start,
                    in_flight=None,
                    in_doubt=row.in_doubt + 1,
                )
                log.warning(
                    "delivery %s: part %s in doubt after a crash; not sending it again",
                    delivery_id,
                    row.in_flight,
                )
        return row.chat_id, start

    def _mark_sent(self, delivery_id: int, index: int) -> None:
        with self.db.begin() as conn:
            self._renew(conn, delivery_id, self.clock(), parts_sent=index + 1, in_flight=None)

    def _mark_in_flight(self, delivery_id: int, index: int | None) -> None:
        with self.db.begin() as conn:
            self._renew(conn, delivery_id, self.clock(), in_flight=index)

    async def _send_with_retries(
        self, delivery_id: int, chat_id: int, index: int, html: str, report: RunReport
    ) -> int:
        async def about_to_send() -> None:
            await asyncio.to_thread(self._mark_in_flight, delivery_id, index)

        attempt = 0
        while True:
            try:
                if self._sender_reports_start:
                    await self.sender.send(chat_id, html, before_request=about_to_send)  # type: ignore[call-arg]
                else:
                    await about_to_send()
                    await self.sender.send(chat_id, html)
                return chat_id
            except ChatMoved as moved:
                log.info("chat %s became %s; moving its subscription", chat_id, moved.new_chat_id)
                # Telegram refused that attempt: the part is not in doubt.
                await asyncio.to_thread(self._mark_in_flight, delivery_id, None)
                await asyncio.to_thread(self.subs.move, chat_id, moved.new_chat_id)
                report.moved[chat_id] = moved.new_chat_id
                chat_id = moved.new_chat_id
            except TransientSendError as exc:
                attempt += 1
                if attempt >= MAX_ATTEMPTS:
                    raise SendError(f"gave up after {attempt} attempts: {exc}") from exc
                await asyncio.sleep(self.backoff(attempt))

    # --- finishing ---------------------------------------------------------------------------

    def _finish_sent(self, delivery_id: int, chat_id: int, had_parts: bool) -> None:
        now = self.clock()
        with self.db.begin() as conn:
            row = conn.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id)).one()
            self._renew(
                conn,
                delivery_id,
                now,
                status="sent" if had_parts else "empty",
                sent_at=now,
                in_flight=None,
            )
            sub = conn.execute(
                sa.select(subscriptions).where(subscriptions.c.chat_id == chat_id)
            ).first()
            if sub is None:  # removed while we were sending: nothing to move forward
                return
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == chat_id)
                .values(
                    last_doc_id=max(sub.last_doc_id or 0, row.to_doc_id),
                    last_sent_at=now if had_parts else sub.last_sent_at,
                    next_due_at=next_due(sub.send_time, sub.timezone, now),
                    failures=0,
                    last_error=None,
                    updated_at=now,
                )
            )

    def _finish_gone(self, delivery_id: int, chat_id: int, reason: str) -> None:
        now = self.clock()
        with self.db.begin() as conn:
            self._renew(conn, delivery_id, now, status="failed", error=reason[:500], in_flight=None)
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == chat_id)
                .values(
                    enabled=False,
                    disabled_reason=reason[:500],
                    last_error=reason[:500],
                    updated_at=now,
                )
            )
            conn.execute(
                chats.update()
                .where(chats.c.chat_id == chat_id)
                .values(member=False, updated_at=now)
            )
        log.warning("chat %s: digest disabled (%s)", chat_id, reason)

    def _finish_failed(self, delivery_id: int, chat_id: int, reason: str) -> None:
        # The documents stay unsent (last_doc_id does not move): the next digest carries them.
        now = self.clock()
        with self.db.begin() as conn:
            self._renew(conn, delivery_id, now, status="failed", error=reason[:500], in_flight=None)
            sub = conn.execute(
                sa.select(subscriptions).where(subscriptions.c.chat_id == chat_id)
            ).first()
            if sub is None:
                return
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == chat_id)
                .values(
                    failures=(sub.failures or 0) + 1,
                    last_error=reason[:500],
                    next_due_at=next_due(sub.send_time, sub.timezone, now),
                    updated_at=now,
                )
            )
        log.error("chat %s: digest failed (%s)", chat_id, reason)

    # --- one pass -------------------------------------------------------------------------------

    async def run_once(self, now: datetime | None = None) -> RunReport:
        """Claim and deliver everything due; chats are independent of each other.

        Each chat is claimed when one of the ``concurrency`` sending slots is free, so the first
        messages leave while later chats are still unclaimed.
        """
        now = now or self.clock()
        report = RunReport()
        due = await asyncio.to_thread(self.due, now)
        stale = await asyncio.to_thread(self._take_over_stale, now)
        await asyncio.gather(
            *(self._claim_and_deliver(*row, report) for row in due),
            *(self.deliver(d, report) for d in stale),
        )
        return report


class Cancelled(PartyBotError):
    """The subscription was turned off (or removed) between claiming and sending."""

    def __init__(self, delivery_id: int) -> None:
        super().__init__(f"delivery {delivery_id} cancelled")


class LostLease(PartyBotError):
    """Another instance took this delivery over (our lease had run out)."""

    def __init__(self, delivery_id: int) -> None:
        super().__init__(f"lease on delivery {delivery_id} lost")


def preview(
    services: Services, chat_id: int, *, now: datetime | None = None, bot_username: str = ""
) -> list[str]:
    """What the chat's next digest would hold right now (sends nothing, changes nothing)."""
    now = now or utcnow()
    store = SubscriptionStore(services.db)
    sub: Subscription | None = store.get(chat_id)
    last = sub.last_doc_id if sub else max(0, services.documents.max_id() - 20)
    docs = services.documents.newer_than(last, limit=100_000)
    digest = build_digest(
        services,
        docs,
        now=now,
        topics=sub.topics if sub else None,
        bot_username=bot_username,
        notify_empty=True,
        tz=sub.timezone if sub else TIMEZONE,
    )
    return digest.messages


def manual_delivery(services: Services, chat_id: int, now: datetime | None = None) -> None:
    """Make the chat due now (``digest send``): the normal exactly-once path then sends it."""
    now = now or utcnow()
    store = SubscriptionStore(services.db)
    if store.get(chat_id) is None:
        store.enable(chat_id, now=now, start_after_doc=max(0, services.documents.max_id() - 20))
    with services.db.begin() as conn:
        conn.execute(
            subscriptions.update()
            .where(subscriptions.c.chat_id == chat_id)
            .values(next_due_at=now, enabled=True)
        )
