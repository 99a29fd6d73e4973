"""A document's text as far as an evidence row carries it: its passages, not the whole text.

The Spark engine sends typed edges from the executors to the driver. Their reports name both
documents; sending whole texts would bring every document with an edge to the driver. An
``Excerpts`` stands in for ``Document.text``: slicing inside a carried range (a passage, in
characters of the original text) gives that text, and counting newlines before a carried
offset gives its line number (``Document.line_of``). Anything else raises ``LookupError``:
a report that needs more of the text than the evidence carries says so instead of showing
wrong text. (The HTML report shows each passage's text, without word-level marks: the
tokens stay on the executors.)
"""

from __future__ import annotations

import bisect


class Excerpts(str):
    """``pieces``: sorted (start, text) of carried ranges; ``lines``: {offset: newlines
    before it}."""

    def __new__(cls, pieces=(), lines=None):
        self = super().__new__(cls, "")
        self.pieces = tuple(pieces)
        self.starts = [s for s, _ in self.pieces]
        self.lines = dict(lines or {})
        return self

    def __reduce__(self):
        return (Excerpts, (self.pieces, self.lines))

    def __getitem__(self, key):
        if isinstance(key, slice) and key.step is None:
            start, stop = key.start or 0, key.stop
            k = bisect.bisect_right(self.starts, start) - 1
            if k >= 0 and stop is not None:
                s0, text = self.pieces[k]
                if stop <= s0 + len(text):
                    return text[start - s0 : stop - s0]
        raise LookupError(f"text {key!r} is not carried by the evidence row (only its passages)")

    def count(self, sub, start=None, end=None):
        if sub == "\n" and not start and end in self.lines:
            return self.lines[end]
        raise LookupError("only line numbers at passage starts are carried by the evidence row")


def of(doc, spans) -> object:
    """``doc`` with its text cut down to the character ``spans`` (start, end) given."""
    from dataclasses import replace

    text = doc.text
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    pieces = [(s, text[s:e]) for s, e in merged]
    lines = {s: text.count("\n", 0, s) for s, _ in spans}
    return replace(doc, text=Excerpts(pieces, lines))
