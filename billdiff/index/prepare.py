"""Read → tokenize → sketch one document: the part of `index add` that runs in a process pool.

``prepare`` is a pure function of its arguments and returns plain picklable values; the SQLite
writes stay in the parent process.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
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
    terms: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # topics
    term_weights: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))


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
    from ..topics import term_vector

    tokens = tokenize(doc, keep_deleted=keep_deleted)
    words = tuple(tokens.words)  # one object: sketch and term_vector share its matching keys
    sk = sketch_words(words, params)
    terms, weights = term_vector(words)
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
        terms,
        weights,
    )


def prepare(
    item, meta: dict | None, params: SketchParams, keep_deleted: bool, read_kw: dict | None = None
) -> Prepared | Failed:
    """``item``: a Document, a path or a URL (or a Failed from ``expand``, returned as it is).
    Errors a person can act on come back as Failed."""
    if isinstance(item, Failed):
        return item
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

    A JSON Lines file (``.jsonl``, ``.jsonl.gz``, ``.ndjson[.gz]``), given or found in a
    directory, gives one Document per record, in file order, read here in the calling process
    (a gzip stream is read from its start; ids are checked for repeats across the file; the
    Documents are pickled to the pool like any other). A record that cannot be read becomes a
    ``Failed("path:line", message)`` in its place, and a file that cannot be read at all one
    ``Failed(path, message)``: ``prepare`` passes them through, so the writer reports them and
    adds the rest.
    """
    from ..ingest.jsonl import is_jsonl

    order = PREFER[prefer]
    out: list = []
    for src in sources:
        if isinstance(src, Document) or (isinstance(src, str) and "://" in src):
            out.append(src)
            continue
        p = Path(src)
        if p.is_dir():
            found: dict[tuple[str, str, str], list[Path]] = {}
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    fp = Path(root) / f
                    if f.startswith("."):
                        continue
                    if is_jsonl(f):
                        found[(root, f, "jsonl")] = [fp]
                    elif fp.suffix.lower() in BILL_EXTS:
                        found.setdefault((root, fp.stem, ""), []).append(fp)
            for key in sorted(found):
                cands = found[key]
                if key[2] == "jsonl":
                    out.extend(_records(cands[0]))
                    continue
                cands.sort(key=lambda x: order.index(x.suffix.lower()))
                out.append(str(cands[0]))
        elif is_jsonl(p) and p.is_file():
            out.extend(_records(p))
        else:
            out.append(str(src))
    return out


def _records(path: Path, max_errors: int = 20):
    """One JSON Lines file → its Documents, with a Failed in place of each bad record (after
    ``max_errors`` of them, one Failed at the end counts the rest: a file in another format
    should not print a line per record)."""
    from ..ingest.jsonl import RecordError, iter_jsonl

    errors: list[RecordError] = []
    for item in iter_jsonl(str(path)):
        if not isinstance(item, RecordError):
            yield item
            continue
        errors.append(item)
        if len(errors) <= max_errors or item.line == 0:
            yield Failed(item.source, item.oneline())
    more = [e.line for e in errors[max_errors:] if e.line]
    if more:
        yield Failed(
            str(path),
            f"cannot read {path}: {len(more)} more records could not be read (lines "
            f"{more[0]}–{more[-1]}) — is it JSON Lines, one object with an `id` a line?",
        )
