"""Where new bill versions come from: a folder, a file of URLs (Open States: openstates.py).

Each source lists ``Item`` values — one per bill version, named by (source, key, version) —
without downloading anything, so a round with nothing new costs a listing only.

- folder: key = the file's path below the folder, version = sha256 of its bytes (a changed
  file is a new version); hidden files and the files of ``NOT_BILLS`` are not bills;
- URL file: key = the URL, version = '' (a URL is checked once; its content is taken as
  fixed, as a legislature's version URL is).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError


@dataclass(frozen=True)
class Item:
    source: str
    key: str
    version: str
    url: str = ""  # downloaded with billdiff.fetch when set
    path: str = ""  # a local file otherwise
    label: str = ""
    link: str = ""  # the official page or text, for people
    meta: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # for ingest.read
    updated_at: str = ""


# What a watch folder holds beside the bills: sidecars of facts, notes (a README.md quoting a
# law would be "reuse"), the digest and alerts a round writes, an index file and its journal.
# Anything else is checked; a .docx or an image then fails as a bill, with why.
NOT_BILLS = frozenset(
    ".json .jsonl .md .toml .yml .yaml .csv .log .db .sqlite .db-wal .db-shm .db-journal"
    " .watch-lock .lock .tmp .part".split()
)


def folder_items(folder) -> list[Item]:
    from ..fetch import sha256_file

    root = Path(folder)
    if not root.is_dir():
        raise InputError(
            "the watch folder does not exist or is not a folder",
            path=str(folder),
            hint="pass --folder DIR with the folder new bills are saved to",
        )
    source = f"folder:{root.resolve()}"
    out = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or p.suffix.lower() in NOT_BILLS:
            continue
        if not p.is_file():
            continue
        try:
            sha = sha256_file(p)
        except OSError:
            sha = "unreadable"  # ingest says why, as a per-bill failure
        out.append(
            Item(source, rel.as_posix(), sha, path=str(p), label=rel.as_posix(), link=str(p))
        )
    return out


def url_items(url_file) -> list[Item]:
    p = Path(url_file)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(
            f"cannot read the URL list ({err.__class__.__name__})",
            path=str(url_file),
            hint="pass --urls FILE with one http(s) URL a line",
        ) from None
    source = f"urls:{p.resolve()}"
    seen = set()
    out = []
    for ln in lines:
        url = ln.split("#", 1)[0].strip() if ln.lstrip().startswith("#") else ln.strip()
        if not url or url in seen:
            continue
        seen.add(url)
        out.append(Item(source, url, "", url=url, label=url, link=url))
    return out
