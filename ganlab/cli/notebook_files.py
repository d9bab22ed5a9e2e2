"""What the notebook-rewriting commands (slides, colab) share: read every notebook before writing any, report
out-of-date notebooks in one line, and write a notebook only when its JSON changes."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def read_notebook(p: Path, parser) -> dict:
    """The notebook at ``p`` as a dict; anything else ends the command with one ``parser.error`` line."""
    try:
        nb = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        parser.error(f"cannot read {p}: {e.strerror or e}")
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        parser.error(f"{p} is not a notebook (not JSON: {e})")
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        parser.error(f"{p} is not a notebook (no list of cells)")
    return nb


def report_out_of_date(bad: list[tuple[Path, list[str]]], what: str, command: str) -> int:
    """``--check``: 0 when ``bad`` is empty, else one stderr line naming each notebook's problems, and 2."""
    if not bad:
        return 0
    detail = " | ".join(f"{p.name}: {'; '.join(found)}" for p, found in bad)
    print(f"ganlab: error: {what} out of date: {detail} (run: python -m {command} {' '.join(str(p) for p, _ in bad)})",
          file=sys.stderr)
    return 2


def write_if_changed(p: Path, nb: dict, rewrite) -> None:
    """Write ``rewrite(nb)`` (which may change ``nb`` in place) to ``p`` only if its JSON differs."""
    before = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    after = json.dumps(rewrite(nb), indent=1, ensure_ascii=False) + "\n"
    if after != before:
        p.write_text(after, encoding="utf-8")
