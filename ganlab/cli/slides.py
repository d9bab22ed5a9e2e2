"""Give every notebook cell a slide type, by rule, so each notebook can be shown as slides.

Usage: ``python -m ganlab.cli.slides notebooks/*.ipynb`` writes the slide types (idempotent: a
notebook already in order is not touched); ``--check`` only verifies them, and names the notebooks
and cells that differ (one line on stderr, exit code 2); ``--force`` also re-types the cells a
person fixed by hand (see below) and drops their mark.

The slide type lives where Jupyter puts it (``cell.metadata.slideshow.slide_type``), so both
jupyterlab-rise (live, in JupyterLab) and ``jupyter nbconvert --to slides`` (a reveal.js file) read
it. The rule splits the material as a lecturer would, for a 1024×768 screen:

* a markdown cell that starts with ``# `` or ``## `` (a notebook or section title) is a **slide**;
  one that starts with ``### `` (a subsection) is a **subslide** (below it, in reveal.js terms);
* the set-up code (imports, ``%matplotlib``, seeding, thread count, rcParams/style, the
  fast-mode ``print``, ``name = f()`` with no arguments) is **skip**, and so are helper cells
  before the first section that only import, set up and define functions or constants; so are
  empty cells, and the Colab badge and install cells (tagged ``colab``, written by
  ``python -m ganlab.cli.colab``);
* a code cell starts a **subslide** unless the slide it would join is short: it holds no code yet
  (a second figure would not fit under the first), and its text plus this code take at most
  ``LONG`` = 12 lines (a figure fills about half of the screen) or its text is only a title
  (``TITLE`` = 2 lines: a heading and a line). So a long explanation stays on its slide and the
  code and its figure get the next one. A text cell of more than ``LONG`` lines after code starts
  a subslide too;
* everything else is ``-``: it continues the current slide (commentary stays with its figure).

"Lines" are lines as shown: a source line of up to 90 characters is one, a longer one wraps.
A cell too tall for the screen even so (some theory cells are) scrolls: the rule also sets the
notebook's ``rise.scroll`` metadata (jupyterlab-rise), and the README's nbconvert command passes
``--SlidesExporter.reveal_scroll=True``.

**Setting a cell by hand.** Choose the type in JupyterLab (property inspector, or RISE's
``Shift+I``/``Shift+B``/``Shift+G``) and add the cell tag ``slide-manual``: this command then keeps
that cell's type as it is (and the cells after it follow from it). Without the tag the rule wins,
so headings added or moved later are picked up the next time the command runs.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from ganlab.cli import Parser
from ganlab.cli.notebook_files import read_notebook, report_out_of_date, write_if_changed
from ganlab.cli.colab import TAG as COLAB_TAG  # the badge and install cells: never on a slide

SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")
MANUAL_TAG = "slide-manual"
LONG = 12  # lines of text that, with a figure below them, fill a 1024×768 slide
TITLE = 2  # a heading and a line under it: what a code cell may always join
WIDTH = 90  # characters per shown line of slide text
SETUP_CALLS = {"print", "seed_everything", "set_num_threads", "manual_seed", "seed", "filterwarnings",
               "simplefilter", "set_printoptions", "use", "rcParams.update", "style.use", "rc"}
_HEADING = re.compile(r"(#{1,3}) ")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def shown_lines(text: str) -> int:
    """How many lines ``text`` takes on a slide: long source lines wrap at WIDTH characters."""
    return sum(max(1, -(-len(line) // WIDTH)) for line in text.strip().splitlines())


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def _is_setup_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = _dotted(node.func)
    return any(name == c or name.endswith("." + c) for c in SETUP_CALLS)


def _setup_statement(stmt: ast.stmt, defs: bool) -> bool:
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(stmt, ast.Expr):
        return _is_setup_call(stmt.value)
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, ast.Subscript) and _dotted(target.value).endswith("rcParams"):
            return True  # plt.rcParams["figure.dpi"] = 90
        if isinstance(target, ast.Name):
            if isinstance(value, ast.Call) and not value.args and not value.keywords:
                return True  # device = get_device(), T0 = time.perf_counter()
            return defs and _is_constant(value)
    return defs and isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))


def _is_constant(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def is_setup(source: str, defs: bool = False) -> bool:
    """True for set-up code: imports, magics and configuration only (``defs``: definitions too)."""
    lines = source.splitlines()
    magics = [ln for ln in lines if ln.lstrip().startswith(("%", "!"))]
    code = "\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!")))
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    if not (magics or any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body)):
        return bool(defs and body and all(_setup_statement(s, True) for s in body)
                    and any(isinstance(s, (ast.FunctionDef, ast.ClassDef)) for s in body))
    return all(_setup_statement(s, defs) for s in body)


def _manual(cell: dict) -> bool:
    return MANUAL_TAG in (cell.get("metadata", {}).get("tags") or [])


def current(cell: dict) -> str | None:
    """The slide type stored in a cell, or None."""
    return (cell.get("metadata", {}).get("slideshow") or {}).get("slide_type")


def slide_types(nb: dict, force: bool = False) -> list[str]:
    """The slide type of every cell under the rule (cells tagged ``slide-manual`` keep theirs)."""
    out = []
    text = 0  # shown lines of markdown on the current (sub)slide
    code = False  # the current (sub)slide already holds a code cell
    in_section = False  # a ## heading has been seen (helpers before it count as set-up)
    for cell in nb.get("cells", []):
        kind, src = cell.get("cell_type"), _source(cell)
        n = shown_lines(src)
        m = _HEADING.match(src.lstrip())
        if _manual(cell) and not force and current(cell) in SLIDE_TYPES:
            t = current(cell)
        elif not src.strip() or COLAB_TAG in (cell.get("metadata", {}).get("tags") or []):
            t = "skip"
        elif kind == "markdown" and m:
            t = "slide" if len(m.group(1)) <= 2 else "subslide"
        elif kind == "code" and is_setup(src, defs=not in_section):
            t = "skip"
        elif kind == "code":
            fits = text <= TITLE or text + n <= LONG
            t = "-" if not code and fits else "subslide"
        else:
            t = "subslide" if code and n > LONG else "-"
        if kind == "markdown" and m and len(m.group(1)) == 2:
            in_section = True
        if t in ("slide", "subslide"):
            text, code = (n if kind == "markdown" else 0), kind == "code"
        elif t in ("-", "fragment"):
            text, code = (text + n if kind == "markdown" else text), code or kind == "code"
        out.append(t)
    return out


def expected_slides(nb: dict) -> tuple[int, int]:
    """(horizontal slides, all slides) that reveal.js shows for the notebook's stored slide types.

    As nbconvert builds the deck: every slide is a column of subslides, and the first cell that
    is not skipped or a note always opens a slide.
    """
    types = [current(c) or "-" for c in nb.get("cells", [])]
    shown = [t for t in types if t not in ("skip", "notes")]
    if not shown:
        return 0, 0
    shown[0] = "slide"
    return shown.count("slide"), shown.count("slide") + shown.count("subslide")


def problems(nb: dict) -> list[str]:
    """What differs from the rule: cells whose slide type is missing or wrong, rise.scroll unset."""
    found = []
    want = slide_types(nb)
    bad = [i for i, (c, t) in enumerate(zip(nb.get("cells", []), want)) if current(c) != t]
    if bad:
        shown = ", ".join(map(str, bad[:8])) + (", ..." if len(bad) > 8 else "")
        found.append(f"slide types of cells {shown} differ from the rule")
    wrong = [i for i, c in enumerate(nb.get("cells", [])) if _manual(c) and current(c) not in SLIDE_TYPES]
    if wrong:
        found.append(f"cells {', '.join(map(str, wrong))} are tagged {MANUAL_TAG} but have no valid slide type")
    if "scroll" not in (nb.get("metadata", {}).get("rise") or {}):
        found.append("rise.scroll is not set")
    return found


def apply(nb: dict, force: bool = False) -> dict:
    """Write the rule's slide types into the notebook dict (in place) and return it."""
    for cell, t in zip(nb.get("cells", []), slide_types(nb, force=force)):
        md = cell.setdefault("metadata", {})
        if force and _manual(cell):
            md["tags"] = [x for x in md["tags"] if x != MANUAL_TAG]
            if not md["tags"]:
                del md["tags"]
        md.setdefault("slideshow", {})["slide_type"] = t
    nb.setdefault("metadata", {}).setdefault("rise", {}).setdefault("scroll", True)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m ganlab.cli.slides",
                    description="Set (or --check) the slide type of every notebook cell by the rule in this module.")
    parser.add_argument("notebooks", nargs="+", type=Path, help=".ipynb files")
    parser.add_argument("--check", action="store_true", help="only verify; exit 2 when a notebook differs")
    parser.add_argument("--force", action="store_true",
                        help=f"also re-type cells tagged {MANUAL_TAG}, and drop that tag")
    a = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if a.check and a.force:
        parser.error("--check and --force do not go together")
    books = [(p, read_notebook(p, parser)) for p in a.notebooks]  # every file is read before any is written
    if a.check:
        return report_out_of_date([(p, found) for p, nb in books if (found := problems(nb))],
                                  "slide metadata", "ganlab.cli.slides")
    for p, nb in books:
        write_if_changed(p, nb, lambda nb: apply(nb, force=a.force))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
