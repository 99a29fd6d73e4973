"""Docs that run: the README opens with the two make commands, and its example lines work."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SHARED

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    """The project's title, then the two commands, before anything else."""
    first = [ln.strip() for ln in README.splitlines() if ln.strip()][:3]
    assert first == ["# billdiff", "make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def _example_lines() -> list[list[str]]:
    block = re.search(r"```console\n(.*?)```", README, re.S).group(1)
    return [shlex.split(ln[2:]) for ln in block.splitlines() if ln.startswith("$ billdiff ")]


def test_readme_examples_run(corpus, tmp_path):
    """Each example line, run from a folder beside ../shared, exits as documented."""
    work = tmp_path / "checkout"
    work.mkdir()
    lines = _example_lines()
    assert [a[1] for a in lines] == ["compare", "index", "search", "lineage", "corpus"]
    for argv in lines:
        args = [a.replace("../shared", str(SHARED)) for a in argv[1:]]
        if args[0] == "corpus":
            args.append("--offline")  # the test must not depend on the network
        if args[0] == "search":
            args.append("--json")
        r = subprocess.run(
            [sys.executable, "-m", "billdiff", *args], cwd=work, capture_output=True, timeout=600
        )
        err = r.stderr.decode(errors="replace")
        assert b"Traceback" not in r.stderr, err
        if args[0] == "search":
            # --fail-on-match: SB 5104 reuses RCW 43.386 / HB 2856 text held in wa-bills
            assert r.returncode == 1, err
            hits = json.loads(r.stdout)["hits"]
            assert hits and hits[0]["id"]
        else:
            assert r.returncode == 0, (args, err)
    assert (work / "reports" / "mine" / "index.html").is_file()
    assert (work / "bills.db").is_file() and (work / "fr.db").is_file()


def test_readme_python_example_runs(corpus, tmp_path, monkeypatch):
    """The README's Python block, run as written on real bills (its file names mapped to real
    files of ../shared/corpus)."""
    block = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    us = corpus / "us-congress"
    fr = corpus / "facial-recognition"
    real = {
        "a.pdf": us / "us-117-hr2008-ih.pdf",
        "b.txt": us / "us-117-hr2008-eh.txt",
        "bill.htm": fr / "wa-2021-sb5104-introduced.htm",
    }
    for name in re.findall(r'"([\w.-]+\.(?:pdf|txt|htm))"', block):
        assert name in real, f"README example names {name}: map it to a real file here"
    code = block
    for name, path in real.items():
        code = code.replace(f'"{name}"', repr(str(path)))
    code = code.replace('"bills/"', repr(str(fr) + "/"))
    monkeypatch.chdir(tmp_path)  # bills.db is written here
    ns: dict = {}
    exec(compile(code, "README.md", "exec"), ns)  # noqa: S102
    assert ns["report"].passages and list(ns["result"]) == list(ns["result"].hits)
    assert len(ns["result"]) >= 1 and ns["graph"].edges


def _cut(v, n: int = 48):
    return v if not isinstance(v, str) or len(v) <= n else v[: n - 1] + "…"


def json_example(corpus) -> str:
    """The README's compare JSON example, made from a real run: HB 1196 vs SB 5139 (2019, two
    daylight-saving bills); long strings cut, repeated parts elided as ``...``."""
    from billdiff import compare
    from billdiff.report.json_ import pair_to_dict

    wa = corpus / "wa-bills"
    rel = "../shared/corpus/wa-bills/"
    d = pair_to_dict(
        compare(wa / "wa-2019-hb1196-introduced.htm", wa / "wa-2019-sb5139-introduced.htm")
    )
    a = {k: rel + Path(v).name if k == "source" else v for k, v in d["a"].items()}
    a["title"] = _cut(a["title"])
    a["meta"] = "{...}"
    knobs = ("min_words", "seed_words", "max_gap")
    settings = ", ".join(f'"{k}": {json.dumps(d["settings"][k])}' for k in knobs)
    p = dict(d["passages"][-1])
    ops = ", ".join(json.dumps(o) for o in p.pop("ops")[:2])
    lines = [
        "{",
        f'  "schema": {json.dumps(d["schema"])},',
        f'  "tool": {json.dumps(d["tool"])},',
        f'  "settings": {{{settings}, ...}},  // every knob used',
        '  "a": ' + json.dumps(a, ensure_ascii=False).replace('"{...}"', "{...}") + ",",
        '  "b": {...},',
        f'  "summary": {json.dumps(d["summary"])},',
        '  "passages": [...,',
        "    " + json.dumps(p, ensure_ascii=False)[:-1] + f', "ops": [{ops}, ...]}}]',
        "}",
    ]
    return "\n".join(lines) + "\n"


def test_readme_json_example_is_real_output(corpus):
    """The jsonc block is what `compare --json` writes today (regenerate it with
    BILLDIFF_UPDATE_DOCS=1)."""
    want = json_example(corpus)
    block = re.search(r"```jsonc\n(.*?)```", README, re.S)
    if os.environ.get("BILLDIFF_UPDATE_DOCS") == "1":
        (ROOT / "README.md").write_text(
            README[: block.start(1)] + want + README[block.end(1) :], encoding="utf-8"
        )
        return
    assert block.group(1) == want, "README's JSON example is stale: run with BILLDIFF_UPDATE_DOCS=1"
