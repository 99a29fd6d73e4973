"""Errors a person can act on.

Every error the CLI shows is one line: ``error: <what> — <hint>``. Library code raises these;
the CLI turns them into exit code 2 (``exit_code``) without a traceback.
"""

from __future__ import annotations

import re

# control characters (C0, DEL, C1) and the Unicode line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class BilldiffError(Exception):
    """Base class. ``str(err)`` is the one-line message the CLI prints after ``error: ``."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None):
        self.message = message
        self.path = path
        self.hint = hint
        super().__init__(self.oneline())

    def oneline(self) -> str:
        head = f"cannot read {shown(self.path)}: {self.message}" if self.path else self.message
        text = f"{head} — {self.hint}" if self.hint else head
        return " ".join(text.split())  # always one line


def shown(name) -> str:
    """A file name or URL as a message shows it: control characters escaped (``\\n``,
    ``\\x1b``), so that a name with a newline or a terminal escape stays one plain line."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(name))


class InputError(BilldiffError):
    """A file, URL or stdin that cannot be read as a bill."""


class FetchError(InputError):
    """A URL that could not be downloaded (network, HTTP status, offline without mirror)."""


class SettingsError(BilldiffError):
    """A setting outside its valid range."""


class IndexError_(BilldiffError):
    """A problem with an index database (corrupt, newer schema, id clash)."""


# Public alias with a less awkward name; ``IndexError`` would shadow the builtin.
BilldiffIndexError = IndexError_


class IndexDamagedError(IndexError_):
    """An index file with pages or stored values that cannot be read (a disk fault, a copy
    cut short, bytes overwritten). ``billdiff index check`` says what is wrong; ``billdiff
    index rebuild`` gets back every document whose text can still be read."""

    def __init__(self, index_path, cause: str):
        self.index_path = str(index_path)
        cause = " ".join(str(cause).split())
        self.cause = cause if len(cause) <= 160 else cause[:157] + "..."
        super().__init__(
            f"the index file {shown(self.index_path)} is damaged ({self.cause})",
            hint="run billdiff index check, or rebuild it with billdiff index rebuild",
        )


class EngineError(BilldiffError):
    """The Spark engine cannot start: PySpark not installed, no Java, a wrong master."""
