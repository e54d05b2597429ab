"""What a digest says: new documents grouped by topic, a header with counts and a trend line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.corpus.documents import Document
from bot.present.messages import t
from bot.present.render import cut, esc, link, split_html_messages
from bot.search.links import doc_link
from bot.search.summary import summarize
from bot.services import Services
from bot.timeutil import TIMEZONE, format_date

OTHER = "_other"
MAX_PER_TOPIC = 10  # items per topic; the rest are counted, with the /topic to see them


@dataclass
class Digest:
    """A rendered digest: messages (each ≤ 4096 visible characters) and what it covers."""

    messages: list[str]
    documents: list[int]
    counts: dict[str, int]

    @property
    def empty(self) -> bool:
        """True when no document is new."""
        return not self.documents


def _one_line(doc: Document) -> str:
    return cut(summarize(doc, max_sentences=1), 180)


def _link(doc: Document, bot_username: str) -> str | None:
    return doc_link(doc, bot_username)


def weekly_trend(
    services: Services, now: datetime, topics: list[str] | None = None
) -> dict[str, int]:
    """Per topic: documents of the last 7 days minus the 7 days before, each counted once,
    under its most probable topic, as the digest's header counts it. A document's day is its
    publication's (its ingestion's when undated): loading last year's archive this week is
    no trend, and a group reading "1 new document" above "+23" could not reconcile them.
    Nothing when the 7 days before have no document at all (a new deployment, its first
    week): against nothing, every topic of this week "rose" (a tester's first digest)."""
    since = now - timedelta(days=14)
    middle = now - timedelta(days=7)
    best: dict[int, tuple[float, str, datetime]] = {}
    rows = services.documents.topic_scores(since=since, until=now)
    if not any(when < middle for _, _, _, when in rows):
        return {}
    for doc_id, topic, score, when in rows:
        if topics and topic not in topics:
            continue
        if doc_id not in best or score > best[doc_id][0]:
            best[doc_id] = (score, topic, when)
    this_week: Counter[str] = Counter()
    last_week: Counter[str] = Counter()
    for _, topic, when in best.values():
        (this_week if when >= middle else last_week)[topic] += 1
    return {
        slug: this_week[slug] - last_week[slug]
        for slug in set(this_week) | set(last_week)
        if this_week[slug] != last_week[slug]
    }


def trend_items(trend: dict[str, int], slugs: list[str], n: int = 3) -> list[tuple[str, int]]:
    """The ``n`` largest changes; equal ones in the taxonomy's order, so a preview says what
    the digest will (the set's order varied from run to run: a tester's six previews)."""
    rank = {slug: i for i, slug in enumerate(slugs)}
    return sorted(trend.items(), key=lambda kv: (-abs(kv[1]), rank.get(kv[0], len(rank))))[:n]


def build_digest(
    services: Services,
    docs: list[Document],
    *,
    now: datetime,
    topics: list[str] | None = None,
    lang: str = "vi",
    bot_username: str = "",
    notify_empty: bool = False,
    tz: str = TIMEZONE,
    sample: bool = False,
) -> Digest:
    """Render ``docs`` (already the new ones) as digest messages; ``sample``: the latest
    documents shown as a digest would show them, and titled so (not "N new")."""
    from zoneinfo import ZoneInfo

    taxonomy = services.taxonomy
    date = format_date(now, tz=ZoneInfo(tz))
    wanted = set(topics or [])
    groups: dict[str, list[Document]] = {}
    for doc in docs:
        doc_topics = [s for s in doc.topics if not wanted or s in wanted]
        if wanted and not doc_topics:
            continue
        if not doc.topics and doc.classified:
            # Found to be about none of the topics (a football match, the weather): not for a
            # Party group's daily digest, which listed one under "Khác" (a tester's). One
            # not yet classified still comes, under "Khác", rather than be passed over.
            continue
        key = doc_topics[0] if doc_topics else OTHER  # topics are sorted by probability
        groups.setdefault(key, []).append(doc)
    included = [d.id for group in groups.values() for d in group]
    counts = {k: len(v) for k, v in groups.items()}
    if not included:
        messages = [t(lang, "digest_empty", date=date)] if notify_empty else []
        return Digest(messages, [], {})

    title = "digest_title_sample" if sample else "digest_title"
    header = [t(lang, title, date=date, count=len(included))]
    order = [s for s in taxonomy.slugs if s in groups] + ([OTHER] if OTHER in groups else [])
    header.append(esc(" · ".join(f"{_name(services, s, lang)} {counts[s]}" for s in order)))
    trend = weekly_trend(services, now, topics)
    if trend:
        items = trend_items(trend, taxonomy.slugs)
        changes = ", ".join(
            f"{'↑' if d > 0 else '↓'} {_name(services, s, lang)} ({d:+d})" for s, d in items
        )
        header.append(t(lang, "digest_trend", items=changes))
    blocks = ["\n".join(header)]
    continued: list[str | None] = [None]
    for slug in order:
        # Most important first: how sure the classifier is, then how recent.
        group = sorted(
            groups[slug], key=lambda d: (-(d.topics.get(slug, 0.0)), -(d.date.timestamp()))
        )
        heading = f"<b>🏷 {esc(_name(services, slug, lang))}</b>"
        # One block per document: a long digest splits between documents, never inside one.
        for n, doc in enumerate(group[:MAX_PER_TOPIC]):
            target = _link(doc, bot_username)
            title = esc(cut(doc.title, 150)) if not target else link(target, cut(doc.title, 150))
            day = format_date(doc.published_at)
            summary = _one_line(doc)
            item = (
                f"• {title}"
                + (f" ({esc(day)})" if day else "")
                + (f"\n  {esc(summary)}" if summary else "")
            )
            blocks.append(f"{heading}\n{item}" if n == 0 else item)
            continued.append(None if n == 0 else f"{heading} {esc(t(lang, 'digest_continued'))}")
        if len(group) > MAX_PER_TOPIC:
            more = t(lang, "digest_more", n=len(group) - MAX_PER_TOPIC)
            if slug != OTHER:
                more += " " + t(lang, "digest_more_topic", n=taxonomy.slugs.index(slug) + 1)
            blocks.append(more)
            continued.append(None)
    return Digest(split_html_messages(blocks, continued=continued), included, counts)


def _name(services: Services, slug: str, lang: str) -> str:
    if slug == OTHER:
        return t(lang, "digest_other")
    topic = services.taxonomy.get(slug)
    return topic.name(lang) if topic else slug


__all__ = ["Digest", "build_digest", "t", "trend_items", "weekly_trend"]
