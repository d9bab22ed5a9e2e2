"""ganlab outside a checkout: a plain (non-editable) ``pip install`` and a notebook's Colab setup cell.

One fresh virtual environment, where ``ganlab`` is *not* importable, stands in for Colab or a student's
Python. Its third-party packages are this environment's (linked in, less ganlab), so nothing is downloaded
and pip runs with ``--no-index``. In it:

* notebook 06, copied to a folder outside the repository and run as a student would run it: its setup
  cell (``ganlab.cli.colab``) finds no ganlab and installs it, pointed by ``$GANLAB_INSTALL_FROM`` at a
  copy of this checkout instead of the repository URL; the rest of the notebook then runs against the
  installed package, loads the shipped conditional generator (package data) and reads MNIST into the
  user cache folder;
* the installed command line: ``ganlab --help``, ``doctor``, a short ``toy`` run, ``dcgan sample`` from the
  shipped checkpoint, and MNIST going to ``$GANLAB_DATA`` when it is set. Nothing is written into
  site-packages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "06_conditional_gans.ipynb"
MIRRORS = [REPO.parent / "shared" / "data" / "mnist", REPO / "data" / "mnist"]

pytestmark = pytest.mark.slow


def checkout_files() -> list[str]:
    """What a fresh clone of this working tree holds: tracked files and new files git does not ignore."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True,
                         check=True).stdout.decode()
    return [f for f in out.split("\0") if f and (REPO / f).is_file()]


def mirror() -> Path:
    for m in MIRRORS:
        if (m / "t10k-images-idx3-ubyte.gz").is_file():
            return m
    pytest.skip(f"no local MNIST copy in {' or '.join(map(str, MIRRORS))}: the installed notebook would download it")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    root = tmp_path_factory.mktemp("fresh")
    src = root / "ganlab-checkout"
    for rel in checkout_files():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes((REPO / rel).read_bytes())
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    deps = root / "deps"  # this environment's packages (pip, torch, jupyter, ...), without ganlab
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(("ganlab", "__editable__")):
            (deps / entry.name).symlink_to(entry)
    (site / "zz_ganlab_test_deps.pth").write_text(f"{deps}\n")
    kernel = venv / "share" / "jupyter" / "kernels" / "fresh"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps(
        {"argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "fresh",
         "language": "python"}))
    import matplotlib
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GANLAB_", "PIP_", "VIRTUAL_ENV"))}
    env.update({"XDG_CACHE_HOME": str(root / "cache"), "XDG_DATA_HOME": str(root / "share"),
                "MPLCONFIGDIR": matplotlib.get_cachedir(), "JUPYTER_PATH": str(venv / "share" / "jupyter"),
                "GANLAB_MNIST_MIRROR": str(mirror()), "GANLAB_FAST": "1", "PIP_NO_INDEX": "1",
                "PIP_NO_BUILD_ISOLATION": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"})
    work = root / "work"  # a folder like Colab's /content: no repository around it
    work.mkdir()
    return {"root": root, "src": src, "py": py, "site": site, "env": env, "work": work}


def run(fresh, *args, env=None, timeout=300):
    proc = subprocess.run([str(a) for a in args], cwd=fresh["work"], env={**fresh["env"], **(env or {})},
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc.stdout


RUNNER = textwrap.dedent('''
    import sys, nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(sys.argv[1], as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import ganlab, ganlab.core as core\\n"
        "print('FILE', ganlab.__file__); print('CKPT', core.checkpoints_dir()); print('DATA', core.data_dir())"))
    NotebookClient(nb, timeout=600, kernel_name="fresh", resources={"metadata": {"path": sys.argv[3]}}).execute()
    nbformat.write(nb, sys.argv[2])
''')


@pytest.fixture(scope="module")
def notebook_run(fresh):
    """Notebook 06 run in the fresh environment: its setup cell installs ganlab from the checkout copy."""
    missing = subprocess.run([str(fresh["py"]), "-c", "import ganlab"], cwd=fresh["work"], env=fresh["env"],
                             capture_output=True)
    assert missing.returncode != 0, "ganlab is importable in the fresh environment before the setup cell ran"
    (fresh["work"] / NOTEBOOK.name).write_bytes(NOTEBOOK.read_bytes())
    out = fresh["root"] / "executed.ipynb"
    run(fresh, fresh["py"], "-c", RUNNER, fresh["work"] / NOTEBOOK.name, out, fresh["work"],
        env={"GANLAB_INSTALL_FROM": str(fresh["src"])}, timeout=900)
    nb = json.loads(out.read_text())
    printed = "".join("".join(o.get("text", "")) for o in nb["cells"][-1]["outputs"] if o.get("name") == "stdout")
    return nb, dict(line.split(" ", 1) for line in printed.splitlines())


@pytest.mark.timeout(900)
def test_the_setup_cell_installs_ganlab_and_the_notebook_runs_against_it(fresh, notebook_run):
    nb, where = notebook_run
    assert nb["cells"][1]["id"] == "colab-setup", "notebook 06 does not start with the Colab setup cell"
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, f"{errors[0]['ename']}: {errors[0]['evalue']}"
    site = fresh["site"].resolve()
    assert Path(where["FILE"]).resolve().is_relative_to(site), f"ganlab imported from {where['FILE']}, not {site}"
    assert not list(site.glob("__editable__*ganlab*")), "the setup cell made an editable install"
    ckpt = Path(where["CKPT"])
    assert ckpt.resolve() == site / "ganlab" / "checkpoints" and (ckpt / "cgan_mnist_g_fp16.pt").is_file()
    data = Path(where["DATA"])
    assert data == fresh["root"] / "cache" / "ganlab", f"data went to {data}, not the user cache folder"
    assert (data / "mnist" / "t10k-images-idx3-ubyte.gz").is_file(), "MNIST was not put in the user cache"


@pytest.mark.timeout(600)
def test_the_installed_command_line_runs(fresh, notebook_run):
    _, where = notebook_run
    assert "commands:" in run(fresh, fresh["py"].parent / "ganlab", "--help")  # the console script
    doctor = run(fresh, fresh["py"], "-m", "ganlab", "doctor")
    assert str(fresh["root"] / "cache" / "ganlab" / "mnist") in doctor, doctor
    run(fresh, fresh["py"], "-m", "ganlab", "toy", "--steps", "200", "--metrics", "toy.json")
    assert json.loads((fresh["work"] / "toy.json").read_text())["steps"] == 200
    ckpt = Path(where["CKPT"]) / "cgan_mnist_g_fp16.pt"
    run(fresh, fresh["py"], "-m", "ganlab", "dcgan", "sample", "--checkpoint", ckpt, "--n", "16", "--label", "3",
        "--out", "threes.npy")
    import numpy as np
    assert np.load(fresh["work"] / "threes.npy").shape == (16, 28, 28)
    gdata = fresh["root"] / "ganlab-data"
    code = "from ganlab.images import load_mnist; print(len(load_mnist('test')[0]))"
    assert run(fresh, fresh["py"], "-c", code, env={"GANLAB_DATA": str(gdata)}).strip() == "10000"
    assert (gdata / "mnist" / "t10k-images-idx3-ubyte.gz").is_file(), "MNIST did not go to $GANLAB_DATA"
    written = [p for p in (fresh["site"] / "ganlab").rglob("*") if p.suffix in (".gz", ".pt", ".npy", ".json")
               and p.parent.name != "checkpoints"]
    assert not written, f"files written into site-packages: {written[:5]}"
