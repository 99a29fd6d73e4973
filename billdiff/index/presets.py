"""Named sketch parameter sets. An index keeps the set it was built with in its meta table.

``standard`` was chosen by measurement (bench/index.py and a planted-passage trial): with
4-word shingles, 50-shingle windows every 25 shingles, 96 permutations in 32 bands of 3 rows
and query windows every 5 shingles, a 50-word passage with up to 10% word edits planted in a
3,000–20,000-word bill shared at least one band key with its source in 98.9% of trials (5-word
shingles / 32×4 bands: 87.8%), at 0.12 chance band keys per pair of unrelated 3,000-word bills.
"""

from __future__ import annotations

from .sketch import SketchParams

PRESETS: dict[str, SketchParams] = {
    # the default: 50-word passages with edits are found
    "standard": SketchParams(
        shingle_words=4,
        window_words=50,
        window_step=25,
        num_perm=96,
        lsh_bands=32,
        query_step=5,
        df_sample=1,
        max_bucket=200,
        word_classes=1,
    ),
    # more recall for short, edited passages; more candidates to verify
    "sensitive": SketchParams(
        shingle_words=3,
        window_words=50,
        window_step=25,
        num_perm=96,
        lsh_bands=32,
        query_step=3,
        df_sample=1,
        max_bucket=300,
        word_classes=1,
    ),
    # large corpora (100k+ bills): fewer band keys per document, sampled frequencies
    "compact": SketchParams(
        shingle_words=4,
        window_words=60,
        window_step=30,
        num_perm=96,
        lsh_bands=24,
        query_step=3,
        df_sample=4,
        max_bucket=200,
        word_classes=1,
    ),
}
DEFAULT_PRESET = "standard"
