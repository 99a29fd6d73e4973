"""billdiff — find where one piece of legislation copied another, word for word.

The public API (everything else is internal)::

    import billdiff
    doc = billdiff.read("bill.pdf")
    report = billdiff.compare("a.pdf", "b.txt")      # paths, URLs or Documents
    index = billdiff.Index("bills.db"); index.search(doc)
    graph = billdiff.lineage(index)

Heavy libraries (numpy, pdfplumber, lxml) are imported only where used. The modules behind
``compare``, ``align`` and ``lineage`` are named ``pairwise``, ``aligner`` and
``lineage_graph`` so that importing them never rebinds the package attribute (Python binds a
submodule's name on its package) away from the function.
"""

from __future__ import annotations

from importlib import import_module

from ._version import __version__

__all__ = [
    "__version__",
    "Settings",
    "BilldiffError",
    "Document",
    "Metadata",
    "Tokens",
    "Passage",
    "PairReport",
    "SearchResult",
    "LineageGraph",
    "read",
    "tokenize",
    "align",
    "compare",
    "Index",
    "lineage",
]

_WHERE = {
    "Settings": "settings",
    "BilldiffError": "errors",
    "Document": "model",
    "Metadata": "model",
    "Tokens": "model",
    "Passage": "model",
    "PairReport": "model",
    "SearchResult": "model",
    "LineageGraph": "model",
    "read": "ingest",
    "tokenize": "normalize",
    "align": "aligner",
    "compare": "pairwise",
    "Index": "index",
    "lineage": "lineage_graph",
}


def __getattr__(name: str):
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'billdiff' has no attribute {name!r}")
    value = getattr(import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
