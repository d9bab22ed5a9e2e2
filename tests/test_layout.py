"""The package layout the README documents: layered subpackages, no import cycles, small modules.

Layers (a subpackage may import only from itself and the ones listed for it):
core ← theory ← toy / images / basics ← viz / widgets ← cli.
"""

import ast
import importlib
import json
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "ganlab"
ALLOWED = {
    "core": {"core"},
    "theory": {"core", "theory"},
    "toy": {"core", "theory", "toy"},
    "images": {"core", "theory", "images"},
    "basics": {"core", "theory", "basics"},
    "viz": {"core", "theory", "toy", "images", "viz"},
    "widgets": {"core", "theory", "toy", "images", "viz", "widgets"},
    "cli": {"core", "theory", "toy", "images", "basics", "viz", "widgets", "cli"},
}
MAX_LINES = 400


def modules():
    return sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def ganlab_imports(path: Path) -> list[str]:
    """Every ganlab module this file imports (module level and inside functions)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ganlab"):
            out.append(node.module)
            out += [f"{node.module}.{a.name}" for a in node.names
                    if (PKG.parent / f"{node.module}.{a.name}".replace(".", "/")).with_suffix(".py").is_file()]
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.startswith("ganlab")]
    return out


def test_every_module_sits_in_a_subpackage():
    top = {p.name for p in PKG.glob("*.py")}
    assert top == {"__init__.py", "__main__.py"}, f"flat modules left at the top level: {sorted(top)}"
    assert {p.name for p in PKG.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(ALLOWED)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_imports_respect_the_layers(path):
    rel = path.relative_to(PKG).parts
    if len(rel) == 1:
        return  # ganlab/__init__.py and __main__.py dispatch to the CLI
    layer = rel[0]
    for mod in ganlab_imports(path):
        parts = mod.split(".")
        assert len(parts) > 1, f"{path.name} imports the top-level package"
        assert parts[1] in ALLOWED[layer], f"{module_name(path)} imports {mod}: {layer} may use only {sorted(ALLOWED[layer])}"


def test_no_import_cycles():
    graph = {module_name(p): set(ganlab_imports(p)) for p in modules()}
    names = set(graph)
    graph = {k: {m for m in v if m in names and m != k and not k.startswith(m + ".")} for k, v in graph.items()}
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n, [n])


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_modules_stay_small(path):
    n = len(path.read_text().splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(PKG)} has {n} lines (limit {MAX_LINES}): split it by concept"


def _public_imports(source: str, where: str) -> list[str]:
    """Problems in ``source``: imports of ganlab modules instead of a subpackage's exported names."""
    bad = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ganlab"):
            parts = node.module.split(".")
            if len(parts) != 2 or parts[1] not in ALLOWED:
                bad.append(f"{where}: from {node.module} import ... (use a subpackage: ganlab.toy, ganlab.images, ...)")
                continue
            exported = set(getattr(importlib.import_module(node.module), "__all__", ()))
            bad += [f"{where}: {node.module}.{a.name} is not in {node.module}.__all__"
                    for a in node.names if a.name not in exported]
    return bad


def test_notebooks_and_benchmarks_import_only_public_names():
    root = PKG.parent
    bad = []
    for nb in sorted((root / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        src = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        src = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
        bad += _public_imports(src, nb.name)
    for py in sorted((root / "benchmarks").glob("*.py")):
        bad += _public_imports(py.read_text(), py.name)
    assert not bad, "\n".join(bad)
