"""Digest delivery rows: claims, leases, progress and completion (SQL only).

The exactly-once protocol is described in :mod:`bot.digest.delivery`; this module is its
database half. Every write after the claim goes through :meth:`DeliveryStore._renew`, a
compare-and-set on the owner, so an instance that lost its lease can never record progress.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.errors import PartyBotError
from bot.store.db import Database, chats, deliveries, subscriptions, utcnow
from bot.timeutil import next_due

LEASE = timedelta(minutes=3)


class LostLease(PartyBotError):
    """Another instance took this delivery over (our lease had run out)."""

    def __init__(self, delivery_id: int) -> None:
        super().__init__(f"lease on delivery {delivery_id} lost")


@dataclass(frozen=True)
class Delivery:
    """One delivery row."""

    id: int
    chat_id: int
    payload: list[str] | None
    parts_sent: int
    in_flight: int | None
    in_doubt: int
    to_doc_id: int


class DeliveryStore:
    """The ``deliveries`` table, on behalf of one owner (an instance of the bot)."""

    def __init__(
        self,
        db: Database,
        owner: str,
        *,
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = LEASE,
    ) -> None:
        self.db = db
        self.owner = owner
        self.clock = clock
        self.lease = lease

    def _insert_ignore(self, values: dict[str, object]) -> sa.Insert:
        dialect = postgresql if self.db.is_postgres else sqlite
        return (
            dialect.insert(deliveries)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["chat_id", "due_at"])
        )

    def due(self, now: datetime) -> list[tuple[int, datetime, int]]:
        """``(chat_id, due_at, last_doc_id)`` of every enabled subscription due at ``now``."""
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
            if not self.db.is_postgres and not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
                # SQLite's write lock before the checks below: two claimers take turns.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            # The list of due chats is a snapshot: since then the digest may have been turned
            # off, or sent and rescheduled, or moved to a supergroup by another instance.
            # The row stays locked to the end of the claim (PostgreSQL): a second claimer of
            # the same chat waits, then sees this one's delivery below.
            still_due = conn.execute(
                sa.select(subscriptions.c.chat_id, subscriptions.c.last_doc_id)
                .where(
                    subscriptions.c.chat_id == chat_id,
                    subscriptions.c.enabled.is_(True),
                    subscriptions.c.next_due_at == due_at,
                )
                .with_for_update()
            ).first()
            if still_due is None:
                return None
            # One delivery of a chat at a time: two `digest send` at once made the chat due at
            # two moments, and each claimed its own and sent the same documents (a tester's
            # three runs, three copies). The next one waits for this one's end, which moves
            # the chat's last document on.
            busy = conn.execute(
                sa.select(deliveries.c.id).where(
                    deliveries.c.chat_id == chat_id,
                    deliveries.c.status.in_(("claimed", "sending")),
                    deliveries.c.lease_until >= lease_from,
                )
            ).first()
            if busy is not None:
                return None
            last_doc_id = int(still_due.last_doc_id or 0)
            # RETURNING tells a real insert from a conflict on both backends (rowcount does not).
            inserted = conn.execute(
                self._insert_ignore(
                    {
                        "chat_id": chat_id,
                        "due_at": due_at,
                        "status": "claimed",
                        "claimed_by": self.owner,
                        "lease_until": lease_from + self.lease,
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

    def take_over_stale(self, now: datetime) -> list[int]:
        """Deliveries whose owner died mid-way: whoever flips the lease first continues them."""
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
                        lease_until=self.clock() + self.lease,
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
            .values(lease_until=now + self.lease, **values)
        ).rowcount
        if not updated:
            raise LostLease(delivery_id)

    def get(self, delivery_id: int) -> Delivery:
        """One delivery row."""
        with self.db.begin() as conn:
            row = conn.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id)).one()
        return Delivery(
            id=row.id,
            chat_id=int(row.chat_id),
            payload=json.loads(row.payload) if row.payload is not None else None,
            parts_sent=row.parts_sent,
            in_flight=row.in_flight,
            in_doubt=row.in_doubt,
            to_doc_id=row.to_doc_id,
        )

    def chat_lang(self, chat_id: int) -> str | None:
        """The language a group chose for its digests, if any."""
        with self.db.begin() as conn:
            return conn.execute(sa.select(chats.c.lang).where(chats.c.chat_id == chat_id)).scalar()

    def cancel(self, delivery_id: int, reason: str) -> None:
        """Record that nothing will be sent (the digest was turned off)."""
        with self.db.begin() as conn:
            self._renew(conn, delivery_id, self.clock(), status="failed", error=reason[:500])

    def pass_over(self, delivery_id: int, chat_id: int, reason: str) -> None:
        """Nothing sent this time (the chat is not allowed): the next digest is due at the
        next send time and carries these documents, as after a failure, counting none."""
        now = self.clock()
        with self.db.begin() as conn:
            self._renew(conn, delivery_id, now, status="failed", error=reason[:500])
            sub = conn.execute(
                sa.select(subscriptions).where(subscriptions.c.chat_id == chat_id)
            ).first()
            if sub is not None:
                conn.execute(
                    subscriptions.update()
                    .where(subscriptions.c.chat_id == chat_id)
                    .values(next_due_at=next_due(sub.send_time, sub.timezone, now), updated_at=now)
                )

    def save_parts(self, delivery_id: int, parts: list[str], from_doc: int, to_doc: int) -> None:
        """Fix the rendered messages and the document range once, before the first send."""
        with self.db.begin() as conn:
            self._renew(
                conn,
                delivery_id,
                self.clock(),
                status="sending",
                payload=json.dumps(parts, ensure_ascii=False),
                parts_total=len(parts),
                from_doc_id=from_doc,
                to_doc_id=to_doc,
            )

    def resume_point(self, delivery_id: int) -> tuple[int, int, int | None]:
        """``(chat_id, first part to send, part found in doubt)``: a part left in flight by a
        crash is counted as sent, never sent twice."""
        with self.db.begin() as conn:
            row = conn.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id)).one()
            start = row.parts_sent
            doubt = row.in_flight
            if doubt is not None:
                start = doubt + 1
                self._renew(
                    conn,
                    delivery_id,
                    self.clock(),
                    parts_sent=start,
                    in_flight=None,
                    in_doubt=row.in_doubt + 1,
                )
        return int(row.chat_id), start, doubt

    def mark_sent(self, delivery_id: int, index: int) -> None:
        """Part ``index`` reached Telegram."""
        with self.db.begin() as conn:
            self._renew(conn, delivery_id, self.clock(), parts_sent=index + 1, in_flight=None)

    def mark_in_flight(self, delivery_id: int, index: int | None) -> None:
        """Part ``index`` is about to leave (None: the attempt was refused, not in doubt)."""
        with self.db.begin() as conn:
            self._renew(conn, delivery_id, self.clock(), in_flight=index)

    def finish_sent(self, delivery_id: int, chat_id: int, had_parts: bool) -> None:
        """One transaction: the row is done and the chat's high-water mark and next due move."""
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

    def finish_gone(self, delivery_id: int, chat_id: int, reason: str) -> None:
        """The bot was removed or blocked: the row fails and the subscription is disabled."""
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

    def finish_failed(self, delivery_id: int, chat_id: int, reason: str) -> None:
        """The row fails; the documents stay unsent, so the next digest carries them."""
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

    def make_due_now(self, chat_id: int, now: datetime) -> None:
        """``digest send``: the chat is due at ``now`` (the normal path then sends it); a
        digest turned off stays off."""
        with self.db.begin() as conn:
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == chat_id, subscriptions.c.enabled.is_(True))
                .values(next_due_at=now)
            )
