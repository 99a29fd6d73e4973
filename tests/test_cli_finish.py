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


@pytest.mark.parametrize("width", [80, 160])
def test_compare_legend_promises_the_marks_it_uses(cli, corpus, width):
    """At 80 columns (inline) and 160 (side by side), the output uses only marks the legend
    names, and the legend names none of the other layout's marks; it fits on one line."""
    us = corpus / "us-congress"
    r = cli(
        "compare",
        str(us / "us-117-hr2008-ih.txt"),
        str(us / "us-117-hr2008-eh.txt"),
        "--width",
        str(width),
        "--full",
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    legend = next(ln for ln in out.splitlines() if "marks:" in ln)
    body = out[out.index(legend) + len(legend) :]
    used = {m for m in ("[~", "{~", "[-", "{+") if m in body}
    assert used, "the pair has changes: some mark must be used"
    assert all(m in legend for m in used), (width, used, legend)
    side_marks = {"[~", "{~"} & set(m for m in ("[~", "{~") if m in legend)
    assert bool(side_marks) == (width >= 100), (width, legend)
    assert len(legend.rstrip()) <= width


def test_index_list_in_a_pipe_keeps_whole_ids(cli, corpus, tmp_path):
    db = tmp_path / "x.db"
    assert cli("index", "add", str(corpus / "facial-recognition"), "--db", str(db)).returncode == 0
    ids = [
        m["id"]
        for m in __import__("json").loads(cli("index", "list", "--db", str(db), "--json").stdout)
    ]
    r = cli("index", "list", "--db", str(db), env={"COLUMNS": "80"})
    lines = r.stdout.decode().splitlines()
    assert lines[0].split("\t")[0] == "id" and len(lines) == len(ids) + 1
    assert sorted(ln.split("\t")[0] for ln in lines[1:]) == sorted(ids)


@pytest.mark.parametrize("width", [60, 80, 200])
def test_listings_on_a_terminal_never_cut_an_id(width):
    import io

    from rich.console import Console

    from billdiff.commands import print_records

    ids = [f"synthetic-{k}-" + "x" * 60 for k in range(3)]  # synthetic: longer than 60 columns
    rows = [
        (i, "ZZ", "SB 1", "introduced", "2020-01-01", "1,234", "A synthetic title " * 5)
        for i in ids
    ]
    buf = io.StringIO()
    con = Console(file=buf, width=width, force_terminal=True, color_system=None)
    print_records(
        ["id", "state", "bill", "version", "date", "words", "title"],
        rows,
        wrap=("title",),
        console=con,
    )
    lines = buf.getvalue().splitlines()
    for i in ids:  # whole, on one line (the terminal may wrap it; a copy keeps it whole)
        assert any(i in ln for ln in lines), (width, i)
    assert all(len(ln) <= width for ln in lines if not ln.startswith("synthetic-"))


def test_search_opens_with_a_verdict_and_keeps_indents(cli, corpus, tmp_path):
    db = tmp_path / "fr.db"
    fr = corpus / "facial-recognition"
    assert cli("index", "add", str(fr), "--db", str(db), "-q").returncode == 0
    q = str(fr / "wa-2021-sb5104-introduced.htm")
    r = cli("search", q, "--db", str(db), env={"COLUMNS": "80"})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert lines[0].startswith("verdict: substantive reuse — ")
    first_hit = next(k for k, ln in enumerate(lines) if re.match(r"\s*1\. ", ln))
    for ln in lines[first_hit:]:  # a hit's head, or an indented line (wrapped ones included)
        assert re.match(r"\s*\d+\. |    ", ln) or ln.startswith("related bills"), ln
    assert any(ln.startswith("marks: ") for ln in lines[:first_hit])
    # each fact once per hit: coverage and probability are in the reason line only
    second = next(k for k, ln in enumerate(lines) if re.match(r"\s*2\. ", ln))
    block = " ".join(" ".join(lines[first_hit:second]).split())
    assert block.count("probability") == 1 and block.count("% of the new bill") == 1, block
    # JSON carries the same answer as fields, not the sentence
    assert cli("search", q, "--db", str(db), "--json").returncode == 0


def test_help_lists_every_command_real_defaults_and_exit_codes(cli):
    top = cli("--help").stdout.decode()
    assert "optimize" in top  # the index line names every index subcommand
    for code in ("0 ok", "1 findings", "2 bad input", "3 a billdiff bug", "141"):
        assert code in " ".join(top.split()), code
    for cmd in ("compare", "search", "lineage", "evaluate", ("index", "add"), ("corpus", "fetch")):
        args = [cmd] if isinstance(cmd, str) else list(cmd)
        text = " ".join(cli(*args, "--help").stdout.decode().split())
        assert "settings." not in text, (cmd, text)  # a real value, not a variable name
    assert "(default: 12)" in " ".join(cli("search", "--help").stdout.decode().split())


def test_adding_another_format_of_an_indexed_bill_names_the_file(cli, corpus, tmp_path):
    db = tmp_path / "x.db"
    fr = corpus / "facial-recognition"
    txt, htm = fr / "wa-2021-sb5104-introduced.txt", fr / "wa-2021-sb5104-introduced.htm"
    assert cli("index", "add", str(txt), "--db", str(db), "-q").returncode == 0
    r = cli("index", "add", str(htm), "--db", str(db), "-q")
    assert r.returncode == 2
    (line,) = r.stderr.decode().splitlines()
    assert f"(from {txt})" in line and "another format" in line and "--replace" in line
    assert cli("index", "add", str(htm), "--db", str(db), "-q", "--replace").returncode == 0


def _on_a_terminal(args: list[str], env: dict) -> str:
    """Run billdiff with stdin and stdout on a pseudo-terminal; what it wrote there."""
    import pty

    master, slave = pty.openpty()
    e = dict(os.environ, COLUMNS="120", **env)
    e.pop("BILLDIFF_NO_PAGER", None)
    p = subprocess.Popen(
        [sys.executable, "-m", "billdiff", *args],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=e,
        cwd=str(ROOT),
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    p.wait(timeout=300)
    os.close(master)
    assert p.returncode == 0, p.stderr.read()
    return b"".join(chunks).decode(errors="replace")


def test_compare_on_a_terminal_goes_through_the_pager(corpus, tmp_path):
    us = corpus / "us-congress"
    pair = [str(us / "us-117-hr2008-ih.txt"), str(us / "us-117-hr2008-eh.txt")]
    paged = tmp_path / "paged.txt"
    screen = _on_a_terminal(["compare", *pair], {"PAGER": f"cat > {paged}"})
    text = paged.read_text(encoding="utf-8", errors="replace")
    first = [ln for ln in text.splitlines() if ln.strip()][0]
    assert "US H.R. 2008" in first and "shared passage" in text  # the summary comes first
    assert "#1 " in text and "#1 " not in screen  # the passages went to the pager
    paged.unlink()
    screen = _on_a_terminal(["compare", *pair, "--no-pager"], {"PAGER": f"cat > {paged}"})
    assert not paged.exists() and "#1 " in screen


def test_search_excerpts_are_the_text_as_written(cli, corpus, tmp_path):
    """Each excerpt, with the change marks taken out, is a stretch of the query's own text:
    punctuation between runs kept, no token cut in half."""
    from billdiff import read

    db = tmp_path / "fr.db"
    fr = corpus / "facial-recognition"
    assert cli("index", "add", str(fr), "--db", str(db), "-q").returncode == 0
    q = fr / "wa-2021-sb5104-introduced.htm"
    r = cli("search", str(q), "--db", str(db), "--passages", "3", env={"COLUMNS": "400"})
    assert r.returncode == 0, r.stderr
    doc = read(str(q))  # the text as enacted: struck matter and furniture left out
    kept, pos = [], 0
    for sp in sorted(doc.skip, key=lambda sp: sp.start):
        kept.append(doc.text[pos : sp.start])
        pos = max(pos, sp.end)
    written = " ".join("\n".join([*kept, doc.text[pos:]]).split())
    excerpts = [ln.strip() for ln in r.stdout.decode().splitlines() if ln.startswith("      ")]
    assert len(excerpts) >= 5
    for ex in excerpts:
        for piece in ex.replace("[", "").replace("]", "").split(" … "):
            piece = " ".join(piece.split())
            assert piece in written, piece[:120]
            k = written.index(piece)
            assert k == 0 or not written[k - 1].isalnum(), piece[:40]  # a whole token


def test_inline_words_only_in_b_sit_in_b_punctuation(cli, tmp_path):
    """SYNTHETIC bill text: B splits '(3)' into '(3)(a)'. The 80-column inline diff, with its
    marks taken out, reads exactly as B is written (it showed '(3) a Facial')."""
    base = (
        "SYNTHETIC TEST BILL. Section 1. The agency shall publish a yearly report on the use "
        "of the system by every unit of the agency and shall post it online. (3) Facial "
        "recognition services must be tested by an independent laboratory before any "
        "deployment in the state, and every test result must be kept for five years."
    )
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(base)
    b.write_text(base.replace("(3) Facial", "(3)(a) Facial"))
    out = cli("compare", str(a), str(b), "--width", "80").stdout.decode()
    body = out[out.index("#1 ") :].split("\n", 3)[3]  # past the title and both locations
    flat = " ".join(body.replace("{+", "").replace("+}", "").split())
    assert "(3)({+a+}) Facial" in " ".join(body.split())
    assert flat == " ".join(b.read_text().split())


@pytest.mark.parametrize("width", [80, 160])
def test_saved_output_has_no_trailing_blanks(cli, corpus, width):
    """rich pads table and padding lines to the full width; a saved or piped compare keeps
    none of those blanks (and loses no text)."""
    fr = corpus / "facial-recognition"
    a, b = fr / "wa-2020-sb6280-introduced.txt", fr / "wa-2021-sb5104-introduced.txt"
    r = cli("compare", str(a), str(b), "--width", str(width))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert len(lines) > 20
    assert [ln for ln in lines if ln.endswith(" ")] == []
    assert any("task force" in ln for ln in lines)


def test_trimming_keeps_colour_codes():
    import io

    from billdiff.commands import _Trimmed

    out = io.StringIO()
    _Trimmed(out).write("\x1b[1mA\x1b[0m   \x1b[0m\nB  \nC \x1b[2m x\n")
    assert out.getvalue() == "\x1b[1mA\x1b[0m\x1b[0m\nB\nC \x1b[2m x\n"
