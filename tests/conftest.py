import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

# Tests never open windows and never pick up a GPU by accident.
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="session")
def fast_run(tmp_path_factory):
    """``fast_run(path)``: the notebook executed in fast mode (``nbrun.run_fast``), once per session.

    The notebook tests check each run; the course website (``book_site``) is built from the same runs,
    so no notebook is executed twice, whichever test asks first."""
    from nbrun import run_fast

    runs = {}
    workdir = tmp_path_factory.mktemp("nbruns")

    def get(path: Path):
        path = Path(path).resolve()
        if path not in runs:
            runs[path] = run_fast(path, workdir)
        return runs[path]

    return get


def can_go_offline() -> bool:
    """Whether a command can be run in a network namespace of its own, with no network at all."""
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode == 0


@dataclass
class BookSite:
    path: Path  # the built site folder
    log: str  # what the build printed
    offline: bool  # built with no network (unshare --net)
    seconds: float


@pytest.fixture(scope="session")
def book_site(fast_run, tmp_path_factory):
    """The course website built by ``python -m ganlab.cli.book --fast --reuse`` from this session's
    fast-mode runs, in a network namespace with no network when the machine allows one (CI does)."""
    from ganlab.cli.book import STAMP, digest, save_executed

    work = tmp_path_factory.mktemp("book")
    failed = []
    for p in NOTEBOOKS:
        run = fast_run(p)
        if run.exception is not None or run.errors:
            failed.append(p.name)
            continue
        run.nb.metadata[STAMP] = {"mode": "fast", "source_sha256": digest(p), "seconds": round(run.seconds, 1)}
        save_executed(run.nb, p, work / "executed" / "fast")
    if failed:
        pytest.fail(f"the site is built from the notebooks' runs, and {', '.join(failed)} failed "
                    "(see test_notebook_runs_in_fast_mode)", pytrace=False)
    offline = can_go_offline()
    cmd = [sys.executable, "-m", "ganlab.cli.book", "--fast", "--reuse", "--work", str(work)]
    t0 = time.perf_counter()
    proc = subprocess.run((["unshare", "--net", "--"] if offline else []) + cmd, cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"building the site failed (exit {proc.returncode}):\n{log[-3000:]}", pytrace=False)
    return BookSite(work / "book", log, offline, time.perf_counter() - t0)


def pytest_collection_modifyitems(items):
    """Tests of the website run last: by then the notebook tests have executed every notebook (and
    timed it), and the site is built from those runs."""
    later = [i for i in items if "book_site" in getattr(i, "fixturenames", ())]
    if later:
        items[:] = [i for i in items if "book_site" not in getattr(i, "fixturenames", ())] + later
