"""Frozen values shared by the pipeline stages.

Offsets are always character offsets into ``Document.text`` — the text the user gave us
(decoded file for TXT; extracted text for PDF and HTML), never a normalised copy. Regions
of that text that are not part of the bill as it would read (page furniture, line numbers,
deleted matter) are listed in ``Document.skip`` and left out of ``Tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class Span:
    """A region ``text[start:end]`` with a kind.

    kinds used: ``furniture`` (header/footer/page number/margin stamp/banner), ``line-number``,
    ``deleted`` (struck / ((double parenthesis)) / [bracketed] matter), ``inserted``
    (underlined new matter), ``section`` (a section heading; ``label`` holds its label).
    """

    start: int
    end: int
    kind: str
    label: str = ""


@dataclass(frozen=True)
class Metadata:
    id: str = ""
    title: str = ""
    state: str = ""
    session: str = ""
    bill: str = ""
    version: str = ""
    date: str = ""  # ISO date (YYYY-MM-DD) when known
    sponsors: tuple[str, ...] = ()
    source: str = ""  # URL or path as the user gave it
    source_url: str = ""  # official URL when known
    sha256: str = ""  # of the source bytes
    format: str = ""  # txt | html | pdf
    extra: tuple[tuple[str, str], ...] = ()  # other sidecar facts, as sorted (key, value)

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["sponsors"] = list(self.sponsors)
        d["extra"] = dict(self.extra)
        return d

    @property
    def label(self) -> str:
        """Short human label: 'WA SB 6280 (introduced)' or the id."""
        parts = [p for p in (self.state, self.bill) if p]
        if not parts:
            return self.id or self.source
        lab = " ".join(parts)
        return f"{lab} ({self.version})" if self.version else lab


@dataclass(frozen=True)
class Document:
    text: str
    meta: Metadata
    skip: tuple[Span, ...] = ()  # sorted, non-overlapping regions left out of the tokens
    marks: tuple[Span, ...] = ()  # informational spans: inserted, section headings, pages
    pages: tuple[int, ...] = ()  # char offset where each page starts (PDF)

    @property
    def id(self) -> str:
        return self.meta.id

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset in ``text``."""
        return self.text.count("\n", 0, offset) + 1

    def page_of(self, offset: int) -> int | None:
        if not self.pages:
            return None
        import bisect

        return bisect.bisect_right(self.pages, offset)


@dataclass(frozen=True)
class Tokens:
    """Normalised words of a document with their character spans in ``Document.text``.

    ``words[i]`` is lower-case, punctuation-free; ``starts[i]:ends[i]`` is where it stands in
    the original text (a word hyphenated across lines spans both pieces).
    """

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.words)


@dataclass(frozen=True)
class EditOp:
    """One word-level edit operation (rapidfuzz/difflib opcode on word sequences).

    tag: ``equal`` | ``replace`` | ``delete`` (only in A) | ``insert`` (only in B).
    Word indexes are absolute positions in each document's Tokens.
    """

    tag: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int


@dataclass(frozen=True)
class Passage:
    """One reused passage: where it is in A and in B, how alike, and how."""

    a_start: int  # word index (inclusive) in A's tokens
    a_end: int  # word index (exclusive)
    b_start: int
    b_end: int
    a_char_start: int  # character offsets into A's Document.text
    a_char_end: int
    b_char_start: int
    b_char_end: int
    identical_words: int  # words in 'equal' ops
    ops: tuple[EditOp, ...]
    score: float  # alignment score (higher = more/longer identical text)
    boilerplate_share: float = 0.0  # share of the passage that is common/stock text
    stock_phrase: str = ""  # name of the stock legislative phrase it is made of, if any
    a_section: str = ""
    b_section: str = ""
    class_words: int = 0  # words that match only as a class (a state's name, a number)

    @property
    def a_words(self) -> int:
        return self.a_end - self.a_start

    @property
    def b_words(self) -> int:
        return self.b_end - self.b_start

    @property
    def identity(self) -> float:
        """Share of identical words, over the longer side."""
        return self.identical_words / max(self.a_words, self.b_words, 1)

    @property
    def edited_words(self) -> int:
        """Words inside the passage that are not identical as written (replaced, inserted or
        deleted: the longer side of each edit), class matches included."""
        return sum(
            max(o.a_end - o.a_start, o.b_end - o.b_start) for o in self.ops if o.tag != "equal"
        )

    @property
    def is_boilerplate(self) -> bool:
        return bool(self.stock_phrase) or self.boilerplate_share >= 0.5


@dataclass(frozen=True)
class DocSummary:
    """What a report needs to know of a document, without its text."""

    meta: Metadata
    words: int


@dataclass(frozen=True)
class PairReport:
    """Everything ``compare`` found between A and B."""

    a: DocSummary
    b: DocSummary
    passages: tuple[Passage, ...]  # sorted by a_start, then b_start
    coverage_a: float  # share of A's words inside some passage
    coverage_b: float
    settings: dict  # the Settings used, as a dict
    tool_version: str
    a_doc: Document | None = field(default=None, repr=False, compare=False)
    b_doc: Document | None = field(default=None, repr=False, compare=False)
    a_tokens: Tokens | None = field(default=None, repr=False, compare=False)
    b_tokens: Tokens | None = field(default=None, repr=False, compare=False)

    @property
    def longest(self) -> int:
        return max((max(p.a_words, p.b_words) for p in self.passages), default=0)

    @property
    def substantive(self) -> tuple[Passage, ...]:
        return tuple(p for p in self.passages if not p.is_boilerplate)

    @property
    def exit_code(self) -> int:
        return 0


@dataclass(frozen=True)
class SearchHit:
    doc: DocSummary
    score: float  # verified, boilerplate-discounted
    estimated_similarity: float  # from LSH (an estimate, not a finding)
    report: PairReport  # verified alignment of query (A) vs this document (B)
    boilerplate_share: float
    reason: str
    # calibrated probability that the hit is substantive reuse (billdiff/calibrate.py)
    probability: float = 0.0
    substantive: bool = False  # a substantive passage, and probability >= the model threshold
    related: bool = False  # close in topic, no verified passage: never substantive
    features: dict = field(default_factory=dict, compare=False)  # what the probability saw


@dataclass(frozen=True)
class SearchResult:
    query: DocSummary
    hits: tuple[SearchHit, ...]  # best first
    candidates_considered: int
    index_documents: int
    settings: dict
    tool_version: str
    fail_on_match: bool = False
    aligned: int = 0  # candidates verified by alignment (LSH's and the topic shortlist's)
    topic_shortlist: int = 0  # candidates the tf-idf topic shortlist added to LSH's

    def __iter__(self):
        """The hits, best first: ``for hit in index.search(doc): ...``."""
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def exit_code(self) -> int:
        if self.fail_on_match and any(h.substantive for h in self.hits):
            return 1
        return 0


EDGE_TYPES = (
    "version-of",
    "copied-from",
    "shares-source-with",
    "companion-of",
    "amends-same-law",
    "boilerplate-only",
)


@dataclass(frozen=True)
class LineageNode:
    id: str
    meta: Metadata
    words: int
    inferred: bool = False  # an inferred unseen ancestor, not a document we have
    shared_text: str = ""  # for inferred nodes: the text the descendants share


@dataclass(frozen=True)
class LineageEdge:
    source: str  # node id the text came from (for undirected types: the earlier/lower id)
    target: str
    type: str  # one of EDGE_TYPES
    directed: bool
    confidence: float  # 0..1
    shared_words: int
    coverage_source: float  # share of source's words found in target
    coverage_target: float  # share of target's words found in source
    passages: int
    reason: str  # one line, says how direction was decided
    direction_basis: str = ""  # 'dates' | 'version-order' | 'containment' | ''
    reduced: bool = False  # True when explained by a path (kept as evidence, not drawn)
    report: PairReport | None = field(default=None, repr=False, compare=False)
    # calibrated probability that the pair is substantive reuse (billdiff/calibrate.py), and
    # the features behind it; None for edges to an inferred (unseen) ancestor
    probability: float | None = None
    features: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Family:
    id: str
    root: str  # node id of the model-bill candidate
    members: tuple[str, ...]


@dataclass(frozen=True)
class LineageGraph:
    nodes: tuple[LineageNode, ...]
    edges: tuple[LineageEdge, ...]  # all verified edges, reduced ones flagged
    families: tuple[Family, ...]
    settings: dict
    tool_version: str
    # inputs that could not be read (file, or record id; why): both engines go on without them
    failed: tuple[tuple[str, str], ...] = ()

    def node(self, node_id: str) -> LineageNode:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    @property
    def drawn_edges(self) -> tuple[LineageEdge, ...]:
        return tuple(e for e in self.edges if not e.reduced)
