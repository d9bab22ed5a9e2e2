"""Strip outputs, execution counts and widget state from notebooks so they are committed clean.

Usage: ``python -m ganlab.cli.nbclean notebooks/*.ipynb`` (``--check`` only reports).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def problems(nb: dict) -> list[str]:
    """What makes a notebook dict unclean: outputs, execution counts, saved widget state."""
    found = []
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    if any(c.get("outputs") for c in cells):
        found.append("has outputs")
    if any(c.get("execution_count") for c in cells):
        found.append("has execution counts")
    if "widgets" in nb.get("metadata", {}):
        found.append("has saved widget state")
    return found


def clean(nb: dict) -> dict:
    """Return the notebook with outputs, counts and widget metadata removed (in place)."""
    for c in nb.get("cells", []):
        if c.get("cell_type") == "code":
            c["outputs"] = []
            c["execution_count"] = None
        md = c.get("metadata", {})
        for key in ("execution", "collapsed", "scrolled"):
            md.pop(key, None)
    nb.get("metadata", {}).pop("widgets", None)
    return nb


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [Path(a) for a in args if a != "--check"]
    bad = 0
    for p in paths:
        nb = json.loads(p.read_text())
        issues = problems(nb)
        if check:
            if issues:
                bad += 1
                print(f"{p}: {', '.join(issues)}")
            continue
        p.write_text(json.dumps(clean(nb), indent=1, ensure_ascii=False) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
