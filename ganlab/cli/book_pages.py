"""The pages of the course website that are made, not written: chapters from executed notebooks, one page
per command line, one API page per subpackage; and the check that every internal link of a built site
resolves. Used by ``python -m ganlab.cli.book`` and by the tests."""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ganlab.cli.colab import is_colab_cell, launch_links

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SUBPACKAGES = ("core", "theory", "basics", "toy", "images", "viz", "widgets", "cli")
# (page, command as typed, module, argv lists whose --help output the page shows)
COMMANDS = (
    ("doctor", "python -m ganlab doctor", "ganlab.cli.doctor", ()),
    ("toy", "python -m ganlab toy", "ganlab.cli.toy", (["--help"],)),
    ("dcgan", "python -m ganlab dcgan", "ganlab.cli.images",
     (["--help"], ["train", "--help"], ["sample", "--help"], ["eval", "--help"])),
    ("uncrop", "python -m ganlab uncrop", "ganlab.cli.uncrop", (["--help"], ["train", "--help"])),
    ("vae", "python -m ganlab vae", "ganlab.cli.vae", (["--help"], ["train", "--help"])),
    ("slides", "python -m ganlab.cli.slides", "ganlab.cli.slides", (["--help"],)),
    ("nbclean", "python -m ganlab.cli.nbclean", "ganlab.cli.nbclean", ()),
    ("colab", "python -m ganlab.cli.colab", "ganlab.cli.colab", (["--help"],)),
    ("book", "python -m ganlab.cli.book", "ganlab.cli.book", (["--help"],)),
)
MODE_NOTE = {
    "full": "The figures on this page come from a **full run** of the notebook, as a student gets it.",
    "fast": "The figures on this page come from a **fast-mode run** (`GANLAB_FAST=1`: shorter training and "
            "fewer samples, as in CI), so they are rougher than a full run's; `make book` builds the full site.",
}


def _source(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def chapter(nb, url: str, rel_path: str, mode: str):
    """The executed notebook as a site chapter (a copy): the Colab cells become a line of launch links
    under the title, widget views are dropped (each widget leaves a static figure in the notebook), and so
    is the saved widget state (which would load the widget manager from a CDN)."""
    import nbformat

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    cells = [c for c in nb.cells if not is_colab_cell(c)]
    for c in cells:
        if c.cell_type == "code":
            c.outputs = [o for o in c.get("outputs", []) if WIDGET_VIEW not in o.get("data", {})]
    links = launch_links(url, rel_path)
    name = Path(rel_path).name
    launch = nbformat.v4.new_markdown_cell(
        f":::{{note}}\nRun this chapter: [open in Colab]({links['Colab']}) · [launch on Binder]({links['Binder']}) "
        f"· download {{download}}`{name} <../_clean/{name}>` (no outputs). {MODE_NOTE[mode]}\n:::")
    title = next((i for i, c in enumerate(cells) if c.cell_type == "markdown" and _source(c).lstrip().startswith("# ")), -1)
    cells.insert(title + 1, launch)
    nb.cells = cells
    return nb


def _help_text(module: str, argv: list[str]) -> str:
    """What ``module``'s ``main(argv)`` prints (argparse's help: it exits 0), 100 columns wide."""
    mod = importlib.import_module(module)
    out = io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        with contextlib.redirect_stdout(out):
            try:
                mod.main(argv)
            except SystemExit:
                pass
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    return out.getvalue().rstrip()


def _docstring_md(doc: str) -> str:
    """A module docstring (reST-flavoured, mostly Markdown already) as MyST Markdown."""
    return re.sub(r"(?m)^(\s*)\.\. ", r"\1", (doc or "").strip())


def cli_pages(folder: Path) -> list[str]:
    """``folder/index.md`` (the top-level usage) and one page per command; returns the page names."""
    usage = subprocess.run([sys.executable, "-m", "ganlab", "--help"], capture_output=True, text=True,
                           check=True).stdout  # the dispatcher's usage (ganlab/__main__.py, above the layers)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for page, typed, module, helps in COMMANDS:
        mod = importlib.import_module(module)
        parts = [f"# `{typed}`\n", _docstring_md(mod.__doc__)]
        for argv in helps:
            shown = " ".join([typed, *argv])
            parts += [f"\n## `{shown}`\n", "```text", _help_text(module, argv), "```"]
        if not helps:
            parts += ["\nThis command takes no options."]
        (folder / f"{page}.md").write_text("\n".join(parts) + "\n", encoding="utf-8")
        names.append(page)
    toc = "\n".join(names)
    (folder / "index.md").write_text(
        "# Command lines\n\nEvery command reports a mistake as one line on stderr, `ganlab: error: ...`, with "
        "exit code 2 (1 for a run that failed), never a traceback. `python -m ganlab --help`:\n\n"
        f"```text\n{usage.strip()}\n```\n\n```{{toctree}}\n:maxdepth: 1\n\n{toc}\n```\n", encoding="utf-8")
    return names


def api_pages(folder: Path) -> list[str]:
    """``folder/index.md`` and one page per subpackage, each an ``automodule`` of its public names."""
    folder.mkdir(parents=True, exist_ok=True)
    for sub in SUBPACKAGES:
        (folder / f"{sub}.md").write_text(
            f"# `ganlab.{sub}`\n\n```{{eval-rst}}\n.. automodule:: ganlab.{sub}\n   :members:\n```\n", encoding="utf-8")
    toc = "\n".join(SUBPACKAGES)
    (folder / "index.md").write_text(
        "# The package, from its docstrings\n\nLayers only point down: core ← theory ← toy / images / basics "
        "← viz / widgets ← cli. Each subpackage exports its public names from its `__init__` "
        "(`from ganlab.toy import ToyConfig, ToyTrainer`); these pages list them.\n\n"
        f"```{{toctree}}\n:maxdepth: 1\n\n{toc}\n```\n", encoding="utf-8")
    return list(SUBPACKAGES)


class _Links(HTMLParser):
    """Every href/src of a page, and every id (fragment target) in it."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) and not (tag == "link" and a.get("rel") in ("preconnect", "dns-prefetch")):
                self.links.append(a[key])


def broken_links(site: Path) -> list[str]:
    """Internal links of every ``.html`` page under ``site`` that point at no file, or at no id in it.

    External links (``http:``, ``https:``, ``mailto:``) are not followed; a page that *loads* something from
    outside (a script, style or image with an absolute URL) is reported too, since the site must work
    offline."""
    pages = sorted(site.rglob("*.html"))
    parsed = {}
    for p in pages:
        parser = _Links()
        parser.feed(p.read_text(encoding="utf-8", errors="replace"))
        parsed[p.resolve()] = parser
    bad = []
    for p in pages:
        parser = parsed[p.resolve()]
        html = p.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r'<(script|link|img|iframe|source)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"', html):
            if m.group(1) != "link" or 'rel="stylesheet"' in m.group(0) or "preload" in m.group(0):
                bad.append(f"{p.relative_to(site)}: loads {m.group(2)} from the network")
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//") or link.startswith("javascript:"):
                continue
            target = (p.parent / unquote(parts.path)).resolve() if parts.path else p.resolve()
            if target.is_dir():
                target = target / "index.html"
            try:
                target.relative_to(site.resolve())
            except ValueError:
                bad.append(f"{p.relative_to(site)}: {link} leaves the site folder")
                continue
            if not target.is_file():
                bad.append(f"{p.relative_to(site)}: {link} (no such file)")
            elif parts.fragment and target.suffix == ".html" and target in parsed \
                    and unquote(parts.fragment) not in parsed[target].ids:
                bad.append(f"{p.relative_to(site)}: {link} (no id {parts.fragment!r} there)")
    return bad
