"""`billdiff evaluate LABELS` through the real entry point, on real bills in ../shared/corpus.

The fixture: versions of three Washington bills as three groups (SB 6280 with its codified
law; the plastic-bag companions HB 1205 / SB 5323 with ESSB 5323; HB 2363 and its
substitute) and five unrelated bills with no group. The labels files are written by the
tests with paths relative to their own folder (no bill text is copied).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

GROUPS = {
    "sb6280": [
        "facial-recognition/wa-2020-sb6280-introduced.txt",
        "facial-recognition/wa-2020-sb6280-substitute.txt",
        "facial-recognition/wa-2020-sb6280-engrossed-substitute.txt",
        "facial-recognition/wa-2020-sb6280-rcw43.386-codified.txt",
    ],
    "bags": [
        "wa-bills/wa-2019-hb1205-introduced.txt",
        "wa-bills/wa-2019-sb5323-introduced.txt",
        "wa-bills/wa-2019-sb5323-engrossed-substitute.txt",
    ],
    "hb2363": [
        "wa-bills/wa-2020-hb2363-introduced.txt",
        "wa-bills/wa-2020-hb2363-substitute.txt",
    ],
    "": [
        "wa-bills/wa-2019-hb1002-introduced.txt",
        "wa-bills/wa-2019-hb1020-introduced.txt",
        "wa-bills/wa-2019-hb1440-introduced.txt",
        "wa-bills/wa-2019-sb5841-introduced.txt",
        "wa-bills/wa-2019-hb1196-introduced.txt",
    ],
}
N_DOCS = sum(len(v) for v in GROUPS.values())
N_POSITIVE = sum(len(v) * (len(v) - 1) // 2 for g, v in GROUPS.items() if g)
PAIRS = [  # (a, b, label as a user might write it)
    (GROUPS["sb6280"][0], GROUPS["sb6280"][1], "yes"),
    (GROUPS["sb6280"][1], GROUPS["sb6280"][3], "1"),
    (GROUPS["bags"][0], GROUPS["bags"][1], "true"),
    (GROUPS["hb2363"][0], GROUPS["hb2363"][1], "1"),
    # HB 1638 / SB 5841 amend the same statute: shared quoted law, not copying
    ("wa-bills/wa-2019-hb1638-introduced.txt", "wa-bills/wa-2019-sb5841-introduced.txt", "no"),
    ("wa-bills/wa-2019-hb1196-introduced.txt", "wa-bills/wa-2019-sb5139-introduced.txt", "0"),
    (GROUPS[""][0], GROUPS[""][2], "false"),
    (GROUPS["sb6280"][0], GROUPS[""][1], "0"),
]


def _rel(corpus: Path, folder: Path, name: str) -> str:
    return os.path.relpath(corpus / name, folder)


def write_documents(corpus: Path, path: Path, groups: dict[str, list[str]]) -> Path:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "group"])
        for g, names in groups.items():
            for name in names:
                w.writerow([_rel(corpus, path.parent, name), g])
    return path


def run_json(cli, *args) -> dict:
    r = cli("evaluate", *args, "--json")
    assert r.returncode == 0, r.stderr.decode()
    return json.loads(r.stdout)


def _auc(pairs, left_out: int = 0) -> float:
    """Oracle: ROC AUC as the share of (positive, negative) pairs ordered right, ties half.
    ``left_out``: negative pairs with score 0 that the JSON does not list."""
    pos = [p["score"] for p in pairs if p["label"]]
    neg = [p["score"] for p in pairs if not p["label"]] + [0.0] * left_out
    won = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return won / (len(pos) * len(neg))


@pytest.fixture(scope="module")
def documents_run(corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("labels")
    labels = write_documents(corpus, folder / "labels.csv", GROUPS)
    html = folder / "evaluate.html"
    r = run_cli("evaluate", str(labels), "--json", "--html", str(html))
    assert r.returncode == 0, r.stderr.decode()
    return json.loads(r.stdout), html, r.stderr.decode()


def test_documents_json_schema_and_figures_in_range(documents_run):
    data, _html, _err = documents_run
    assert data["schema"] == "billdiff.evaluate/1"
    assert data["tool"]["name"] == "billdiff" and data["tool"]["version"]
    assert data["settings"]["min_words"] >= 3 and data["settings"]["top"] >= 10
    assert data["labels"]["kind"] == "documents" and len(data["labels"]["sha256"]) == 64
    s = data["summary"]
    assert (s["documents"], s["groups"], s["queries"]) == (N_DOCS, 3, N_DOCS - 5)
    assert s["pairs"] == N_DOCS * (N_DOCS - 1) // 2 == len(data["pairs"]) + s["pairs_left_out"]
    assert all(p["label"] or p["rank_ab"] or p["rank_ba"] for p in data["pairs"])
    assert s["positive_pairs"] == N_POSITIVE == sum(p["label"] for p in data["pairs"])
    figures = [*data["ranking"].values(), *data["decision"].values(), data["score"]["roc_auc"]]
    for k in ("recall@1", "recall@5", "recall@10", "r_precision", "mrr", "listed"):
        assert 0.0 <= data["ranking"][k] <= 1.0, k
    for k in ("precision", "recall", "f1"):
        assert 0.0 <= data["decision"][k] <= 1.0, k
    assert all(x is not None for x in figures)
    assert data["ranking"]["recall@1"] <= data["ranking"]["recall@5"] <= data["ranking"]["listed"]
    t = data["score"]["suggested_threshold"]
    assert t["rule"].startswith("best F1") and 0 <= t["precision"] <= 1 and 0 <= t["recall"] <= 1
    assert data["score"]["pr_curve"] and all(
        0 <= c["precision"] <= 1 and 0 <= c["recall"] <= 1 for c in data["score"]["pr_curve"]
    )


def test_documents_figures_agree_with_the_rows(documents_run):
    """The summary figures recomputed by hand from the per-pair and per-query rows."""
    data, _html, _err = documents_run
    pairs, d, left_out = data["pairs"], data["decision"], data["summary"]["pairs_left_out"]
    assert d["tp"] == sum(p["label"] and p["substantive"] for p in pairs)
    assert d["fp"] == sum(not p["label"] and p["substantive"] for p in pairs)
    assert d["fn"] == sum(p["label"] and not p["substantive"] for p in pairs)
    assert d["tn"] == sum(not p["label"] and not p["substantive"] for p in pairs) + left_out
    assert data["score"]["roc_auc"] == pytest.approx(_auc(pairs, left_out), abs=1e-4)
    qs = data["queries"]
    mrr = sum(1 / min(q["ranks"]) if q["ranks"] else 0 for q in qs) / len(qs)
    assert data["ranking"]["mrr"] == pytest.approx(mrr, abs=1e-4)
    r1 = sum(sum(r <= 1 for r in q["ranks"]) / q["others"] for q in qs) / len(qs)
    assert data["ranking"]["recall@1"] == pytest.approx(r1, abs=1e-4)
    for q in qs:  # each query's group partners, as labelled
        assert q["others"] == len(GROUPS[q["group"]]) - 1


def test_versions_of_one_bill_score_above_unrelated_bills(documents_run):
    data, _html, _err = documents_run
    pos = [p["score"] for p in data["pairs"] if p["label"]]
    unrelated = [p["score"] for p in data["pairs"] if not p["group_a"] and not p["group_b"]]
    assert min(pos) > max(unrelated, default=0.0)
    assert data["score"]["roc_auc"] > 0.5 and data["ranking"]["mrr"] > 0.5


def test_html_page_has_the_curve_and_the_figures(documents_run):
    data, html, err = documents_run
    assert f"report: {html}" in err
    page = html.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "</svg>" in page
    assert "<path d=" in page and "R-precision" in page and "ROC AUC" in page
    assert "<script" not in page  # self-contained, no JS
    assert f"{data['score']['roc_auc']:.3f}" in page


def test_mislabelled_groups_lower_the_figures(documents_run, corpus, tmp_path, cli):
    """Swap one bill of each of two groups: the labels now disagree with the texts."""
    data, _html, _err = documents_run
    wrong = {g: list(v) for g, v in GROUPS.items()}
    wrong["sb6280"][0], wrong["bags"][0] = wrong["bags"][0], wrong["sb6280"][0]
    wrong["hb2363"][1], wrong[""][0] = wrong[""][0], wrong["hb2363"][1]
    bad = run_json(cli, str(write_documents(corpus, tmp_path / "wrong.csv", wrong)))
    assert bad["ranking"]["r_precision"] < data["ranking"]["r_precision"]
    assert bad["ranking"]["mrr"] < data["ranking"]["mrr"]
    assert bad["score"]["roc_auc"] < data["score"]["roc_auc"]
    assert bad["decision"]["recall"] < data["decision"]["recall"]


def test_terminal_output(corpus, tmp_path, cli):
    labels = tmp_path / "pairs.json"  # JSON this time: {"pairs": [...]} with relative paths
    rows = [
        {"a": _rel(corpus, tmp_path, a), "b": _rel(corpus, tmp_path, b), "label": lab}
        for a, b, lab in PAIRS[3:5]
    ]
    labels.write_text(json.dumps({"pairs": rows}, indent=1))
    r = cli("evaluate", str(labels))
    assert r.returncode == 0, r.stderr.decode()
    out = " ".join(r.stdout.decode().split())  # wrapped at the terminal width: join lines
    assert "2 labelled pairs (1 positive)" in out
    assert "precision" in out and "ROC AUC" in out and "suggested threshold" in out
    assert "recall@1" not in out  # no ranking for pairs


def test_pairs_csv(corpus, tmp_path, cli):
    labels = tmp_path / "pairs.csv"
    with open(labels, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "label"])
        for a, b, lab in PAIRS:
            w.writerow([_rel(corpus, tmp_path, a), _rel(corpus, tmp_path, b), lab])
    data = run_json(cli, str(labels))
    assert data["labels"]["kind"] == "pairs" and data["ranking"] is None
    assert [p["label"] for p in data["pairs"]] == [lab in ("yes", "1", "true") for *_, lab in PAIRS]
    assert [p["line_a"] for p in data["pairs"]] == list(range(2, 2 + len(PAIRS)))
    assert data["pairs"][0]["a"] == "wa-2020-sb6280-introduced"  # ids, sources kept too
    assert data["pairs"][0]["source_a"].endswith("wa-2020-sb6280-introduced.txt")
    d = data["decision"]
    assert d["tp"] + d["fp"] + d["fn"] + d["tn"] == len(PAIRS)
    assert 0 <= data["score"]["roc_auc"] <= 1
    assert data["score"]["roc_auc"] == pytest.approx(_auc(data["pairs"]), abs=1e-4)
    pos = [p["score"] for p in data["pairs"] if p["label"]]
    assert min(pos) > 0  # versions and companions share substantive text


# --- bad input: one error line naming the line at fault, exit 2 ---------------------------------


def _bad_cases(corpus: Path, folder: Path):
    a = _rel(corpus, folder, GROUPS[""][0])
    b = _rel(corpus, folder, GROUPS[""][1])
    docs = [{"path": a, "group": "g"}, {"path": b, "group": "g"}, {"path": "gone.htm"}]
    missing = json.dumps({"documents": docs}, indent=1)  # the object opens a line before
    gone = '   "path": "gone.htm"'  # 0-based index of this line = 1-based line of its "{"
    return {
        "missing-path.csv": (f"path,group\n{a},g\n{b},g\nnot-there.txt,\n", 4, "no such file"),
        "group-of-one.csv": (f"path,group\n{a},g\n{b},\n", 2, "only one document"),
        "not-boolean.csv": (f"a,b,label\n{a},{b},1\n{a},{b},maybe\n", 3, "not boolean"),
        "no-columns.csv": ("file,kind\nx,y\n", 1, "no columns"),
        "no-label.csv": (f"a,b\n{a},{b}\n", 1, "label"),
        "broken.json": (
            '[\n {"path": "x", "group": "g"},\n {"path": "y" "group": "g"}\n]\n',
            3,
            "not valid JSON",
        ),
        "missing.json": (missing, missing.splitlines().index(gone), "no such file"),
        "ids-without-db.csv": ("id,group\nx,g\ny,g\n", 2, "--db"),
        "unterminated.csv": (f'path,group\n{a},g\n"{b},g\n', 3, "CSV"),
        "twice.csv": (f"path,group\n{a},g\n{b},g\n{a},\n", 4, "listed twice"),
    }


def _check_one_error(r, name: str, line: int, what: str) -> None:
    err = r.stderr.decode()
    assert r.returncode == 2, (name, err)
    assert r.stdout == b"", name
    assert err.count("\n") == 1 and err.startswith("error: "), (name, err)
    assert "Traceback" not in err
    assert f"{name} line {line}:" in err and what in err and " — " in err, (name, err)


def test_bad_labels_files(corpus, tmp_path, cli):
    for name, (text, line, what) in _bad_cases(corpus, tmp_path).items():
        (tmp_path / name).write_text(text)
        _check_one_error(cli("evaluate", str(tmp_path / name)), name, line, what)


def test_unknown_document_id_in_an_index(corpus, tmp_path, cli):
    db = tmp_path / "ix.db"
    files = [str(corpus / n) for n in GROUPS[""][:3]]
    r = cli("index", "add", *files, "--db", str(db))
    assert r.returncode == 0, r.stderr.decode()
    ids = [Path(f).stem for f in files]
    labels = tmp_path / "ids.csv"
    labels.write_text(f"id,group\n{ids[0]},g\n{ids[1]},g\n{ids[2]},\nno-such-bill,\n")
    r = cli("evaluate", str(labels), "--db", str(db))
    _check_one_error(r, "ids.csv", 5, "unknown document id 'no-such-bill'")
    labels.write_text(f"id,group\n{ids[0]},g\n{ids[1]},g\n{ids[2]},\n")
    data = run_json(cli, str(labels), "--db", str(db))
    assert data["summary"]["pairs"] == 3 and data["settings"]["db"] == str(db)


def test_help_and_no_scikit_learn_on_the_other_commands_import_path():
    code = (
        "import sys, billdiff, billdiff.cli, billdiff.search, billdiff.pairwise, "
        "billdiff.aligner, billdiff.index, billdiff.lineage_graph, billdiff.evaluate, "
        "billdiff.report.evaluate, billdiff.commands.evaluate, billdiff.commands.search, "
        "billdiff.commands.compare, billdiff.commands.lineage\n"
        "billdiff.compare; billdiff.Index; billdiff.lineage\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=str(ROOT))
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode().strip() == "[]"
    r = subprocess.run(
        [sys.executable, "-m", "billdiff", "evaluate", "--help"], capture_output=True, cwd=str(ROOT)
    )
    assert r.returncode == 0 and b"LABELS" in r.stdout and b"--html" in r.stdout
