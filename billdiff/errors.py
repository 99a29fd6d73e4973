"""Errors a person can act on.

Every error the CLI shows is one line: ``error: <what> — <hint>``. Library code raises these;
the CLI turns them into exit code 2 (``exit_code``) without a traceback.
"""

from __future__ import annotations


class BilldiffError(Exception):
    """Base class. ``str(err)`` is the one-line message the CLI prints after ``error: ``."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None):
        self.message = message
        self.path = path
        self.hint = hint
        super().__init__(self.oneline())

    def oneline(self) -> str:
        head = f"cannot read {self.path}: {self.message}" if self.path else self.message
        text = f"{head} — {self.hint}" if self.hint else head
        return " ".join(text.split())  # always one line


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
            f"the index file {self.index_path} is damaged ({self.cause})",
            hint="run billdiff index check, or rebuild it with billdiff index rebuild",
        )
