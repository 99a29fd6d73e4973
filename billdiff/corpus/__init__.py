"""Corpus manifests (facts and official URLs of real bills) and a polite downloader.

A manifest is a TOML file (``corpus/<name>.toml``) with one ``[[doc]]`` table per document
version: facts only (state, session, bill, version, date, sponsors, title), the official URLs
(``[[doc.files]]``), checksums where known, and what the press reported about it
(``[[doc.reported]]``). It never holds bill text. See corpus/README.md for the format.

``fetch_corpus`` gets each document once: from a mirror folder (files named ``<id>.<ext>``,
searched recursively, optional ``<id>.json`` sidecar), else from the cache, else from the
network (``billdiff.fetch``: User-Agent, timeout, retries with backoff, atomic cache writes).
It is polite (User-Agent, timeouts, retries with backoff, a pause between requests to one
host, gives up on a host that cannot be reached), resumes after an interruption (cached files
are not fetched again; a partial download is never kept) and reports what it could not get.
"""

from __future__ import annotations

from .fetching import (
    FetchItem,
    FetchReport,
    cached_path,
    documents,
    fetch_corpus,
    mirror_index,
    missing_summary,
)
from .manifest import (
    Entry,
    FileRef,
    Manifest,
    Reported,
    available_manifests,
    corpus_dirs,
    load_manifest,
)

__all__ = [
    "Entry",
    "FetchItem",
    "FetchReport",
    "FileRef",
    "Manifest",
    "Reported",
    "available_manifests",
    "cached_path",
    "corpus_dirs",
    "documents",
    "fetch_corpus",
    "load_manifest",
    "mirror_index",
    "missing_summary",
]
