"""A plain-text rendering of search results for the CLI's main job."""

from __future__ import annotations

from bot.corpus.text import fold_lower, normalize, syllables
from bot.services import Services
from bot.timeutil import format_date


def _naive_hits(services: Services, query: str, limit: int) -> list[tuple[float, int]]:
    # Fallback before the search index exists: count folded query syllables per document.
    terms = [t for t in syllables(query) if len(t) > 1]
    scored: list[tuple[float, int]] = []
    for doc in services.documents.iter_all():
        body = fold_lower(normalize(doc.title + " " + doc.text))
        score = sum(body.count(t) for t in terms)
        if score:
            scored.append((float(score), doc.id))
    scored.sort(reverse=True)
    return scored[:limit]


def render_results(services: Services, query: str, limit: int = 5) -> str:
    """Search ``query`` and format the top results as plain text."""
    engine = services.search
    lines = [f"Kết quả cho «{query}»:"]
    if engine is not None:
        results = engine.search(query, limit=limit)
        for n, hit in enumerate(results.hits, start=1):
            lines.append(f"{n}. {hit.title} ({format_date(hit.date)})")
            text = hit.snippet.text if hit.snippet is not None else ""
            if text or hit.summary:
                lines.append(f"   {text or hit.summary}")
            lines.append(f"   {hit.link(services.settings.bot_username)}")
        if not results.hits:
            lines.append("Không tìm thấy tài liệu phù hợp.")
        return "\n".join(lines)
    hits = _naive_hits(services, query, limit)
    docs = services.documents.get_many([doc_id for _, doc_id in hits])
    for n, (_, doc_id) in enumerate(hits, start=1):
        doc = docs[doc_id]
        lines.append(f"{n}. {doc.title} ({format_date(doc.published_at)})")
        lines.append(f"   {doc.url or doc.external_id}")
    if not hits:
        lines.append("Không tìm thấy tài liệu phù hợp.")
    return "\n".join(lines)
