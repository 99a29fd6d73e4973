"""What one input may cost, checked before or while reading — never after the damage is done.

Watchdogs run billdiff unattended on whatever a legislature's site or a feed hands them: a
file the size of a disk, a PDF stream that inflates to gigabytes, a download that never ends.
Each limit below has a default that fits the largest real bills with room to spare (the
5,593-page Consolidated Appropriations Act, 2021, H.R. 133 enrolled, is about 20 MB of PDF
and 11 million characters of text) and an environment variable that raises it.

Past a limit a reader raises ``LimitError``: one line that names the limit and how to raise
it (exit 2 in the CLI; one failed document inside ``index add`` and ``lineage``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from .errors import InputError

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 64 * MIB  # one file, stdin or download, as stored
    inflated_bytes: int = 256 * MIB  # all of one PDF's streams once inflated; a .gz, see jsonl
    pdf_pages: int = 20_000
    chars: int = 32_000_000  # characters of one document's text (~5 million words)
    download_bytes: int = 64 * MIB  # one HTTP body
    # No limit on line length: a text of one 29 MB line reads in 1.9 s (1.6 s cut into
    # 80-character lines), so the characters limit bounds it as well.


# limit -> (environment variable, unit in which it is given, what it counts)
ENV = {
    "file_bytes": ("BILLDIFF_MAX_FILE_MB", MIB, "file size"),
    "inflated_bytes": ("BILLDIFF_MAX_INFLATED_MB", MIB, "decompressed size"),
    "pdf_pages": ("BILLDIFF_MAX_PDF_PAGES", 1, "PDF pages"),
    "chars": ("BILLDIFF_MAX_CHARS", 1, "characters of text"),
    "download_bytes": ("BILLDIFF_MAX_DOWNLOAD_MB", MIB, "download size"),
}


def current() -> Limits:
    """The defaults, as raised (or lowered) by the environment variables of ``ENV``."""
    kw = {}
    for f in fields(Limits):
        var, unit, _ = ENV[f.name]
        raw = os.environ.get(var, "").strip()
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            raise InputError(
                f"{var}={raw!r} is not a number", hint=f"give {var} a number, or unset it"
            ) from None
        if value <= 0:
            raise InputError(f"{var}={raw!r} must be above 0", hint=f"unset {var} for the default")
        kw[f.name] = max(1, int(value * unit))
    return Limits(**kw)


class LimitError(InputError):
    """An input over one of the limits: names the limit and the setting that raises it."""

    def __init__(self, name: str, *, path: str | None = None, got: str = "", limit: int = 0):
        var, unit, what = ENV[name]
        shown = size(limit) if unit == MIB else f"{limit:,}"
        over = f" ({got})" if got else ""
        super().__init__(
            f"over the limit of {shown} for {what}{over}",
            path=path,
            hint=f"if it is a real bill, raise the limit: {var}=<{'MB' if unit == MIB else 'n'}>",
        )
        self.limit_name = name


def check_chars(text: str, name: str) -> str:
    """``text``, or LimitError when it holds more characters than the limit allows."""
    chars = current().chars
    if len(text) > chars:
        raise LimitError("chars", path=name, got=f"{len(text):,}", limit=chars)
    return text


def size(n: int) -> str:
    """A byte count for a message: '1.0 GiB', '64 MiB', '812 bytes'."""
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GiB"
    if n >= MIB:
        return f"{n / MIB:.0f} MiB"
    return f"{n:,} bytes"
