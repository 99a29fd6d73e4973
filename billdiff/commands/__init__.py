"""One module per CLI command; each is an adapter: settings → one library call → render."""

from __future__ import annotations

import os
import sys


def make_console(*, width: int | None = None, stderr: bool = False):
    """A rich Console that honours NO_COLOR and drops colour when piped."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    no_color = bool(os.environ.get("NO_COLOR")) or not stream.isatty()

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich exits 1 here, which billdiff reserves for findings: let cli.main end it
            self.quiet = True
            raise BrokenPipeError

    return _Console(file=stream, width=width, no_color=no_color, highlight=False, soft_wrap=False)
