"""One module per CLI command; each is an adapter: settings → one library call → render."""

from __future__ import annotations

import os
import sys

from ..settings import DEFAULT

MIN_WORDS = DEFAULT.min_words  # shown as the default in --min-words help


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

    return _Console(
        file=_Trimmed(stream), width=width, no_color=no_color, highlight=False, soft_wrap=False
    )


class _Trimmed:
    """A stream that drops the spaces rich pads table and padding lines with up to the full
    width: saved or piped output has no trailing blanks (colour codes after them are kept)."""

    _TRAIL = None

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        if _Trimmed._TRAIL is None:
            import re

            _Trimmed._TRAIL = re.compile(r" +((?:\x1b\[[0-9;]*m)*)(?=\n)")
        return self._stream.write(_Trimmed._TRAIL.sub(r"\1", text))

    def __getattr__(self, name):  # isatty, fileno, flush, encoding: the stream's own
        return getattr(self._stream, name)


def print_records(
    columns: list[str],
    rows: list[tuple[str, ...]],
    *,
    title: str = "",
    wrap: tuple[str, ...] = (),
    console=None,
) -> None:
    """Rows of a listing, never cutting a value (the first column is an id a user types).

    In a pipe: tab-separated lines under a header line (for grep, cut, a spreadsheet). On a
    terminal wide enough for every column but the ``wrap`` ones (given 20 columns each): a
    table. Narrower: one record per entry, the id on its own line, the rest indented below.
    """
    from rich.table import Table
    from rich.text import Text

    out = console or make_console()
    if not out.is_terminal:
        if title:
            out.file.write(f"# {title}\n")
        out.file.write("\t".join(columns) + "\n")
        for row in rows:
            out.file.write("\t".join(v.replace("\t", " ").replace("\n", " ") for v in row) + "\n")
        return
    need = sum(
        (20 if c in wrap else max([len(c), *(len(r[k]) for r in rows)])) + 2
        for k, c in enumerate(columns)
    )
    if need <= out.width:
        t = Table(title=title or None, box=None, show_edge=False, pad_edge=False)
        for c in columns:
            t.add_column(c, no_wrap=c not in wrap, overflow="fold")
        for row in rows:
            t.add_row(*(Text(v) for v in row))
        out.print(t)
        return
    if title:
        out.print(Text(title, style="bold"))
    for row in rows:
        out.print(Text(row[0], style="bold"), soft_wrap=True)
        pairs = list(zip(columns[1:], row[1:], strict=True))
        short = " · ".join(v for c, v in pairs if v and c not in wrap)
        if short:
            out.print(Text("  " + short))
        for c, v in pairs:  # long values on lines of their own, folded, never cut
            if v and c in wrap:
                out.print(Text(f"  {c}: {v}"), overflow="fold")
