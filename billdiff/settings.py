"""One frozen Settings object holds every knob; validated on creation; yields a cache key."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass, replace

from .errors import SettingsError


@dataclass(frozen=True)
class Settings:
    # --- reading ---------------------------------------------------------------------------
    keep_deleted: bool = False  # keep struck / deleted matter in the text that is compared
    # --- alignment -------------------------------------------------------------------------
    min_words: int = 12  # shortest passage reported
    seed_words: int = 5  # exact word n-gram that seeds a passage
    max_gap: int = 8  # words of edits tolerated inside one passage (per side)
    min_identity: float = 0.7  # passages below this share of identical words are dropped
    # match state names, legislature names, code abbreviations and numbers as classes
    # (billdiff/classes.py): an adoption that puts in its own state's name still matches
    word_classes: bool = True
    # --- sketching / index -----------------------------------------------------------------
    shingle_words: int = 4  # = the index's "standard" preset (billdiff/index/presets.py)
    window_words: int = 50  # passage windows that are sketched
    window_step: int = 25
    num_perm: int = 96
    lsh_bands: int = 32  # bands * rows == num_perm
    seed: int = 1
    # --- boilerplate ------------------------------------------------------------------------
    boilerplate_doc_share: float = 0.05  # shingle in more than this share of documents = common
    boilerplate_min_docs: int = 5
    # ... or in more than this many times the square root of the number of bills: in a large
    # corpus 5% is thousands of bills, and a state's task-force or severability wording that
    # recurs in a few hundred unrelated statutes is boilerplate all the same
    boilerplate_sqrt: float = 1.0
    # --- search -----------------------------------------------------------------------------
    related_similarity: float = 0.2  # topic similarity at which a hit without passages is "related"
    # --- lineage ------------------------------------------------------------------------------
    min_shared_words: int = 40  # substantive reuse needed for a copied-from edge

    def __post_init__(self) -> None:
        def need(cond: bool, msg: str) -> None:
            if not cond:
                raise SettingsError(msg)

        need(self.min_words >= 3, f"min_words={self.min_words}: use 3 or more words")
        need(
            1 <= self.seed_words <= self.min_words,
            f"seed_words={self.seed_words}: use 1..min_words ({self.min_words})",
        )
        need(self.max_gap >= 0, f"max_gap={self.max_gap}: use 0 or more")
        need(
            0.0 < self.min_identity <= 1.0,
            f"min_identity={self.min_identity}: use a share in (0, 1]",
        )
        need(self.shingle_words >= 1, f"shingle_words={self.shingle_words}: use 1 or more")
        need(
            self.window_words >= self.shingle_words,
            f"window_words={self.window_words}: use at least shingle_words",
        )
        need(
            1 <= self.window_step <= self.window_words,
            f"window_step={self.window_step}: use 1..window_words",
        )
        need(self.num_perm >= 16, f"num_perm={self.num_perm}: use 16 or more")
        need(
            self.lsh_bands >= 1 and self.num_perm % self.lsh_bands == 0,
            f"lsh_bands={self.lsh_bands}: must divide num_perm ({self.num_perm})",
        )
        need(
            0.0 < self.boilerplate_doc_share <= 1.0,
            f"boilerplate_doc_share={self.boilerplate_doc_share}: use a share in (0, 1]",
        )
        need(self.boilerplate_sqrt > 0, f"boilerplate_sqrt={self.boilerplate_sqrt}: use > 0")
        need(self.min_shared_words >= 1, f"min_shared_words={self.min_shared_words}: use 1+")

    @property
    def lsh_rows(self) -> int:
        return self.num_perm // self.lsh_bands

    def replace(self, **changes) -> Settings:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """The settings as a new dict (a copy: callers may change it)."""
        return dict(_as_dict(self))

    def cache_key(self) -> str:
        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@functools.lru_cache(maxsize=64)
def _as_dict(settings: Settings) -> dict:
    # every compared pair's report carries the settings: asdict per pair cost 1% of a search
    return asdict(settings)


DEFAULT = Settings()
