"""Command-line entry point: argument parsing only.

Each command lives in ``billdiff/commands/<name>.py`` and is imported only when it runs, so
``billdiff --help`` stays instant. A command builds Settings, makes one library call and
renders the result. Library errors (BilldiffError) become one line on stderr and exit 2.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

import click

from ._version import __version__

# command name -> (module, attribute, one-line help shown by `billdiff --help`)
COMMANDS = {
    "compare": (
        "compare",
        "compare",
        "Compare two bills: every reused passage, word-level changes.",
    ),
    "index": (
        "index",
        "index",
        "Manage the corpus index (add, remove, list, stats, optimize, check, rebuild).",
    ),
    "search": ("search", "search", "Check a bill against every indexed bill (watchdog)."),
    "watch": (
        "watch",
        "watch",
        "Watchdog round: new bill versions (Open States, folder, URLs) checked once each.",
    ),
    "lineage": ("lineage", "lineage", "Who copied whom: lineage tree and reports."),
    "corpus": ("corpus", "corpus", "Fetch a corpus of real bills from official sources."),
    "evaluate": (
        "evaluate",
        "evaluate",
        "Measure billdiff on labelled bills: recall, precision, ROC AUC.",
    ),
}


class _PipeClosed(Exception):
    """The reader of our stdout went away (``billdiff compare A B | head -1``)."""


class LazyGroup(click.Group):
    def invoke(self, ctx):
        # click turns a closed pipe into exit 1, which billdiff reserves for findings
        try:
            return super().invoke(ctx)
        except BrokenPipeError as err:
            raise _PipeClosed() from err

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        mod, attr, _ = COMMANDS[name]
        return getattr(import_module(f"billdiff.commands.{mod}"), attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, help_) for name, (_, _, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


EXIT_CODES = (
    "Exit codes: 0 ok (also when nothing is shared); 1 findings you asked to fail on (search "
    "--fail-on-match); 2 bad input or usage (one error: line saying what to do); 3 a billdiff "
    "bug; 130 interrupted; 141 the reader of the output went away (SIGPIPE, as other tools)."
)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "show_default": True},
    epilog=EXIT_CODES,
)
@click.version_option(__version__, prog_name="billdiff")
def cli():
    """billdiff — find where one piece of legislation copied another, word for word."""


_SQLITE_HINTS = (
    (
        "disk is full",
        "the disk is full — free some space and run the command again "
        "(everything committed before is kept)",
    ),
    (
        "locked",
        "the index is busy: another billdiff is writing it — wait for it to finish "
        "and run the command again",
    ),
    ("readonly", "the index file is read-only — check its permissions, or use --db"),
    (
        "unable to open",
        "cannot open the index file — check the directory exists and is writable, or use --db",
    ),
)


def environment_error(err: BaseException) -> str:
    """One line for errors of the machine rather than of billdiff (SQLite: disk full, locked,
    read-only; the OS: no space, no permission), or '' for anything else."""
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(err, sqlite3.OperationalError):
        text = str(err).lower()
        for needle, msg in _SQLITE_HINTS:
            if needle in text:
                return f"{msg} ({err})"
        return ""
    if sqlite3 is not None and isinstance(err, sqlite3.DatabaseError):
        # a backstop: the index layer names the file itself (IndexDamagedError)
        from .index.store import is_corruption

        if is_corruption(err):
            return (
                f"the index file is damaged ({err}) — run billdiff index check, or rebuild "
                "it with billdiff index rebuild"
            )
        return ""
    if isinstance(err, OSError) and err.errno is not None:
        import errno

        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"no space left on the device ({err}) — free some space and run again"
        if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"permission denied ({err}) — check the file's permissions, or use --db"
    return ""


def _closed_pipe() -> None:
    """End quietly the way other Unix tools do when their reader closes the pipe: killed by
    SIGPIPE (exit status 141 in a shell), never exit 1 (findings) and never a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing left to flush at exit
    except (OSError, ValueError):
        pass
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGPIPE)
    sys.exit(141)


def main(argv=None) -> None:
    from .errors import BilldiffError

    try:
        rv = cli.main(args=argv, prog_name="billdiff", standalone_mode=False)
        sys.stdout.flush()  # a closed pipe shows here, not as a warning at exit
    except (_PipeClosed, BrokenPipeError):
        _closed_pipe()
    except BilldiffError as err:
        click.echo(f"error: {err.oneline()}", err=True)
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(2 if err.exit_code == 1 and isinstance(err, click.UsageError) else err.exit_code)
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    except Exception as err:  # a bug in billdiff, not the user's mistake
        if os.environ.get("BILLDIFF_DEBUG"):
            raise
        msg = environment_error(err)
        if msg:  # the machine, not billdiff: disk full, index locked, no permission
            click.echo(f"error: {msg}", err=True)
            sys.exit(2)
        click.echo(
            f"error: internal error ({type(err).__name__}: {err}) — this is a billdiff bug; "
            "rerun with BILLDIFF_DEBUG=1 for a traceback and report it",
            err=True,
        )
        sys.exit(3)
    sys.exit(rv if isinstance(rv, int) else 0)
