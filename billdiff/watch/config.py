"""The watch configuration: one frozen value, from a ``watch.toml`` file or from options.

``load_config(path)`` reads the TOML file (stdlib ``tomllib``); every mistake is one
``SettingsError`` naming the file and the key. The Open States key comes from
``OPENSTATES_API_KEY`` or the file's ``[openstates] api_key`` and is never shown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import SettingsError

OPENSTATES_URL = "https://v3.openstates.org"


@dataclass(frozen=True)
class OpenStatesQuery:
    """One ``/bills`` query: a jurisdiction (``wa``, ``Washington`` or an ocd id), optional
    full-text ``q`` and ``session``."""

    jurisdiction: str
    q: str = ""
    session: str = ""

    @property
    def name(self) -> str:
        return "openstates:" + "|".join((self.jurisdiction, self.q, self.session))


@dataclass(frozen=True)
class WatchConfig:
    db: str | None = None  # the index (None: billdiff's default index)
    folders: tuple[str, ...] = ()
    url_files: tuple[str, ...] = ()
    queries: tuple[OpenStatesQuery, ...] = ()
    api_url: str = OPENSTATES_URL
    api_key: str = field(default="", repr=False)  # never shown
    per_page: int = 20
    max_pages: int = 50  # per query and round
    retry_after_max: float = 120.0  # longest 429 Retry-After honoured (seconds)
    # search
    top: int = 10
    min_words: int | None = None
    only_tags: tuple[str, ...] = ()  # alert only on reuse of documents with one of these tags
    # downloads (billdiff.fetch)
    cache_dir: str | None = None
    timeout: float = 30.0
    retries: int = 3
    min_interval: float = 1.0  # seconds between two requests to one host (polite rate)
    max_attempts: int = 3  # a version that failed this often is not tried again
    # alerts
    jsonl: str | None = None  # append one JSON line per checked version
    digest: str | None = None  # write the round's digest (Markdown; .html for HTML)
    webhook: str | None = None  # POST the round's alerts as JSON

    def __post_init__(self):
        for name in ("per_page", "max_pages", "top", "max_attempts"):
            if getattr(self, name) < 1:
                raise SettingsError(f"watch {name} must be at least 1 (got {getattr(self, name)})")
        if self.retries < 0 or self.timeout <= 0 or self.min_interval < 0:
            raise SettingsError(
                "watch retries, timeout and min_interval must be positive",
                hint="e.g. retries = 3, timeout = 30, min_interval = 1",
            )

    def replace(self, **kw) -> WatchConfig:
        return replace(self, **kw)


EXAMPLE = """\
# billdiff watch configuration (TOML). `billdiff watch --config watch.toml` runs one round:
# new bill versions from the sources below are searched against the index, and reuse of
# indexed bills is reported. Run it from cron, e.g. every morning at 6:
#   0 6 * * *  billdiff watch --config /path/to/watch.toml
# Paths are relative to this file.

# the index the new bills are compared with (billdiff index add ... --db FILE)
index = "bills.db"

[search]
top = 10                      # bills listed per new version
# min_words = 40              # shortest shared passage reported
# only_tags = ["model-bill"]  # alert only on reuse of documents tagged so
                              # (billdiff index add FILES --tag model-bill)

[sources]
# folders = ["incoming"]      # new or changed files in these folders
# url_files = ["urls.txt"]    # one URL a line; '#' starts a comment

# Open States API v3 (https://docs.openstates.org/api-v3/). The key comes from the
# OPENSTATES_API_KEY environment variable, or from api_key below (keep this file private then).
[openstates]
# api_key = "..."
# url = "https://v3.openstates.org"
per_page = 20
max_pages = 50                # pages read per query and round
retry_after_max = 120         # longest wait honoured when the API answers 429
# [[openstates.query]]
# jurisdiction = "wa"
# q = "facial recognition"    # full-text search (optional)
# session = "2025-2026"       # optional

[fetch]
# cache_dir = "~/.cache/billdiff"
timeout = 30
retries = 3
min_interval = 1.0            # seconds between requests to one legislature's site
max_attempts = 3              # a version that failed this often is not tried again

[alerts]
jsonl = "alerts.jsonl"        # one JSON line per checked version (billdiff.watch/1)
digest = "digest.md"          # the round's digest for people (.md or .html)
# webhook = "https://example.org/hooks/billdiff"   # POST of the round's alerts (JSON)
"""

_KEYS = {
    "": {"index", "search", "sources", "openstates", "fetch", "alerts"},
    "search": {"top", "min_words", "only_tags"},
    "sources": {"folders", "url_files"},
    "openstates": {"api_key", "url", "per_page", "max_pages", "retry_after_max", "query"},
    "fetch": {"cache_dir", "timeout", "retries", "min_interval", "max_attempts"},
    "alerts": {"jsonl", "digest", "webhook"},
}


def load_config(path, *, environ=None) -> WatchConfig:
    """Read ``watch.toml``; one SettingsError (exit 2) for anything wrong in it."""
    import tomllib

    path = Path(path)
    environ = os.environ if environ is None else environ
    name = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(
            f"no watch config at {name}", hint="write one with `billdiff watch init`"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError(f"cannot read the watch config {name} ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(
            f"the watch config {name} is not valid TOML ({err})",
            hint="fix the line named, or start again from `billdiff watch init`",
        ) from None
    base = path.resolve().parent

    def bad(key: str, what: str) -> SettingsError:
        return SettingsError(
            f"the watch config {name}: {key} {what}",
            hint="see `billdiff watch init` for an example",
        )

    for section, allowed in _KEYS.items():
        table = raw if not section else raw.get(section, {})
        if not isinstance(table, dict):
            raise bad(f"[{section}]", "must be a table")
        unknown = set(table) - allowed
        if unknown:
            where = f"[{section}] " if section else ""
            raise bad(f"{where}{sorted(unknown)[0]!r}", f"is not a known key ({sorted(allowed)})")

    def get(section: str, key: str, kind, default=None):
        value = raw.get(section, {}).get(key, default) if section else raw.get(key, default)
        if value is None:
            return None
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            label = f"{section}.{key}" if section else key
            raise bad(label, f"must be {kind.__name__}, not {type(value).__name__}")
        return value

    def paths(section: str, key: str) -> tuple[str, ...]:
        items = get(section, key, list, [])
        if not all(isinstance(x, str) for x in items):
            raise bad(f"{section}.{key}", "must be a list of strings")
        return tuple(_rel(base, x) for x in items)

    def opt_path(section: str, key: str) -> str | None:
        v = get(section, key, str)
        return _rel(base, v) if v else None

    queries = []
    for i, q in enumerate(get("openstates", "query", list, [])):
        if not isinstance(q, dict) or not isinstance(q.get("jurisdiction"), str):
            raise bad(f"openstates.query[{i}]", 'needs a jurisdiction (e.g. jurisdiction = "wa")')
        extra = set(q) - {"jurisdiction", "q", "session"}
        if extra:
            raise bad(f"openstates.query[{i}].{sorted(extra)[0]}", "is not a known key")
        queries.append(
            OpenStatesQuery(q["jurisdiction"], str(q.get("q", "")), str(q.get("session", "")))
        )
    tags = get("search", "only_tags", list, [])
    if not all(isinstance(t, str) for t in tags):
        raise bad("search.only_tags", "must be a list of strings")
    index = get("", "index", str)
    try:
        return WatchConfig(
            db=_rel(base, index) if index else None,
            folders=paths("sources", "folders"),
            url_files=paths("sources", "url_files"),
            queries=tuple(queries),
            api_url=get("openstates", "url", str, OPENSTATES_URL),
            api_key=environ.get("OPENSTATES_API_KEY") or get("openstates", "api_key", str, ""),
            per_page=get("openstates", "per_page", int, 20),
            max_pages=get("openstates", "max_pages", int, 50),
            retry_after_max=get("openstates", "retry_after_max", float, 120.0),
            top=get("search", "top", int, 10),
            min_words=get("search", "min_words", int),
            only_tags=tuple(tags),
            cache_dir=opt_path("fetch", "cache_dir"),
            timeout=get("fetch", "timeout", float, 30.0),
            retries=get("fetch", "retries", int, 3),
            min_interval=get("fetch", "min_interval", float, 1.0),
            max_attempts=get("fetch", "max_attempts", int, 3),
            jsonl=opt_path("alerts", "jsonl"),
            digest=opt_path("alerts", "digest"),
            webhook=get("alerts", "webhook", str),
        )
    except SettingsError as err:
        raise SettingsError(f"the watch config {name}: {err.message}", hint=err.hint) from None


def _rel(base: Path, value: str) -> str:
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else base / p)
