"""Settings, read once from the environment (and an optional ``.env``)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import resources

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LANG = "vi"  # the interface speaks Vietnamese unless a user picks English
LANGS = ("vi", "en")


class Settings(BaseSettings):
    """Typed configuration. Every field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in data_dir")
    # What the bot writes (SQLite file, search index): ./data of the working directory.
    data_dir: Path = Field(default_factory=resources.data_dir)
    index_dir: Path | None = Field(default=None, description="search index folder (derived)")
    # What ships with it: the checkout's folders, or the copies an installed wheel carries.
    models_dir: Path = Field(default_factory=lambda: resources.shipped_dir("models"))
    seeds_dir: Path = Field(default_factory=lambda: resources.shipped_dir("seeds"))
    training_dir: Path = Field(default_factory=lambda: resources.shipped_dir("training"))

    telegram_bot_token: str = ""
    telegram_api_base_url: str = ""
    telegram_api_file_url: str = ""
    bot_username: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    port: int | None = None

    # NoDecode: ADMIN_IDS=1,2,3 is a comma list, not JSON (the validator below splits it).
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    access_mode: Literal["open", "allowlist"] = "allowlist"
    rate_limit_per_minute: int = 20
    log_level: str = "INFO"
    # A search over a large index runs as two at once when this is 2 or more (the default, for
    # a host with two cores); 1 keeps each search on one core, for a host shared with others.
    search_threads: int = Field(default=2, ge=1, le=64)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        # ADMIN_IDS=1,2,3 is friendlier in a Procfile host's UI than JSON.
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if not all(re.fullmatch(r"-?[0-9]{1,16}", p) for p in parts):
                raise ValueError("a comma-separated list of Telegram user ids, e.g. 123,456")
            return [int(p) for p in parts]
        if isinstance(value, int):
            return [value]
        return value

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data folder."""
        url = self.database_url.strip()
        if not url:
            return f"sqlite:///{self.data_dir / 'partybot.sqlite3'}"
        # Heroku-style hosts hand out postgres:// URLs; SQLAlchemy wants a driver name.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url

    @property
    def creates_database_folder(self) -> bool:
        """Only the default database's folder is created: one named in DATABASE_URL must
        exist, so that a mistyped path is an error rather than a new, empty library."""
        return not self.database_url.strip()

    @property
    def effective_index_dir(self) -> Path:
        """Where the derived search index lives."""
        return self.index_dir or (self.data_dir / "index")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; :class:`ConfigError` names what is wrong."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from bot.errors import ConfigError

    try:
        return Settings()
    except SettingsError as exc:
        raise ConfigError(f"invalid configuration: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper() or 'settings'}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
