"""evaluate: measure billdiff on labelled bills — ranking, the substantive decision, the score.

A labels file (JSON or CSV) holds either

* DOCUMENTS with a group label (``path`` or ``id``, ``group``): documents of one group are
  versions or adoptions of one act; an empty group is an unrelated bill. Every document is
  searched (``Index.search``) against an index of all of them (a temporary one, or ``db``
  where the ids live); or
* PAIRS (``a``, ``b``, ``label``): each pair is compared (``compare``).

``load_labels`` reads and checks the file (every mistake is an ``InputError`` naming the line
at fault); ``evaluate`` runs billdiff and returns a frozen ``Evaluation``. The figures use
scikit-learn's metrics; scikit-learn is imported inside the functions that need it only, so
importing this module (or compare, search, lineage) never loads it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ._version import __version__
from .errors import InputError
from .settings import Settings

SCHEMA = "billdiff.evaluate/1"
RECALL_AT = (1, 5, 10)
TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f"}


# --- labels --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """One document reference of a labels file: a path, a URL or an index id."""

    given: str  # as written in the labels file
    kind: str  # 'path' | 'url' | 'id'
    source: str  # the resolved path, the URL, or the id


@dataclass(frozen=True)
class LabelledDocument:
    line: int
    ref: Ref
    group: str  # '' = unrelated to every other document


@dataclass(frozen=True)
class LabelledPair:
    line: int
    a: Ref
    b: Ref
    label: bool


@dataclass(frozen=True)
class Labels:
    path: str  # as given
    kind: str  # 'documents' | 'pairs'
    documents: tuple[LabelledDocument, ...] = ()
    pairs: tuple[LabelledPair, ...] = ()
    sha256: str = ""


class _Reader:
    """Rows of a labels file as (line number, {column: value}), and errors that name the line."""

    def __init__(self, path: str):
        self.path = path
        self.name = str(path)

    def error(self, line: int | None, what: str, hint: str | None = None) -> InputError:
        where = f"{self.name} line {line}" if line else self.name
        return InputError(f"{where}: {what}", hint=hint)

    def rows(self, data: str) -> tuple[str | None, list[tuple[int, dict]]]:
        """(kind named by a JSON wrapper or None, rows)."""
        if Path(self.path).suffix.lower() == ".csv" or not data.lstrip().startswith(("[", "{")):
            return None, self._csv(data)
        return self._json(data)

    def _csv(self, data: str) -> list[tuple[int, dict]]:
        reader = csv.reader(io.StringIO(data, newline=""), strict=True)
        out: list[tuple[int, dict]] = []
        header: list[str] | None = None
        try:
            start = 1
            for rec in reader:
                line, start = start, reader.line_num + 1
                if not any(c.strip() for c in rec):
                    continue
                if header is None:
                    header = [c.strip().lower() for c in rec]
                    continue
                if len(rec) > len(header):
                    raise self.error(
                        line,
                        f"{len(rec)} fields where the header has {len(header)}",
                        "quote values that hold commas",
                    )
                out.append(
                    (line, {h: (c.strip() if c else "") for h, c in zip(header, rec, strict=False)})
                )
        except csv.Error as err:
            raise self.error(
                reader.line_num,
                f"not valid CSV ({err})",
                "check the quotes on that line: a quoted value must close on its line",
            ) from None
        if header is None:
            raise self.error(None, "the file is empty", "write a header row, e.g. path,group")
        self.columns = header
        return out

    def _json(self, data: str) -> tuple[str | None, list[tuple[int, dict]]]:
        try:
            value = json.loads(data)
        except json.JSONDecodeError as err:
            raise self.error(
                err.lineno,
                f"not valid JSON ({err.msg}, column {err.colno})",
                "fix the JSON there (a missing comma or quote?)",
            ) from None
        kind = None
        if isinstance(value, dict):
            keys = [k for k in ("documents", "pairs") if k in value]
            if len(keys) != 1:
                raise self.error(
                    1,
                    'a JSON object must hold one list, "documents" or "pairs"',
                    'write {"documents": [...]}, {"pairs": [...]} or a list of objects',
                )
            kind = keys[0]
            items = value[kind]
            if not isinstance(items, list):
                raise self.error(1, f'"{kind}" is not a list', "write one object per row in a list")
        elif isinstance(value, list):
            items = value
        else:
            raise self.error(
                1,
                "the JSON is neither a list nor an object",
                'write a list of objects, or {"documents": [...]} / {"pairs": [...]}',
            )
        lines = _element_lines(data, kind)
        out = []
        for i, item in enumerate(items):
            line = lines[i] if i < len(lines) else None
            if not isinstance(item, dict):
                raise self.error(line, f"item {i + 1} is not an object", "write {...} per row")
            out.append((line, {str(k).strip().lower(): v for k, v in item.items()}))
        self.columns = sorted({k for _line, row in out for k in row})
        return kind, out


def _element_lines(data: str, key: str | None) -> list[int]:
    """1-based line of each element of the top-level list (or of ``data[key]``)."""
    dec = json.JSONDecoder()
    ws = re.compile(r"\s*")

    def skip(i: int) -> int:
        return ws.match(data, i).end()

    i = skip(0)
    if key is not None:  # walk the object's members to the list under ``key``
        i = skip(i + 1)
        while data[i] != "}":
            name, i = dec.raw_decode(data, i)
            i = skip(skip(i) + 1)  # past ':'
            if name == key:
                break
            _, i = dec.raw_decode(data, i)
            i = skip(i)
            if data[i] == ",":
                i = skip(i + 1)
    lines: list[int] = []
    i = skip(i + 1)  # past '['
    while i < len(data) and data[i] != "]":
        lines.append(data.count("\n", 0, i) + 1)
        _, i = dec.raw_decode(data, i)
        i = skip(i)
        if i < len(data) and data[i] == ",":
            i = skip(i + 1)
    return lines


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _boolean(value, line: int, rd: _Reader) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    if not text:
        raise rd.error(line, "no label", "write 1/0, true/false or yes/no in the label column")
    raise rd.error(line, f"label {text!r} is not boolean", "write 1/0, true/false or yes/no")


def load_labels(path, *, db_ids: set[str] | None = None, db_path: str | None = None) -> Labels:
    """Read and check a labels file. ``db_ids``: the ids of the index given with ``--db``
    (ids are allowed only then). Raises InputError naming the line at fault."""
    from .fetch import is_url, sha256_file

    rd = _Reader(os.fspath(path))
    p = Path(path)
    if not p.is_file():
        raise InputError("no such labels file", path=str(path), hint="check the path")
    raw = p.read_bytes()
    try:
        data = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"not UTF-8 text ({err.reason} at byte {err.start})",
            path=str(path),
            hint="save the labels file as UTF-8",
        ) from None
    if not data.strip():
        raise InputError("the labels file is empty", path=str(path), hint="see docs/evaluate.md")
    kind, rows = rd.rows(data)
    cols = set(rd.columns)
    if kind is None:
        if {"a", "b"} <= cols:
            kind = "pairs"
        elif "group" in cols and cols & {"path", "id"}:
            kind = "documents"
        else:
            raise rd.error(
                1,
                f"no columns to evaluate (found: {', '.join(rd.columns) or 'none'})",
                "give path (or id) and group for documents, or a, b and label for pairs",
            )
    if kind == "pairs" and "label" not in cols:
        raise rd.error(1, "pairs need a label column", "add label: 1/0, true/false or yes/no")
    if not rows:
        raise rd.error(None, f"no {kind} listed", "add one row per " + kind[:-1])
    base = p.resolve().parent
    seen: dict[str, int] = {}

    def ref(value, line: int, column: str) -> Ref:
        given = _text(value)
        if not given:
            raise rd.error(line, f"empty {column}", f"give the {column} of every row")
        if is_url(given):
            return Ref(given, "url", given)
        if column == "id" and db_ids is None:
            raise rd.error(
                line,
                f"document id {given!r} without an index",
                "give the index that holds the ids with --db INDEX, or use a path column",
            )
        if db_ids is not None and column in ("id", "a", "b") and given in db_ids:
            return Ref(given, "id", given)
        if column == "id":
            raise rd.error(
                line,
                f"unknown document id {given!r}",
                f"it is not in {db_path}; `billdiff index list --db {db_path}` lists the ids",
            )
        f = (base / given).resolve() if not os.path.isabs(given) else Path(given)
        if not f.is_file():
            what = f"no such file {given!r} (looked in {base})"
            if db_ids is not None:
                what = f"{given!r} is neither a file nor a document id in {db_path}"
            raise rd.error(line, what, "paths are relative to the labels file's folder")
        return Ref(given, "path", str(f))

    if kind == "documents":
        docs = []
        for line, row in rows:
            has_id = bool(_text(row.get("id")))
            col = "id" if has_id else "path"
            r = ref(row.get(col), line, col)
            if r.source in seen:
                raise rd.error(
                    line,
                    f"{r.given!r} is listed twice (first on line {seen[r.source]})",
                    "list each document once",
                )
            if db_ids is not None and r.kind != "id":
                raise rd.error(
                    line,
                    f"{r.given!r} is not a document id in {db_path}",
                    "with --db every document must be an indexed id: index it first with "
                    "`billdiff index add`, or leave out --db",
                )
            seen[r.source] = line
            docs.append(LabelledDocument(line, r, _text(row.get("group"))))
        sizes: dict[str, list[int]] = {}
        for d in docs:
            if d.group:
                sizes.setdefault(d.group, []).append(d.line)
        for g, lines in sizes.items():
            if len(lines) == 1:
                raise rd.error(
                    lines[0],
                    f"group {g!r} has only one document",
                    "a group needs two or more; leave the group empty for an unrelated bill",
                )
        if not sizes:
            raise rd.error(None, "no document has a group", "give related documents one group")
        return Labels(str(path), kind, documents=tuple(docs), sha256=sha256_file(p))
    pairs = []
    for line, row in rows:
        a = ref(row.get("a"), line, "a")
        b = ref(row.get("b"), line, "b")
        pairs.append(LabelledPair(line, a, b, _boolean(row.get("label"), line, rd)))
    return Labels(str(path), kind, pairs=tuple(pairs), sha256=sha256_file(p))


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryRow:
    """One grouped document searched against the others."""

    id: str
    line: int
    group: str
    others: int  # other documents of its group
    ranks: tuple[int, ...]  # 1-based ranks of the others in the search listing
    listed: int  # hits in the listing

    def recall_at(self, k: int) -> float:
        return sum(r <= k for r in self.ranks) / self.others

    @property
    def r_precision(self) -> float:
        return self.recall_at(self.others)

    @property
    def reciprocal_rank(self) -> float:
        return 1.0 / min(self.ranks) if self.ranks else 0.0


@dataclass(frozen=True)
class PairRow:
    a: str
    b: str
    line_a: int
    line_b: int  # == line_a for a pairs file
    label: bool
    score: float  # the pair score the curve and the AUC use
    substantive: bool  # billdiff's decision
    probability: float | None = None
    group_a: str = ""
    group_b: str = ""
    rank_ab: int | None = None  # rank of b when a is searched (documents)
    rank_ba: int | None = None
    source_a: str = ""  # as written in the labels file
    source_b: str = ""


@dataclass(frozen=True)
class CurvePoint:
    threshold: float | None  # None: the curve's end point (precision 1, recall 0)
    precision: float
    recall: float


@dataclass(frozen=True)
class Decision:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else (0.0 if p is not None else None)


@dataclass(frozen=True)
class Threshold:
    value: float
    precision: float
    recall: float
    f1: float
    below: float | None = None  # the highest pair score under it: any cut in (below, value] agrees


@dataclass(frozen=True)
class Evaluation:
    labels: Labels
    score_kind: str  # 'probability' | 'normalised score' | 'substantive identical words'
    settings: dict
    options: dict  # top, db
    tool_version: str
    documents: int
    groups: int
    queries: tuple[QueryRow, ...]
    pairs: tuple[PairRow, ...]
    decision: Decision
    roc_auc: float | None
    average_precision: float | None
    curve: tuple[CurvePoint, ...]
    threshold: Threshold | None  # best F1 on the score
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> str:
        return self.labels.kind

    @property
    def positives(self) -> int:
        return sum(p.label for p in self.pairs)

    def recall_at(self, k: int | None = None) -> float | None:
        """Mean recall@k over the queries; ``None`` → k = the group size - 1 (R-precision)."""
        if not self.queries:
            return None
        vals = [q.r_precision if k is None else q.recall_at(k) for q in self.queries]
        return sum(vals) / len(vals)

    @property
    def r_precision(self) -> float | None:
        return self.recall_at(None)

    @property
    def mrr(self) -> float | None:
        if not self.queries:
            return None
        return sum(q.reciprocal_rank for q in self.queries) / len(self.queries)

    @property
    def listed(self) -> float | None:
        """Mean share of a document's group listed at all (any rank within ``top``)."""
        if not self.queries:
            return None
        return sum(len(q.ranks) / q.others for q in self.queries) / len(self.queries)

    @property
    def exit_code(self) -> int:
        return 0


# --- running -------------------------------------------------------------------------------------

Progress = Callable[[int, int, str], None]


def evaluate(
    labels,
    *,
    db=None,
    top: int = 10,
    settings: Settings | None = None,
    offline: bool = False,
    progress: Progress | None = None,
) -> Evaluation:
    """Run billdiff over a labels file (path or ``Labels``) and measure it.

    Documents: every document is searched (``top`` hits, at least the largest group - 1)
    against a temporary index of all of them, or against ``db`` where their ids live; a pair
    is positive when both are in one non-empty group. Pairs: each is compared.
    """
    t0 = time.perf_counter()
    settings = settings or Settings()
    if db is not None and not os.path.exists(db):
        raise InputError(
            "no such index", path=str(db), hint="give the index that holds the ids, or no --db"
        )
    if not isinstance(labels, Labels):
        ids = None
        if db is not None:
            from .index import Index

            with Index(db, create=False) as ix:
                ids = set(ix.ids())
        labels = load_labels(labels, db_ids=ids, db_path=None if db is None else str(db))
    if labels.kind == "documents":
        run = _run_documents(labels, db, top, settings, offline, progress)
    else:
        run = _run_pairs(labels, db, settings, offline, progress)
    queries, rows, score_kind, top_used = run
    return _measure(
        labels,
        queries,
        rows,
        score_kind,
        settings,
        {"top": top_used, "db": None if db is None else str(db)},
        time.perf_counter() - t0,
    )


def _read(ref: Ref, line: int, labels: Labels, offline: bool, ix=None):
    from .ingest import read

    if ref.kind == "id":
        return ix.get(ref.source)
    try:
        return read(ref.source, offline=offline)
    except InputError as err:
        raise InputError(f"{labels.path} line {line}: {err.oneline()}") from None


def _hit_score(hit, query_words: int) -> tuple[float, float | None]:
    prob = getattr(hit, "probability", None)
    if prob is not None:
        return float(prob), float(prob)
    return min(1.0, float(hit.score) / max(1, query_words)), None


def _run_documents(labels: Labels, db, top, settings, offline, progress):
    import tempfile

    from .index import Index

    docs = labels.documents
    sizes: dict[str, int] = {}
    for d in docs:
        if d.group:
            sizes[d.group] = sizes.get(d.group, 0) + 1
    top = max(top, max(sizes.values()) - 1)
    read: list = []
    if db is None:
        used: set[str] = set()
        for i, d in enumerate(docs):
            doc = _read(d.ref, d.line, labels, offline)
            if doc.id in used or not doc.id:  # two files with one stem: keep both apart
                doc = replace(doc, meta=replace(doc.meta, id=f"{doc.id or 'doc'}~{d.line}"))
            used.add(doc.id)
            read.append(doc)
            if progress:
                progress(i + 1, len(docs), "read")
    with tempfile.TemporaryDirectory(prefix="billdiff-evaluate-") as tmp:
        if db is not None:
            ix = Index(db, settings=settings, create=False)
        else:
            ix = Index(Path(tmp) / "evaluate.db", settings=settings)
        try:
            if db is not None:
                read = [ix.get(d.ref.source) for d in docs]
            else:
                res = ix.add(read)
                if res.failed:
                    src, msg = res.failed[0]
                    raise InputError(f"cannot index {src}: {msg}")
            ids = [doc.id for doc in read]
            where = {i: n for n, i in enumerate(ids)}
            scores: dict[tuple[int, int], list] = {}
            queries = []
            score_kind = "normalised score"
            for n, (d, doc) in enumerate(zip(docs, read, strict=True)):
                result = ix.search(doc, top=top)
                ranks = []
                for rank, hit in enumerate(result.hits, 1):
                    m = where.get(hit.doc.meta.id)
                    if m is None or m == n:
                        continue
                    if d.group and docs[m].group == d.group:
                        ranks.append(rank)
                    score, prob = _hit_score(hit, result.query.words)
                    if prob is not None:
                        score_kind = "probability"
                    subst = bool(hit.substantive) and not getattr(hit, "related", False)
                    scores[(n, m)] = [score, prob, subst, rank]
                if d.group:
                    queries.append(
                        QueryRow(
                            ids[n],
                            d.line,
                            d.group,
                            sizes[d.group] - 1,
                            tuple(ranks),
                            len(result.hits),
                        )
                    )
                if progress:
                    progress(n + 1, len(docs), "search")
        finally:
            ix.close()
    rows = []
    for i in range(len(docs)):
        for j in range(i + 1, len(docs)):
            ab, ba = scores.get((i, j)), scores.get((j, i))
            found = [s for s in (ab, ba) if s is not None]
            probs = [s[1] for s in found if s[1] is not None]
            rows.append(
                PairRow(
                    a=ids[i],
                    b=ids[j],
                    line_a=docs[i].line,
                    line_b=docs[j].line,
                    label=bool(docs[i].group) and docs[i].group == docs[j].group,
                    score=max((s[0] for s in found), default=0.0),
                    substantive=any(s[2] for s in found),
                    probability=max(probs) if probs else None,
                    group_a=docs[i].group,
                    group_b=docs[j].group,
                    rank_ab=ab[3] if ab else None,
                    rank_ba=ba[3] if ba else None,
                    source_a=docs[i].ref.given,
                    source_b=docs[j].ref.given,
                )
            )
    return tuple(queries), tuple(rows), score_kind, top


def _run_pairs(labels: Labels, db, settings, offline, progress):
    from .pairwise import compare_docs

    ix = None
    if db is not None and any(r.kind == "id" for p in labels.pairs for r in (p.a, p.b)):
        from .index import Index

        ix = Index(db, settings=settings, create=False)
    cache: dict[str, object] = {}
    rows = []
    score_kind = "substantive identical words"
    try:
        for n, p in enumerate(labels.pairs):
            pair = []
            for r in (p.a, p.b):
                key = f"{r.kind}:{r.source}"
                if key not in cache:
                    cache[key] = _read(r, p.line, labels, offline, ix)
                pair.append(cache[key])
            rep = compare_docs(pair[0], pair[1], settings=settings)
            prob = getattr(rep, "probability", None)
            if prob is not None:
                score_kind = "probability"
                score = float(prob)
            else:
                score = float(sum(x.identical_words for x in rep.substantive))
            rows.append(
                PairRow(
                    a=pair[0].id or p.a.given,
                    b=pair[1].id or p.b.given,
                    line_a=p.line,
                    line_b=p.line,
                    label=p.label,
                    score=score,
                    substantive=bool(rep.substantive),
                    probability=None if prob is None else float(prob),
                    source_a=p.a.given,
                    source_b=p.b.given,
                )
            )
            if progress:
                progress(n + 1, len(labels.pairs), "compare")
    finally:
        if ix is not None:
            ix.close()
    return (), tuple(rows), score_kind, None


def _measure(labels, queries, rows, score_kind, settings, options, seconds) -> Evaluation:
    """The figures, with scikit-learn's metrics (imported here only)."""
    import numpy as np
    from sklearn.metrics import (
        average_precision_score,
        confusion_matrix,
        precision_recall_curve,
        roc_auc_score,
    )

    y = np.array([r.label for r in rows], dtype=int)
    s = np.array([r.score for r in rows], dtype=float)
    pred = np.array([r.substantive for r in rows], dtype=int)
    tn, fp, fn, tp = (int(x) for x in confusion_matrix(y, pred, labels=[0, 1]).ravel())
    notes = []
    auc = ap = None
    curve: tuple[CurvePoint, ...] = ()
    best = None
    if 0 < y.sum() < len(y):
        auc = float(roc_auc_score(y, s))
        ap = float(average_precision_score(y, s))
    else:
        notes.append(
            "ROC AUC and average precision need both positive and negative pairs; "
            f"there are {int(y.sum())} positive of {len(y)}"
        )
    if y.sum() > 0:
        prec, rec, thr = precision_recall_curve(y, s)
        curve = tuple(
            CurvePoint(float(thr[i]) if i < len(thr) else None, float(prec[i]), float(rec[i]))
            for i in range(len(prec))
        )
        for c in curve:
            if c.threshold is None or c.precision + c.recall == 0:
                continue
            f1 = 2 * c.precision * c.recall / (c.precision + c.recall)
            if best is None or f1 > best.f1 + 1e-12:  # ties: the lower threshold (first)
                best = Threshold(c.threshold, c.precision, c.recall, f1)
    if best is not None and (s < best.value).any():
        best = replace(best, below=float(s[s < best.value].max()))
    docs = len(labels.documents) if labels.kind == "documents" else 0
    groups = len({d.group for d in labels.documents if d.group})
    return Evaluation(
        labels=labels,
        score_kind=score_kind,
        settings=settings.to_dict(),
        options=options,
        tool_version=__version__,
        documents=docs,
        groups=groups,
        queries=queries,
        pairs=rows,
        decision=Decision(tp, fp, fn, tn),
        roc_auc=auc,
        average_precision=ap,
        curve=curve,
        threshold=best,
        seconds=seconds,
        notes=tuple(notes),
    )
