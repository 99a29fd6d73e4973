"""Shared fixtures. Real bills are read from ../shared/corpus (never copied here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared")).resolve()
CORPUS = SHARED / "corpus"
PEERS = SHARED / "peers"
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """../shared/corpus, or skip (saying why) where it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"real-bill corpus not found at {CORPUS} (../shared is absent)")
    return CORPUS


@pytest.fixture(scope="session")
def peers_data() -> Path:
    d = PEERS / "data"
    if not d.is_dir():
        pytest.skip(f"peer data not found at {d} (../shared is absent)")
    return d


def run_cli(
    *args: str, input: bytes | None = None, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run the real entry point (python -m billdiff) and capture bytes."""
    e = dict(os.environ)
    e.pop("BILLDIFF_DEBUG", None)
    e.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "billdiff", *args],
        input=input,
        capture_output=True,
        env=e,
        timeout=timeout,
        cwd=str(ROOT),
    )


@pytest.fixture
def cli():
    return run_cli


def spark_unavailable() -> str | None:
    """Why the Spark tests cannot run here (no PySpark, no Java 17+), or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install 'billdiff[spark]')"
    from billdiff.spark.session import java_major

    major = java_major()
    if major is None or major < 17:
        return "Spark needs Java 17+ (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="module")
def spark():
    """One local[2] SparkSession per test module; skips (saying why) where PySpark or Java
    is missing, fails under CI=true (make test installs both)."""
    why = spark_unavailable()
    if why:
        if IN_CI:
            pytest.fail(f"{why} (CI=true: make test should have installed it)")
        pytest.skip(why)
    from billdiff.spark.session import start

    session = start("local[2]")
    yield session
    session.stop()
