"""The package's front door and the CLI's shape."""

from __future__ import annotations

import ast
from pathlib import Path

import billdiff
from billdiff.errors import SettingsError
from billdiff.settings import Settings

PKG = Path(billdiff.__file__).parent


def test_public_names_resolve():
    for name in billdiff.__all__:
        if name in ("Index", "lineage"):
            continue  # filled in by the index/lineage work
        assert getattr(billdiff, name) is not None


def test_settings_validate_with_a_hint():
    try:
        Settings(min_words=1)
    except SettingsError as err:
        assert "min_words" in str(err) and "use" in str(err)
    else:
        raise AssertionError("min_words=1 accepted")
    assert Settings().cache_key() == Settings().cache_key()
    assert Settings(min_words=20).cache_key() != Settings().cache_key()


def test_library_never_imports_rich_click_or_prints():
    """Library modules stay silent: rich/click only in cli.py, commands/ and report/."""
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).as_posix()
        if rel == "cli.py" or rel.startswith(("commands/", "report/")) or rel == "__main__.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                for n in names:
                    assert not n.startswith(("rich", "click")), f"{rel} imports {n}"
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print":
                raise AssertionError(f"{rel}:{node.lineno} prints")


def test_help_is_nonempty_for_every_command(cli):
    from billdiff.cli import COMMANDS

    top = cli("--help")
    assert top.returncode == 0 and b"compare" in top.stdout
    for name in COMMANDS:
        r = cli(name, "--help")
        assert r.returncode == 0, (name, r.stderr)
        assert len(r.stdout.strip()) > 40, name


def test_front_door_functions_survive_submodule_imports():
    """Importing the modules behind compare/align/lineage must not rebind the functions."""
    import importlib

    for mod in (
        "billdiff.pairwise",
        "billdiff.aligner",
        "billdiff.lineage_graph",
        "billdiff.lineage_graph.build",
        "billdiff.index",
    ):
        importlib.import_module(mod)
    for name in ("compare", "align", "lineage", "read", "tokenize"):
        assert callable(getattr(billdiff, name)), name
