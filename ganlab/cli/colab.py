"""Open every notebook on Colab or Binder: a first cell of badges and a setup cell that installs ganlab.

Usage: ``python -m ganlab.cli.colab notebooks/*.ipynb`` writes the two cells at the top of each notebook
(idempotent: a notebook already in order is not touched); ``--check`` only verifies them, and names the
notebooks that differ (one line on stderr, exit code 2).

Both cells are made from **one URL**, ``Repository`` under ``[project.urls]`` in ``pyproject.toml``
(a ``https://github.com/OWNER/NAME`` address), and the branch ``BRANCH``: change the URL there and run
this command again (``make colab``). The cells carry the tag ``colab``, which is how this command finds
them again and how ``python -m ganlab.cli.slides`` knows to skip them on slides.

* The **badges**: *Open in Colab* (``colab.research.google.com/github/...``) and *launch on Binder*
  (``mybinder.org/v2/gh/...``, which builds the repository's ``binder/`` folder and opens the notebook in
  JupyterLab).
* The **setup cell** does nothing where ``ganlab`` is importable: a checkout after ``make setup``, a
  ``pip install``, a Binder or JupyterHub image. Elsewhere (Colab, a bare Python) it runs
  ``pip install git+URL``, or installs what ``$GANLAB_INSTALL_FROM`` names instead (a local checkout,
  a wheel), then lets the next cell import it. Colab already has torch, numpy, scipy and matplotlib, so
  only ganlab itself (about 1.3 MB with its trained generators) and anything missing are installed;
  MNIST comes from the public mirrors into the user cache, as for any installed ganlab.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from ganlab.cli import Parser
from ganlab.cli.notebook_files import read_notebook, report_out_of_date, write_if_changed

TAG = "colab"
BRANCH = "main"
INSTALL_ENV = "GANLAB_INSTALL_FROM"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
_GITHUB = re.compile(r"https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$")

SETUP = '''\
# Colab, or any Python without ganlab: install the course package from its repository first.
# Nothing happens where ganlab is already importable (a checkout after `make setup`, pip, Binder).
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("ganlab") is None:
    source = os.environ.get("{env}") or "git+{url}.git"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)
    importlib.invalidate_caches()
'''


def repository_url(pyproject: Path) -> str:
    """``[project.urls] Repository`` from ``pyproject``: a ``https://github.com/OWNER/NAME`` URL.

    Raises ValueError (one line) when it is missing or not a GitHub repository address."""
    text = pyproject.read_text(encoding="utf-8")
    try:
        import tomllib
        url = (tomllib.loads(text).get("project", {}).get("urls") or {}).get("Repository")
    except ImportError:  # Python 3.10: the one line this needs
        m = re.search(r'^\s*Repository\s*=\s*"([^"]+)"', text, re.M)
        url = m.group(1) if m else None
    if not url:
        raise ValueError(f"{pyproject} has no Repository URL under [project.urls]")
    if not _GITHUB.match(url):
        raise ValueError(f"the Repository URL in {pyproject} is {url!r}: Colab and Binder need "
                         "https://github.com/OWNER/NAME")
    return url.rstrip("/").removesuffix(".git")


def launch_links(url: str, rel_path: str, branch: str = BRANCH) -> dict[str, str]:
    """Where a notebook (``rel_path`` from the repository root, e.g. ``notebooks/01_x.ipynb``) opens."""
    owner, name = _GITHUB.match(url).groups()
    return {"Colab": f"https://colab.research.google.com/github/{owner}/{name}/blob/{branch}/{rel_path}",
            "Binder": f"https://mybinder.org/v2/gh/{owner}/{name}/{branch}?urlpath=lab/tree/{rel_path}"}


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def cells(url: str, rel_path: str) -> list[dict]:
    """The badge cell and the setup cell for one notebook, as nbformat 4.5 cell dicts."""
    links = launch_links(url, rel_path)
    badges = (f"[![Open In Colab]({COLAB_BADGE})]({links['Colab']})\n"
              f"[![Launch on Binder]({BINDER_BADGE})]({links['Binder']})")
    meta = {"slideshow": {"slide_type": "skip"}, "tags": [TAG]}
    return [
        {"cell_type": "markdown", "id": "colab-badges", "metadata": json.loads(json.dumps(meta)),
         "source": _lines(badges)},
        {"cell_type": "code", "execution_count": None, "id": "colab-setup", "metadata": json.loads(json.dumps(meta)),
         "outputs": [], "source": _lines(SETUP.format(env=INSTALL_ENV, url=url).rstrip("\n"))},
    ]


def is_colab_cell(cell: dict) -> bool:
    return TAG in (cell.get("metadata", {}).get("tags") or [])


def _same(a: dict, b: dict) -> bool:
    def src(c):
        s = c.get("source", "")
        return "".join(s) if isinstance(s, list) else s
    return (a.get("cell_type") == b.get("cell_type") and src(a) == src(b)
            and a.get("metadata", {}).get("slideshow") == b["metadata"]["slideshow"] and is_colab_cell(a))


def problems(nb: dict, url: str, rel_path: str) -> list[str]:
    """What differs from the two cells the URL implies: missing, out of date, or not at the top."""
    want = cells(url, rel_path)
    have = nb.get("cells", [])
    if not any(is_colab_cell(c) for c in have):
        return ["has no Colab badge and setup cells"]
    if len(have) < 2 or not all(_same(h, w) for h, w in zip(have[:2], want)):
        return ["its Colab cells differ from the Repository URL in pyproject.toml (or are not the first two)"]
    if sum(is_colab_cell(c) for c in have) != 2:
        return ["has more than two cells tagged colab"]
    return []


def apply(nb: dict, url: str, rel_path: str) -> dict:
    """Put the two cells at the top of the notebook (in place), replacing any earlier ones."""
    nb["cells"] = cells(url, rel_path) + [c for c in nb.get("cells", []) if not is_colab_cell(c)]
    return nb


def find_repo(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``pyproject.toml``."""
    for d in [start, *start.parents]:
        if (d / "pyproject.toml").is_file():
            return d
    return None


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m ganlab.cli.colab",
                    description="Write (or --check) each notebook's Colab/Binder badges and setup cell, made from "
                                "the Repository URL in pyproject.toml.")
    parser.add_argument("notebooks", nargs="+", type=Path, help=".ipynb files inside the repository")
    parser.add_argument("--check", action="store_true", help="only verify; exit 2 when a notebook differs")
    a = parser.parse_args(sys.argv[1:] if argv is None else argv)
    books = []
    for p in a.notebooks:  # every file is read and every URL checked before any is written
        p = p.resolve()
        repo = find_repo(p.parent)
        if repo is None:
            parser.error(f"{p} is not inside a repository with a pyproject.toml")
        try:
            url = repository_url(repo / "pyproject.toml")
        except OSError as e:
            parser.error(f"cannot read {repo / 'pyproject.toml'}: {e.strerror or e}")
        except ValueError as e:
            parser.error(str(e))
        nb = read_notebook(p, parser)
        books.append((p, nb, url, p.relative_to(repo).as_posix()))
    if a.check:
        return report_out_of_date([(p, found) for p, nb, url, rel in books if (found := problems(nb, url, rel))],
                                  "Colab cells", "ganlab.cli.colab")
    for p, nb, url, rel in books:
        write_if_changed(p, nb, lambda nb, url=url, rel=rel: apply(nb, url, rel))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
