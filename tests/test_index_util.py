"""Helpers for the index/search/kill tests (no tests here).

Synthetic bills are composed at test time from real statute sections read out of
../shared/corpus/background (never copied into the repository); each is marked synthetic.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

from billdiff.model import Document, Metadata

SYNTH = "SYNTHETIC TEST BILL composed of statute sections (not a real bill)."


def load_sections(
    corpus: Path, n: int = 3000, *, min_words: int = 40, which: str = "rcw", skip: int = 0
) -> list[tuple[str, str]]:
    """(cite, text) of the first ``n`` sections with at least ``min_words`` words."""
    out = []
    with gzip.open(
        corpus / "background" / f"{which}-sections.jsonl.gz", "rt", encoding="utf-8"
    ) as f:
        for line in f:
            d = json.loads(line)
            if len(d["text"].split()) >= min_words:
                if skip:
                    skip -= 1
                    continue
                out.append((d["id"], d["text"]))
                if len(out) >= n:
                    break
    return out


def compose(sections: list[tuple[str, str]], words: int, rng: random.Random) -> str:
    """A synthetic bill of about ``words`` words: sections drawn (and removed) from the pool."""
    parts = [SYNTH]
    n = 0
    while n < words and sections:
        cite, text = sections.pop(rng.randrange(len(sections)))
        parts.append(f"NEW SECTION. Sec. {len(parts)}. {text}")
        n += len(text.split())
    return "\n\n".join(parts)


def doc(id_: str, text: str, **meta) -> Document:
    return Document(text=text, meta=Metadata(id=id_, source=f"synthetic:{id_}", **meta))


def plant(host: str, passage: str, rng: random.Random) -> str:
    """Insert ``passage`` between two paragraphs of ``host``, about mid-way."""
    paras = host.split("\n\n")
    at = rng.randrange(len(paras) // 3, max(len(paras) // 3 + 1, 2 * len(paras) // 3))
    return "\n\n".join(paras[:at] + [passage] + paras[at:])
