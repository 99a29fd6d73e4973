"""A CLI that feels finished (issue 12): closed pipes, failed first adds, hints that name real
options, right plurals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
from conftest import ROOT


def _popen(*args: str, cwd=ROOT) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("BILLDIFF_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "billdiff", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(cwd),
    )


@pytest.mark.parametrize("as_json", [False, True])
def test_closed_pipe_ends_like_a_unix_tool(corpus, as_json):
    """`billdiff compare A B | head -0`: the reader is gone before billdiff writes. The process
    ends by SIGPIPE (141 in a shell), never exit 1 (findings), with nothing on stderr."""
    us = corpus / "us-congress"
    args = ["compare", str(us / "us-117-hr2008-ih.txt"), str(us / "us-117-hr2008-eh.txt")]
    p = _popen(*args, *(["--json"] if as_json else []))
    p.stdout.close()  # the reader goes away at once
    err = p.stderr.read().decode(errors="replace")
    rc = p.wait(timeout=300)
    assert rc in (-signal.SIGPIPE, 128 + signal.SIGPIPE), (rc, err)
    assert err == ""


def test_failed_first_add_leaves_no_file(cli, tmp_path):
    db = tmp_path / "x.db"
    r = cli("index", "add", str(tmp_path / "nosuch"), "--db", str(db))
    assert r.returncode == 2
    assert b"no such file" in r.stderr and b"Traceback" not in r.stderr
    assert b"no index written" in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_failed_add_keeps_an_existing_index(cli, tmp_path):
    good = tmp_path / "synthetic-bill.txt"  # synthetic bill-like text
    good.write_text(
        "AN ACT relating to synthetic test matter. Section 1. The synthetic department shall "
        "keep a register of every synthetic permit it issues and publish it each year.\n"
    )
    db = tmp_path / "x.db"
    assert cli("index", "add", str(good), "--db", str(db)).returncode == 0
    r = cli("index", "add", str(tmp_path / "nosuch"), "--db", str(db))
    assert r.returncode == 2 and db.is_file()
    listed = cli("index", "list", "--db", str(db), "--json")
    assert b"synthetic-bill" in listed.stdout


def _all_options() -> set[str]:
    import click

    from billdiff.cli import cli as group

    seen: set[str] = set()
    ctx = click.Context(group)

    def walk(cmd) -> None:
        for p in cmd.params:
            seen.update(o for o in (*p.opts, *p.secondary_opts) if o.startswith("--"))
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name))

    walk(group)
    return seen


def test_messages_name_only_real_options():
    """Every `--option` that an error hint or message in billdiff's code names exists."""
    options = _all_options() | {"--help", "--version"}
    quoted = re.compile(r"""(["'])(?:(?!\1).)*?(--[a-z][a-z-]+)""")
    wrong = []
    for path in sorted((ROOT / "billdiff").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "@click.option" in line or line.strip().startswith(("#", '"--', "'--")):
                continue
            for m in re.finditer(r"--[a-z][a-z-]+", line):
                opt = m.group(0)
                if opt in options or not quoted.search(line):
                    continue
                if re.search(r"var\(" + re.escape(opt) + r"|" + re.escape(opt) + r"\s*:", line):
                    continue  # a CSS custom property, not an option
                if opt == "--decrypt":  # qpdf's option, named as qpdf's
                    continue
                wrong.append(f"{path.relative_to(ROOT)}:{n}: {opt}")
    assert not wrong, wrong


def test_unsupported_type_hint_is_actionable(cli, tmp_path):
    f = tmp_path / "bill.docx"
    f.write_bytes(b"PK\x03\x04 not really a document")
    r = cli("compare", str(f), str(f))
    assert r.returncode == 2
    line = r.stderr.decode()
    assert line.count("\n") == 1 and "--format" not in line and ".txt" in line


def test_counts_agree_with_their_nouns(cli, corpus, tmp_path):
    """No "1 families", "1 passages" in the lineage tree or the HTML report of a real folder
    (the facial-recognition folder has one family and one-passage edges)."""
    r = cli("lineage", str(corpus / "facial-recognition"), "--out", str(tmp_path / "rep"))
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    out = r.stdout.decode()
    assert re.search(r"\b1 famil", out + html), "the test needs a one-family output"
    bad = re.compile(r"\b1 (families|documents|edges|passages|members|bills|entries)\b")
    assert not bad.search(out), bad.search(out)
    assert not bad.search(html), bad.search(html)


def test_count_helper():
    from billdiff.plural import count

    assert count(1, "family", "families") == "1 family"
    assert count(0, "family", "families") == "0 families"
    assert count(2, "passage") == "2 passages"
    assert count(12345, "word", sep=True) == "12,345 words"
