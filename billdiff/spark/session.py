"""A SparkSession for billdiff: PySpark checked, Java checked, the master checked, logs quiet.

Only this package imports pyspark, and only when ``engine="spark"`` is asked for.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager

from ..errors import EngineError

INSTALL = "pip install 'billdiff[spark]'"
JAVA_MIN = 17
ARROW_BATCH = 128  # rows (documents, or candidate pairs with both documents) per Arrow batch
LOCAL_ATTEMPTS = 4  # local mode retries a failed task this often (a cluster's default)
_MASTER = re.compile(
    r"^(local(\[(\*|\d+)(,\d+)?\])?|local-cluster\[\d+,\d+,\d+\]|spark://[^\s/]+(,[^\s/]+)*"
    r"|yarn|k8s://\S+|mesos://\S+)$"
)
MASTER_HINT = "use local[*], local[N], spark://HOST:PORT, yarn or k8s://https://HOST:PORT"


def require_pyspark():
    """The pyspark module, or one EngineError that says how to install it."""
    try:
        import pyspark
    except ImportError:
        raise EngineError(
            "the Spark engine needs PySpark, which is not installed", hint=INSTALL
        ) from None
    return pyspark


def java_major() -> int | None:
    """The major version of the ``java`` Spark would start (JAVA_HOME first), or None."""
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.path.exists(java):
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def check_master(master: str) -> str:
    """``master`` as given, or ``local[N]`` with task retries (local mode never retries a
    failed task unless told: ``local[N,F]``)."""
    if not _MASTER.match(master or ""):
        raise EngineError(f"unknown Spark master {master!r}", hint=MASTER_HINT)
    if master == "local":
        return f"local[1,{LOCAL_ATTEMPTS}]"
    m = re.fullmatch(r"local\[(\*|\d+)\]", master)
    return f"local[{m.group(1)},{LOCAL_ATTEMPTS}]" if m else master


def start(master: str = "local[*]", *, verbose: bool = False, conf: dict | None = None):
    """A new (or the active) SparkSession on ``master``. Without ``verbose`` the JVM's
    own output (log4j, warnings, the console progress bar) goes to a log file, not the
    terminal. Raises EngineError when PySpark or Java is missing or the master is wrong."""
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    master = check_master(master)
    major = java_major()
    if major is None:
        raise EngineError(
            "Spark needs Java 17 or newer, and no `java` was found",
            hint="install it (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME",
        )
    if major < JAVA_MIN:
        raise EngineError(
            f"Spark needs Java {JAVA_MIN} or newer, and this `java` is {major}",
            hint="install openjdk-17-jre-headless, or point JAVA_HOME at a newer Java",
        )
    if master.startswith("local"):
        # the executors' Python is this one (its packages, billdiff among them)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName("billdiff")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.python.worker.reuse", "true")
        # an Arrow batch into the Python stages holds whole documents (or pairs of them)
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH))
    )
    if master.startswith("local"):
        # local mode: the executors live in the driver's JVM (1 GB by default: too little
        # for the shuffles of 10,000 bills); a cluster takes --driver-memory/--executor-memory
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.memory", local_memory())
        )
    for k, v in (conf or {}).items():
        builder = builder.config(k, v)
    try:
        with _quiet(not verbose):
            spark = builder.getOrCreate()
    except Exception as err:  # the JVM did not start or the master did not answer
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise EngineError(
            f"cannot start Spark on {master}: {first}",
            hint="check --master (and that the cluster is up), or run with --verbose",
        ) from None
    spark.sparkContext.setLogLevel("INFO" if verbose else "ERROR")
    return spark


def local_memory() -> str:
    """JVM heap for local mode: 40% of this machine's memory, 2 to 16 GB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        total = 8 << 30
    return f"{max(2, min(16, int(0.4 * total / 2**30)))}g"


@contextmanager
def _quiet(on: bool):
    """While the JVM starts, file descriptor 2 points at a log file: the JVM (and the Python
    workers it forks later) keep writing there; this process gets its stderr back."""
    if not on:
        yield
        return
    log = tempfile.NamedTemporaryFile(prefix="billdiff-spark-", suffix=".log", delete=False)
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(log.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        log.close()
