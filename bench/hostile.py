"""Hostile input, before and after (issue 9): for each case, the exit code, seconds and peak
memory of `python -m billdiff …` in a child process, run with this checkout and with an
earlier revision (default 56bdfeb, before the limits) checked out in a temporary worktree.

    .venv/bin/python bench/hostile.py [--before REV] [--timeout 60]

The inputs are SYNTHETIC (pipes, devices, sparse files, generated bombs), made in a temporary
folder; the good bill beside them is a real one from ../shared/corpus. A case still running at
--timeout is killed and shown as such; memory is capped at 6 GiB per child (RLIMIT_AS).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_hostile import TEXT_OP, _deflate_of_blanks, _pdf, _png, _raw_deflate  # noqa: E402

BILL = ROOT.parent / "shared/corpus/facial-recognition/wa-2020-sb6280-introduced.txt"
WA = ROOT.parent / "shared/corpus/wa-bills"  # SB 6281 (2020): 8,279 and 8,899 words


def cases(d: Path) -> list[tuple[str, list[str], str | None]]:
    os.mkfifo(d / "feed.txt")
    with open(d / "huge.txt", "wb") as f:
        f.truncate(1 << 30)
    (d / "bomb.pdf").write_bytes(_pdf(_deflate_of_blanks(2048, TEXT_OP)))
    (d / "pages.pdf").write_bytes(_pdf(__import__("zlib").compress(TEXT_OP), count=10**9))
    head = b'{"id": "first", "text": "SYNTHETIC. The department shall report."}\n'
    gz = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    (d / "line.jsonl.gz").write_bytes(gz + _raw_deflate(head, b" ", 2048))
    (d / "newlines.jsonl.gz").write_bytes(gz + _raw_deflate(head, b"\n", 2048))
    (d / "deep.htm").write_text("<html><body>" + "<div>" * 100_000 + "SYNTHETIC. " * 500)
    (d / "image.htm").write_bytes(_png())
    (d / "bad\nname.htm").write_bytes(_png())
    (d / "line.txt").write_bytes(b"SYNTHETIC. The department shall report each year. " * 10**6)
    b = str(BILL)
    db = str(d / "i.db")
    return [
        ("a FIFO", ["compare", str(d / "feed.txt"), b], None),
        ("/dev/zero", ["compare", "/dev/zero", b], None),
        ("stdin from /dev/zero", ["compare", "-", b], "/dev/zero"),
        ("a 1 GiB file", ["compare", str(d / "huge.txt"), b], None),
        ("a PDF stream inflating to 2 GiB", ["compare", str(d / "bomb.pdf"), b], None),
        ("a PDF stating 10^9 pages", ["compare", str(d / "pages.pdf"), b], None),
        (".jsonl.gz: a 2 GiB line", ["index", "add", str(d / "line.jsonl.gz"), "--db", db], None),
        (
            ".jsonl.gz: 2 GiB of newlines",
            ["index", "add", str(d / "newlines.jsonl.gz"), "--db", db],
            None,
        ),
        ("100k nested <div>s", ["compare", str(d / "deep.htm"), b], None),
        ("a PNG named .htm", ["compare", str(d / "image.htm"), b], None),
        ("a newline in a file name", ["compare", str(d / "bad\nname.htm"), b], None),
        ("one 50 MB line: compare", ["compare", str(d / "line.txt"), b], None),
        ("one 50 MB line: lineage, + a bill", ["lineage", str(d / "line.txt"), b], None),
        (
            "guard: compare 2 real ~9k-word bills",
            [
                "compare",
                str(WA / "wa-2020-sb6281-introduced.txt"),
                str(WA / "wa-2020-sb6281-second-substitute.txt"),
            ],
            None,
        ),
    ]


def run(src: Path, args: list[str], stdin: str | None, timeout: float) -> tuple[str, float, float]:
    env = dict(os.environ, PYTHONPATH=str(src))
    env.pop("BILLDIFF_DEBUG", None)

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))

    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.Popen(
        [sys.executable, "-m", "billdiff", *args],
        stdin=fin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(src),
        preexec_fn=cap,
    )
    killed = []
    timer = threading.Timer(timeout, lambda: (killed.append(1), p.kill()))
    timer.start()
    err = p.stderr.read().decode(errors="replace")
    _, status, ru = os.wait4(p.pid, 0)
    timer.cancel()
    secs = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    lines = err.strip().splitlines()
    how = "killed" if killed else f"exit {rc}"
    if lines and not killed:
        how += f", {len(lines)} line{'s' * (len(lines) != 1)}"
        if "internal error" in err or "Traceback" in err:
            how += " (a bug)"
    return how, secs, ru.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="56bdfeb")
    ap.add_argument("--timeout", type=float, default=60.0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        old = t / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(old), a.before],
            check=True,
        )
        try:
            (t / "in").mkdir()
            print(f"{'case':34} {'before ' + a.before:>34} | {'after (this checkout)':>34}")
            for name, args, stdin in cases(t / "in"):
                cols = []
                for src in (old, ROOT):
                    how, secs, mib = run(src, args, stdin, a.timeout)
                    cols.append(f"{how:>18} {secs:6.1f} s {mib:6.0f} MiB")
                    for f in (t / "in").glob("i.db*"):
                        f.unlink()
                print(f"{name:34} {cols[0]:>34} | {cols[1]:>34}", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)])


if __name__ == "__main__":
    main()
