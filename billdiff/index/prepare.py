"""Read → tokenize → sketch one document: the part of `index add` that runs in a process pool.

``prepare`` is a pure function of its arguments and returns plain picklable values; the SQLite
writes stay in the parent process.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BilldiffError
from ..model import Document
from .sketch import SketchParams, sketch_words
from .store import spans_blob, text_blob

# extension preference when one stem has several formats (first wins); --prefer pdf|html|txt
PREFER = {
    "txt": (".txt", ".htm", ".html", ".pdf"),
    "html": (".htm", ".html", ".txt", ".pdf"),
    "pdf": (".pdf", ".txt", ".htm", ".html"),
}
BILL_EXTS = (".txt", ".htm", ".html", ".pdf")


@dataclass(frozen=True)
class Prepared:
    doc: Document
    text: bytes  # zlib
    spans: bytes  # zlib json
    content_sha: str
    words: int
    windows: int
    keys: np.ndarray  # (n, 2) int64 band, key
    doc_sig: bytes
    shingles: np.ndarray  # int64 sampled shingle hashes


@dataclass(frozen=True)
class Failed:
    source: str
    message: str


def content_sha(doc: Document) -> str:
    h = hashlib.sha256(doc.text.encode("utf-8"))
    h.update(repr((doc.skip, doc.marks, doc.pages)).encode())
    return h.hexdigest()


def prepare_doc(doc: Document, params: SketchParams, keep_deleted: bool) -> Prepared:
    from ..normalize import tokenize

    tokens = tokenize(doc, keep_deleted=keep_deleted)
    sk = sketch_words(tokens.words, params)
    return Prepared(
        doc,
        text_blob(doc),
        spans_blob(doc),
        content_sha(doc),
        len(tokens),
        sk.windows,
        sk.keys,
        sk.doc_sig.astype(np.uint32).tobytes(),
        sk.shingles,
    )


def prepare(
    item, meta: dict | None, params: SketchParams, keep_deleted: bool, read_kw: dict | None = None
) -> Prepared | Failed:
    """``item``: a Document, a path or a URL. Errors a person can act on come back as Failed."""
    try:
        if isinstance(item, Document):
            doc = item
            if meta:
                from dataclasses import replace

                doc = replace(doc, meta=replace(doc.meta, **meta))
        else:
            from ..ingest import read

            doc = read(str(item), meta=meta or None, **(read_kw or {}))
        if not doc.id:
            return Failed(
                str(item), "the document has no id — give it one with --id or a sidecar .json"
            )
        return prepare_doc(doc, params, keep_deleted)
    except BilldiffError as err:
        return Failed(_name(item), err.oneline())
    except (UnicodeDecodeError, ValueError, OSError) as err:
        return Failed(_name(item), f"cannot read {_name(item)}: {type(err).__name__}: {err}")


def _name(item) -> str:
    return item.meta.source or item.id if isinstance(item, Document) else str(item)


def expand(sources, *, prefer: str = "txt") -> list:
    """Paths/URLs/Documents → the list of items to add, directories walked recursively.

    In a directory, files with the extensions .txt .htm .html .pdf are taken (.json sidecars
    and .xml files are skipped); when one stem exists in several formats (``x.pdf`` and
    ``x.txt``) only one is taken, in the ``prefer`` order (default: .txt, .htm, .html, .pdf —
    text is faster to read than PDF and carries the same words).
    """
    order = PREFER[prefer]
    out: list = []
    for src in sources:
        if isinstance(src, Document) or (isinstance(src, str) and "://" in src):
            out.append(src)
            continue
        p = Path(src)
        if p.is_dir():
            stems: dict[tuple[str, str], list[Path]] = {}
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    fp = Path(root) / f
                    if fp.suffix.lower() in BILL_EXTS and not f.startswith("."):
                        stems.setdefault((root, fp.stem), []).append(fp)
            for key in sorted(stems):
                cands = stems[key]
                cands.sort(key=lambda x: order.index(x.suffix.lower()))
                out.append(str(cands[0]))
        else:
            out.append(str(src))
    return out
