"""Turn a path, ``-`` (stdin) or an http(s) URL into a Document.

PLACEHOLDER (skeleton): plain UTF-8 text only. The ingest work replaces this with the
TXT/HTML/PDF readers, URL fetching and sidecar metadata.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import InputError
from ..model import Document, Metadata


def read(source, *, meta: dict | None = None, offline: bool = False, mirror=None,
         cache_dir=None) -> Document:
    p = Path(source)
    if not p.exists():
        raise InputError("no such file", path=str(source), hint="check the path")
    data = p.read_bytes()
    text = data.decode("utf-8")
    m = Metadata(id=p.stem, source=str(source), sha256=hashlib.sha256(data).hexdigest(),
                 format="txt", **(meta or {}))
    return Document(text=text, meta=m)
