"""The topic taxonomy, a data file admins may edit (``training/taxonomy.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.corpus.text import fold_lower, normalize
from bot.errors import ConfigError

SLUGS = (
    "inspection",
    "admission",
    "anti_corruption",
    "cadres",
    "grassroots",
    "ideology",
    "mass_mobilization",
    "rectification",
)


@dataclass(frozen=True)
class Topic:
    """One topic: a fixed slug, names and a description in Vietnamese and English."""

    slug: str
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str
    keywords: tuple[str, ...]

    def name(self, lang: str = "vi") -> str:
        """The name in ``lang`` ("vi" or "en")."""
        return self.name_en if lang == "en" else self.name_vi


class Taxonomy:
    """The ordered list of topics, with lookup by slug or by (folded) name."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        self.by_slug = {t.slug: t for t in topics}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.topics)

    def __len__(self) -> int:
        return len(self.topics)

    @property
    def slugs(self) -> list[str]:
        """Slugs in taxonomy order."""
        return [t.slug for t in self.topics]

    def get(self, slug: str) -> Topic | None:
        """A topic by slug."""
        return self.by_slug.get(slug)

    def match_name(self, query: str) -> Topic | None:
        """The topic a query names: its slug, its name, or a keyword phrase typed alone."""
        key = " ".join(fold_lower(normalize(query)).replace("_", " ").split())
        if not key:
            return None
        for topic in self.topics:
            names = {
                topic.slug.replace("_", " "),
                fold_lower(topic.name_vi),
                fold_lower(topic.name_en).lower(),
            }
            if key in names:
                return topic
        return None


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and validate the taxonomy file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"taxonomy file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from exc
    topics = []
    for item in data.get("topics", []):
        try:
            topics.append(
                Topic(
                    slug=item["slug"],
                    name_vi=normalize(item["name_vi"]),
                    name_en=item["name_en"],
                    description_vi=normalize(item.get("description_vi", "")),
                    description_en=item.get("description_en", ""),
                    keywords=tuple(normalize(k) for k in item.get("keywords", [])),
                )
            )
        except KeyError as exc:
            raise ConfigError(f"{path}: topic is missing {exc.args[0]!r}") from exc
    slugs = [t.slug for t in topics]
    if sorted(slugs) != sorted(SLUGS):
        raise ConfigError(f"{path}: topic slugs are fixed: {', '.join(SLUGS)}")
    return Taxonomy(topics)
