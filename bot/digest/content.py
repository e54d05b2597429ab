"""What a digest says: new documents grouped by topic, a header with counts and a trend line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.corpus.documents import Document
from bot.corpus.text import split_sentences
from bot.present.messages import t
from bot.present.render import cut, esc, link, split_html_messages
from bot.services import Services
from bot.timeutil import TIMEZONE, format_date

OTHER = "_other"
DIGEST_TEXT = {
    "vi": {
        "title": "📰 <b>Bản tin {date}</b> — {count} tài liệu mới",
        "trend": "Xu hướng so với tuần trước: {items}",
        "other": "Khác",
        "empty": "📰 Bản tin {date}: không có tài liệu mới.",
        "more": "… và {n} tài liệu khác",
    },
    "en": {
        "title": "📰 <b>Digest {date}</b> — {count} new documents",
        "trend": "Trend against last week: {items}",
        "other": "Other",
        "empty": "📰 Digest {date}: nothing new.",
        "more": "… and {n} more",
    },
}
MAX_PER_TOPIC = 30


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
    try:
        from bot.search.summary import summarize

        summary = summarize(doc, max_sentences=1)
    except ImportError:
        sentences = split_sentences(doc.text)
        summary = sentences[0] if sentences else ""
    return cut(summary, 180)


def _link(doc: Document, bot_username: str) -> str | None:
    try:
        from bot.search.links import doc_link

        return doc_link(doc, bot_username)
    except ImportError:
        return doc.url


def weekly_trend(
    services: Services, now: datetime, topics: list[str] | None = None
) -> dict[str, int]:
    """Per topic: documents ingested in the last 7 days minus the 7 days before."""
    since = now - timedelta(days=14)
    middle = now - timedelta(days=7)
    rows = services.documents.topic_dates(ingested_since=since, ingested_until=now)
    this_week: Counter[str] = Counter()
    last_week: Counter[str] = Counter()
    for topic, when in rows:
        if topics and topic not in topics:
            continue
        (this_week if when >= middle else last_week)[topic] += 1
    return {
        slug: this_week[slug] - last_week[slug]
        for slug in set(this_week) | set(last_week)
        if this_week[slug] != last_week[slug]
    }


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
) -> Digest:
    """Render ``docs`` (already the new ones) as digest messages."""
    from zoneinfo import ZoneInfo

    text = DIGEST_TEXT.get(lang, DIGEST_TEXT["vi"])
    taxonomy = services.taxonomy
    date = format_date(now, tz=ZoneInfo(tz))
    wanted = set(topics or [])
    groups: dict[str, list[Document]] = {}
    for doc in docs:
        doc_topics = [s for s in doc.topics if not wanted or s in wanted]
        if wanted and not doc_topics:
            continue
        key = doc_topics[0] if doc_topics else OTHER  # topics are sorted by probability
        groups.setdefault(key, []).append(doc)
    included = [d.id for group in groups.values() for d in group]
    counts = {k: len(v) for k, v in groups.items()}
    if not included:
        messages = [text["empty"].format(date=esc(date))] if notify_empty else []
        return Digest(messages, [], {})

    header = [text["title"].format(date=esc(date), count=len(included))]
    order = [s for s in taxonomy.slugs if s in groups] + ([OTHER] if OTHER in groups else [])
    header.append(esc(" · ".join(f"{_name(services, s, lang, text)} {counts[s]}" for s in order)))
    trend = weekly_trend(services, now, topics)
    if trend:
        items = sorted(trend.items(), key=lambda kv: -abs(kv[1]))[:3]
        header.append(
            esc(
                text["trend"].format(
                    items=", ".join(
                        f"{'↑' if d > 0 else '↓'} {_name(services, s, lang, text)} ({d:+d})"
                        for s, d in items
                    )
                )
            )
        )
    blocks = ["\n".join(header)]
    for slug in order:
        # Most important first: how sure the classifier is, then how recent.
        group = sorted(
            groups[slug], key=lambda d: (-(d.topics.get(slug, 0.0)), -(d.date.timestamp()))
        )
        heading = f"<b>🏷 {esc(_name(services, slug, lang, text))}</b>"
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
        if len(group) > MAX_PER_TOPIC:
            blocks.append(esc(text["more"].format(n=len(group) - MAX_PER_TOPIC)))
    return Digest(split_html_messages(blocks), included, counts)


def _name(services: Services, slug: str, lang: str, text: dict[str, str]) -> str:
    if slug == OTHER:
        return text["other"]
    topic = services.taxonomy.get(slug)
    return topic.name(lang) if topic else slug


__all__ = ["Digest", "build_digest", "t", "weekly_trend"]
