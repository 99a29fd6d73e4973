"""Spark input → prepared documents, read and tokenised on the executors.

Sources: a folder (or list) of bill files (the names are listed here, the files are read by
the executors), JSON Lines records (``.jsonl``, ``.jsonl.gz``: one record a line, as
``index add`` reads them) or Parquet (columns ``id``, ``text`` and metadata columns) on any
path Spark can read. Each document goes through the same stage functions as on one machine
(``ingest.read``, ``normalize.tokenize``, ``lineage_graph.bills.bill_info``, ``word_ids``).

A document that cannot be read becomes a ``("fail", name, reason)`` row and the job goes on.
A document whose processing kills its Python worker fails the task; Spark runs the task
again, and this time every document of it is processed in a forked child process of its
own, so the one that kills its process is reported failed and the others are read.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from ..model import Document, Tokens
from ..settings import Settings


@dataclass(frozen=True)
class Prepared:
    """One document as the later stages need it (texts stay on the executors)."""

    doc: Document
    tokens: Tokens
    ids: object  # numpy uint64 word ids (word_hash)
    info: object  # lineage_graph.bills.BillInfo


def prepare(doc: Document, *, settings: Settings, cache: dict | None = None) -> Prepared:
    """The pure per-document stage: tokens, word ids, bill facts."""
    from ..lineage_graph.bills import bill_info
    from ..lineage_graph.corpus import word_ids
    from ..normalize import tokenize

    toks = tokenize(doc, keep_deleted=settings.keep_deleted)
    return Prepared(doc, toks, word_ids([toks], cache)[0], bill_info(doc.meta))


def source_items(spark, source):
    """(kind, RDD of items) for ``source``: a path or list of paths, or Documents."""
    from ..lineage_graph.corpus import expand_paths

    sc = spark.sparkContext
    items = [source] if isinstance(source, str | os.PathLike | Document) else list(source)
    docs = [x for x in items if isinstance(x, Document)]
    paths = [str(x) for x in items if not isinstance(x, Document)]
    jsonl = [p for p in paths if _is_jsonl(p)]
    parquet = [p for p in paths if _is_parquet(p)]
    files = expand_paths([p for p in paths if p not in jsonl and p not in parquet])
    parts = max(sc.defaultParallelism * 4, 1)
    rdds = []
    if docs:
        rdds.append(sc.parallelize([("doc", d) for d in docs], min(parts, len(docs))))
    if files:
        rdds.append(sc.parallelize([("path", f) for f in files], min(parts, len(files))))
    for p in jsonl:
        lines = sc.textFile(p, minPartitions=parts, use_unicode=False).zipWithIndex()
        rdds.append(lines.map(lambda x, p=p: ("jsonl", (p, x[1] + 1, x[0]))))
    for p in parquet:
        rows = spark.read.parquet(p).rdd.zipWithIndex()
        rdds.append(rows.map(lambda x, p=p: ("row", (p, x[1] + 1, x[0].asDict()))))
    if not rdds:
        return sc.parallelize([], 1)
    return rdds[0] if len(rdds) == 1 else sc.union(rdds)


def _is_jsonl(p: str) -> bool:
    from ..ingest.jsonl import is_jsonl

    return is_jsonl(p)


def _is_parquet(p: str) -> bool:
    q = p.rstrip("/").lower()
    if q.endswith(".parquet"):
        return True
    return os.path.isdir(p) and any(n.endswith(".parquet") for n in os.listdir(p))


def label(item) -> str:
    kind, x = item
    if kind == "doc":
        return x.id
    if kind == "path":
        return os.path.splitext(os.path.basename(x))[0]
    return f"{x[0]}:{x[1]}"


def to_document(item) -> Document | None:
    """The Document an item names (None for a blank JSON Lines line); raises BilldiffError."""
    kind, x = item
    if kind == "doc":
        return x
    if kind == "path":
        from ..ingest import read

        return read(x)
    if kind == "jsonl":
        from ..ingest.jsonl import _record
        from ..limits import current as current_limits

        name, n, raw = x
        got = _record(bytes(raw), name, n, None, {}, current_limits().chars)
        if isinstance(got, Exception):
            raise got
        return got
    name, n, rec = x
    return _row_document(name, n, rec)


def _row_document(name: str, n: int, rec: dict) -> Document:
    from ..errors import InputError
    from ..ingest.jsonl import record_metadata
    from ..ingest.sidecar import build_metadata

    ident = rec.get("id")
    if ident is None or not str(ident).strip():
        raise InputError(f"row {n} has no `id`", path=name, hint="give every row an id")
    text = rec.get("text")
    if not isinstance(text, str):
        raise InputError(f"row {n} has no `text`", path=name, hint="add the document text")
    fields = {k: v for k, v in rec.items() if v is not None}
    base = {
        "id": str(ident).strip(),
        "source": f"{name}:{n}",
        "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        "format": "parquet",
    }
    return Document(text, build_metadata(base, record_metadata(fields), None))


def read_partition(items, *, settings: Settings, kill_on: str | None = None):
    """Executor side: items → ``("ok", Prepared)`` or ``("fail", name, reason)`` rows.
    ``kill_on``: a test hook — the process that handles the item of that name dies."""
    from pyspark import TaskContext

    ctx = TaskContext.get()
    retry = ctx is not None and ctx.attemptNumber() > 0
    cache: dict = {}
    for item in items:
        if retry:
            row = _isolated(item, settings, kill_on)
        else:
            row = _one(item, settings, kill_on, cache)
        if row is not None:
            yield row


def _one(item, settings, kill_on, cache):
    from ..errors import BilldiffError

    name = label(item)
    if kill_on is not None and name == kill_on:
        os._exit(17)  # test hook: this document kills the process that handles it
    try:
        doc = to_document(item)
        if doc is None:
            return None
        return ("ok", prepare(doc, settings=settings, cache=cache))
    except BilldiffError as err:
        return ("fail", name, str(err))
    except (OSError, ValueError, UnicodeError, MemoryError, RecursionError) as err:
        return ("fail", name, f"{type(err).__name__}: {err}")


def _isolated(item, settings, kill_on):
    """``_one`` in a forked child: a document that kills its process fails alone."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(item, settings, kill_on, send))
    proc.start()
    send.close()
    try:
        row = recv.recv()
    except EOFError:
        row = ("fail", label(item), None)
    proc.join()
    recv.close()
    if row is not None and row[0] == "fail" and row[2] is None:
        row = ("fail", row[1], f"the process reading it died (exit code {proc.exitcode})")
    return row


def _child(item, settings, kill_on, send) -> None:
    try:
        send.send(_one(item, settings, kill_on, {}))
    finally:
        send.close()


def light(row):
    """What the driver keeps of a prepared document: no text, no tokens."""
    if row[0] == "fail":
        return row
    p: Prepared = row[1]
    return ("ok", p.doc.meta, len(p.tokens), p.info)
