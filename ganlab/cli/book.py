"""Build the course website: ``python -m ganlab.cli.book`` (``make book``; ``make book FAST=1`` for a quick one).

The result is one folder, ``_build/book/`` (``--out``), that a teacher can copy to any static web host or
open from disk: a landing page, the six notebooks as chapters with their math, figures and the
dashboard's GIF, a page per command line and an API page per subpackage, generated from docstrings.

It works offline, from a checkout after ``make setup``:

1. every notebook is executed, in full mode (what a student sees) or with ``--fast`` in fast mode
   (``GANLAB_FAST=1``, as CI does), into ``_build/executed/MODE/``; ``--reuse`` keeps an executed copy
   whose notebook has not changed since (the copy records the notebook's SHA-256; the test session
   leaves its own runs there for the site it builds, so no notebook runs twice);
2. the Sphinx sources are written to ``_build/src/`` (``--work`` moves ``_build``): a copy of ``docs/`` (the landing page, the
   teachers' page, ``conf.py``), the chapters, the generated pages and a local MathJax 3 (from the
   ``django-static-mathjax`` wheel; Sphinx would load MathJax from a CDN);
3. Sphinx (myst-nb, autodoc, the alabaster theme that ships with Sphinx) writes the HTML: no theme,
   font or script is downloaded, at build time or when the site is viewed;
4. every internal link of every page is checked; a broken one fails the build.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import sys
import time
from pathlib import Path

from ganlab.cli import Parser
from ganlab.cli.book_pages import api_pages, broken_links, chapter, cli_pages
from ganlab.cli.colab import launch_links, repository_url
from ganlab.core import repo_root

STAMP = "ganlab_book"  # notebook metadata key of an executed copy: {"mode", "source_sha256", "seconds"}
# what the site needs of MathJax 3 (the django-static-mathjax wheel; no Django involved): the TeX-to-HTML
# component, its web fonts, the TeX extensions it loads on demand, the menu and the accessibility parts
MATHJAX_PARTS = {"es5/tex-chtml.js": "tex-chtml.js", "es5/output/chtml/fonts/woff-v2": "output/chtml/fonts/woff-v2",
                 "es5/input/tex/extensions": "input/tex/extensions", "es5/ui": "ui", "es5/a11y": "a11y",
                 "LICENSE": "LICENSE"}


class BookError(Exception):
    """A build that cannot go on: the message is one line for the user."""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_dir(repo: Path) -> Path:
    """Where the book's intermediate files and, by default, the site go (git-ignored)."""
    return repo / "_build"


def notebooks(repo: Path) -> list[Path]:
    return sorted((repo / "notebooks").glob("*.ipynb"))


def execute(path: Path, fast: bool, timeout: int = 1800):
    """Run one notebook top to bottom in a fresh kernel (its folder as working directory) and return it."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    saved = {k: os.environ.get(k) for k in ("GANLAB_FAST", "MPLBACKEND")}
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    if fast:
        os.environ["GANLAB_FAST"] = "1"
    else:
        os.environ.pop("GANLAB_FAST", None)
    t0 = time.perf_counter()
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
        last = [ln for ln in str(e).strip().splitlines() if ln.strip()][-1:]
        raise BookError(f"{path.name} failed: {' '.join(last) or type(e).__name__}") from None
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    nb.metadata[STAMP] = {"mode": "fast" if fast else "full", "source_sha256": digest(path),
                          "seconds": round(time.perf_counter() - t0, 1)}
    return nb


def save_executed(nb, source: Path, folder: Path) -> Path:
    """Write an executed notebook (stamped by :func:`execute`) where the book looks for it."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    out = folder / source.name
    nbformat.write(nb, out)
    return out


def fresh_copy(source: Path, folder: Path, mode: str):
    """The executed copy of ``source`` in ``folder`` if it was made from this very notebook in ``mode``."""
    import nbformat

    p = folder / source.name
    if not p.is_file():
        return None
    nb = nbformat.read(p, as_version=4)
    stamp = nb.metadata.get(STAMP) or {}
    ok = stamp.get("mode") == mode and stamp.get("source_sha256") == digest(source)
    return nb if ok else None


def executed_notebooks(repo: Path, mode: str, reuse: bool, work: Path, log=print) -> dict:
    """Every notebook executed in ``mode`` (run now, or a fresh copy in ``work/executed/MODE`` with
    ``reuse``), by source path."""
    folder = work / "executed" / mode
    out = {}
    for src in notebooks(repo):
        nb = fresh_copy(src, folder, mode) if reuse else None
        if nb is None:
            log(f"executing {src.name} ({mode} mode) ...")
            nb = execute(src, fast=mode == "fast")
            save_executed(nb, src, folder)
            log(f"  {nb.metadata[STAMP]['seconds']:.0f} s")
        else:
            log(f"reusing the executed {src.name} ({mode} mode)")
        out[src] = nb
    return out


def mathjax_dir() -> Path:
    """MathJax 3 as the ``django-static-mathjax`` wheel installs it (a package named ``mathjax``)."""
    spec = importlib.util.find_spec("mathjax")
    root = Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" if spec and \
        spec.submodule_search_locations else None
    if root is None or not (root / "es5" / "tex-chtml.js").is_file():
        raise BookError("django-static-mathjax (the site's local MathJax) is not installed: run `make setup`")
    return root


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy2(src, dst)


def write_sources(repo: Path, executed: dict, src: Path, mode: str) -> None:
    """The Sphinx source folder: docs/, the chapters, the clean notebooks (downloads), CLI and API pages."""
    import nbformat

    try:
        version = importlib.metadata.version("ganlab")
    except importlib.metadata.PackageNotFoundError:
        version = ""
    url = repository_url(repo / "pyproject.toml")
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(repo / "docs", src, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copy2(repo / "README.md", src / "_readme.md")
    rows = ["| # | chapter | run it |", "|---|---|---|"]
    for path, nb in sorted(executed.items()):
        rel = path.relative_to(repo).as_posix()
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(chapter(nb, url, rel, mode), src / rel)
        _copy(path, src / "_clean" / path.name)
        links = launch_links(url, rel)
        rows.append(f"| {path.name[:2]} | {{doc}}`{Path(rel).with_suffix('').as_posix()}` | "
                    f"[Colab]({links['Colab']}) · [Binder]({links['Binder']}) |")
    cli_pages(src / "cli")
    api_pages(src / "api")
    mj = mathjax_dir()
    for part, to in MATHJAX_PARTS.items():
        _copy(mj / part, src / "_static" / "mathjax" / to)
    mode_note = ("built from **full runs** of the notebooks (what a student sees)" if mode == "full" else
                 "built from **fast-mode runs** of the notebooks (`GANLAB_FAST=1`, as in CI): the figures are "
                 "rougher than a full run's; `make book` builds the full site")
    site = {"version": version, "repository": url,
            "substitutions": {"mode_note": mode_note, "repository": url, "chapters": "\n".join(rows)}}
    (src / "_site.json").write_text(json.dumps(site, indent=1))


def sphinx(src: Path, out: Path, doctrees: Path, jobs: int = 1) -> list[str]:
    """Run Sphinx's HTML builder; returns its warnings (raises BookError when it fails)."""
    import io

    from sphinx.application import Sphinx

    warnings = io.StringIO()
    try:
        app = Sphinx(str(src), str(src), str(out), str(doctrees), "html", status=None, warning=warnings,
                     freshenv=True, parallel=jobs)
        app.build(force_all=True)
    except Exception as e:  # noqa: BLE001 - Sphinx raises many kinds; one line for the user
        raise BookError(f"sphinx failed: {type(e).__name__}: {' '.join(str(e).split())[:400]}") from None
    if app.statuscode:
        raise BookError(f"sphinx failed (status {app.statuscode}): {warnings.getvalue().strip()[-400:]}")
    return [w for w in warnings.getvalue().splitlines() if w.strip()]


def site_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build(repo: Path, mode: str, out: Path, executed: dict, work: Path, jobs: int = 1) -> dict:
    """Sources (in ``work/src``), Sphinx, link check: the site in ``out`` (replaced). Returns what the
    build measured."""
    if out.exists() and any(out.iterdir()) and not (out / ".buildinfo").exists():
        raise BookError(f"{out} exists and is not a site this command built: choose another --out")
    t0 = time.perf_counter()
    src, doctrees = work / "src", work / "doctrees"
    write_sources(repo, executed, src, mode)
    if out.exists():
        shutil.rmtree(out)
    for d in (doctrees, work / "jupyter_execute"):
        shutil.rmtree(d, ignore_errors=True)
    warnings = sphinx(src, out, doctrees, jobs=jobs)
    for d in (out / "_sources",):  # html_copy_source = False leaves it empty
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
    bad = broken_links(out)
    if bad:
        raise BookError(f"{len(bad)} broken link(s) in the site, e.g. {'; '.join(bad[:3])}")
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    return {"seconds": time.perf_counter() - t0, "bytes": site_size(out), "pages": pages, "warnings": warnings}


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m ganlab.cli.book",
                    description="Execute the notebooks and build the course website (one static folder), offline.")
    parser.add_argument("--fast", action="store_true", help="execute in fast mode (GANLAB_FAST=1), as CI does")
    parser.add_argument("--reuse", action="store_true",
                        help="keep executed notebooks in _build/executed/MODE/ whose source has not changed")
    parser.add_argument("--out", type=Path, help="the site folder (default WORK/book)")
    parser.add_argument("--work", type=Path, help="intermediate files: executed notebooks, Sphinx sources "
                        "(default _build in the repository)")
    parser.add_argument("--jobs", type=int, default=1, help="Sphinx processes (default 1)")
    a = parser.parse_args(sys.argv[1:] if argv is None else argv)
    repo = repo_root()
    if repo is None:
        parser.error("the book is built from a checkout of the ganlab repository (it needs notebooks/ and docs/)")
    if a.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {a.jobs}")
    mode = "fast" if a.fast else "full"
    work = (a.work or build_dir(repo)).resolve()
    out = (a.out or work / "book").resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir()) and not (out / ".buildinfo").exists()):
        parser.error(f"{out} exists and is not a site this command built: choose another --out")
    marker = work / ".ganlab-book"  # the build replaces folders inside WORK: only in a folder it made itself
    replaced = [work / n for n in ("src", "doctrees", "jupyter_execute") if (work / n).exists()]
    if a.work is not None and work.exists() and (not work.is_dir() or replaced and not marker.exists()):
        parser.error(f"--work {work} holds {', '.join(p.name for p in replaced) or 'a file'} that the build would "
                     f"replace, and no {marker.name} (it is not a folder this command made): choose another folder")
    t0 = time.perf_counter()
    try:
        work.mkdir(parents=True, exist_ok=True)
        marker.touch()
        executed = executed_notebooks(repo, mode, a.reuse, work)
        t1 = time.perf_counter()
        info = build(repo, mode, out, executed, work, jobs=a.jobs)
    except ImportError as e:
        print(f"ganlab: error: {e.name or e} is not installed: run `make setup` (requirements.txt has it)",
              file=sys.stderr)
        return 2
    except (BookError, ValueError, OSError) as e:
        print(f"ganlab: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2 if isinstance(e, ValueError) else 1
    for w in info["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"built the {mode}-mode site in {time.perf_counter() - t0:.0f} s (notebooks {t1 - t0:.0f} s, "
          f"sphinx and checks {info['seconds']:.0f} s): {len(info['pages'])} pages, "
          f"{info['bytes'] / 1e6:.1f} MB in {out}\nopen {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
