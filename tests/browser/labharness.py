"""Drive JupyterLab in headless Chromium the way a person would: open, Run All, click, read.

Used by ``tests/browser``. Three pieces:

* :func:`ensure_chromium` finds Debian's ``/usr/bin/chromium`` or installs it with apt-get.
* :class:`LabServer` starts ``jupyter lab`` on a free loopback port with a random token and
  throw-away config, runtime, settings and workspace dirs, with autosave off and saving refused,
  so a test run can never write outputs into the committed notebooks.
* :class:`LabNotebook` opens one notebook in a Playwright page, runs all cells from the Run menu,
  waits for the kernel to finish and reads error outputs and widget text.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SKIP_ENV = "GANLAB_SKIP_BROWSER"

# What ipywidgets renders when a widget view cannot be created.
WIDGET_ERROR_TEXT = "Error displaying widget"


def skip_requested() -> bool:
    """True when the developer opted out of the browser test with GANLAB_SKIP_BROWSER=1."""
    return os.environ.get(SKIP_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def ensure_chromium() -> str:
    """Return the path of Debian's Chromium, installing it with apt-get when it is missing.

    Raises RuntimeError, with apt-get's output, when it is missing and cannot be installed.
    """
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None:
        raise RuntimeError(f"{CHROMIUM} is missing and there is no apt-get to install it with")
    if os.geteuid() != 0:
        raise RuntimeError(f"{CHROMIUM} is missing; install it as root: apt-get install -y chromium")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    log = []
    for cmd in ([apt, "update", "-q"], [apt, "install", "-y", "-q", "chromium"]):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=420)
        log.append(f"$ {' '.join(cmd)}  (exit {proc.returncode})\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        if proc.returncode != 0:
            break
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"could not install {CHROMIUM}:\n" + "\n".join(log))
    return CHROMIUM


def launch_browser(playwright):
    """Launch Debian's Chromium through Playwright (never Playwright's own downloaded build)."""
    return playwright.chromium.launch(executable_path=ensure_chromium(), headless=True,
                                      args=CHROMIUM_ARGS)


@contextlib.contextmanager
def serve_folder(folder):
    """Serve ``folder`` on 127.0.0.1 (a free port) for the duration of the block; yields the base URL."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def local_only_page(browser, prefix: str, viewport: dict):
    """A new context and page that may load only URLs under ``prefix`` (every other request is aborted and
    recorded). Returns (context, page, refused URLs, console errors, page errors); close the context after."""
    context = browser.new_context(viewport=viewport)
    refused, console, page_errors = [], [], []

    def only_local(route):
        if route.request.url.startswith(prefix):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    return context, page, refused, console, page_errors


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Server config: every save through the contents API is refused, so neither autosave nor a
# stray Ctrl+S can put outputs into the committed notebooks; the checkpoint Lab makes when it
# opens a notebook goes to the throw-away dir, not to .ipynb_checkpoints/ in the repository.
_SERVER_CONFIG = '''
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web

class NoSaveContentsManager(AsyncLargeFileManager):
    async def save(self, model, path=""):
        raise web.HTTPError(403, "saving is disabled during the ganlab browser test")

c.ServerApp.contents_manager_class = NoSaveContentsManager
c.AsyncFileCheckpoints.checkpoint_dir = c.FileCheckpoints.checkpoint_dir = {checkpoints!r}
'''

# Lab user settings: no autosave, every cell kept in the DOM, no news or update pop-ups.
_LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


class LabServer:
    """A JupyterLab server for one test session. Use as a context manager."""

    def __init__(self, root_dir: Path, env: dict[str, str] | None = None, startup_timeout: float = 90):
        self.root_dir = Path(root_dir)
        self.extra_env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.token = secrets.token_hex(24)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self._tmp = Path(tempfile.mkdtemp(prefix="ganlab-lab-"))
        self.log_path = self._tmp / "server.log"

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "LabServer":
        conf, runtime, settings = self._tmp / "config", self._tmp / "runtime", self._tmp / "settings"
        for d in (conf, runtime, settings, self._tmp / "workspaces", self._tmp / "ipython"):
            d.mkdir(parents=True, exist_ok=True)
        (conf / "jupyter_server_config.py").write_text(
            _SERVER_CONFIG.format(checkpoints=str(self._tmp / "checkpoints")))
        for rel, values in _LAB_SETTINGS.items():
            p = settings / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(values))
        env = dict(os.environ)
        env.update({
            "JUPYTER_CONFIG_DIR": str(conf), "JUPYTER_RUNTIME_DIR": str(runtime),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(self._tmp / "workspaces"),
            "IPYTHONDIR": str(self._tmp / "ipython"), "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root_dir}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly",
               "--LabApp.expose_app_in_browser=True"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
            cmd.append("--allow-root")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = self.log_tail()
                code = self.proc.returncode
                self.stop()
                raise RuntimeError(f"jupyter lab exited with {code}:\n{log}")
            try:
                self.api("GET", "/api/status")
                self.api("GET", "/lab/api/settings")  # Lab extension loaded, not just the server
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        log = self.log_tail()
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {self.startup_timeout}s:\n{log}")

    def stop(self) -> None:
        """Shut down kernels, then the server (POST /api/shutdown), then terminate or kill."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.shutdown_kernels()
                self.api("POST", "/api/shutdown")
            except Exception:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        self._log.close()
        self.proc = None
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- REST ------------------------------------------------------------------------------
    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 10):
        data = json.dumps(body).encode() if body is not None else (b"" if method in ("POST", "PUT") else None)
        req = urllib.request.Request(self.base + path, method=method, data=data,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every session and kernel, so the next notebook starts from a quiet machine."""
        for s in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{s['id']}")
        for k in self.api("GET", "/api/kernels") or []:
            self.api("DELETE", f"/api/kernels/{k['id']}")

    def url(self, rel_path: str, workspace: str) -> str:
        """URL that opens ``rel_path`` in a fresh (reset) workspace of its own."""
        quoted = urllib.request.pathname2url(rel_path)
        return f"{self.base}/lab/workspaces/{workspace}/tree/{quoted}?reset&token={self.token}"

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""


# Code cells of the notebook open at the given path, read from Lab's own notebook model.
_CELLS_JS = """(path) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  if (!panel) throw new Error('notebook not open in Lab: ' + path);
  const cells = panel.content.model.cells, out = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    const errors = [];
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j).toJSON();
      if (o.output_type === 'error') errors.push(o.ename + ': ' + o.evalue);
    }
    out.push({index: i, source: c.sharedModel.getSource(), count: c.executionCount, errors});
  }
  return out;
}"""

_KERNEL_JS = """(path) => {
  const panel = Array.from(window.jupyterapp.shell.widgets('main'))
    .find(w => w.context && w.context.path === path);
  const ctx = panel && panel.sessionContext, kernel = ctx && ctx.session && ctx.session.kernel;
  if (!ctx || !ctx.isReady || !kernel) return 'no kernel';
  return kernel.connectionStatus === 'connected' ? kernel.status : kernel.connectionStatus;
}"""

_PROMPT_RE = re.compile(r"\[\s*(\d+|\*)?\s*\]")


class LabNotebook:
    """One notebook open in Lab in a Playwright page."""

    def __init__(self, page, lab: LabServer, rel_path: str):
        self.page, self.lab, self.rel_path = page, lab, rel_path
        self.nb = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first

    def open(self, timeout: float = 90) -> "LabNotebook":
        ws = re.sub(r"[^A-Za-z0-9]+", "-", self.rel_path).strip("-").lower() or "nb"
        self.page.goto(self.lab.url(self.rel_path, ws), wait_until="domcontentloaded")
        self.nb.wait_for(state="visible", timeout=timeout * 1000)
        self._accept_kernel_dialog()
        self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # room for the notebook
        self.wait_kernel_idle(timeout)
        return self

    def _accept_kernel_dialog(self) -> None:
        # A notebook without kernel metadata asks which kernel to start: take the default.
        dialog = self.page.locator(".jp-Dialog")
        try:
            dialog.wait_for(state="visible", timeout=1500)
        except Exception:
            return
        dialog.locator(".jp-mod-accept").first.click()

    # -- kernel state ------------------------------------------------------------------------
    def kernel_status(self) -> str:
        """The notebook's kernel as Lab sees it: 'idle', 'busy', 'starting', 'no kernel', ...

        'idle' only once Lab's session is ready and its websocket to the kernel is connected
        (the toolbar's execution indicator already says idle while the kernel is starting).
        """
        return self.page.evaluate(_KERNEL_JS, self.rel_path)

    def wait_kernel_idle(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.kernel_status() == "idle":
                return
            time.sleep(0.25)
        raise TimeoutError(f"{self.rel_path}: kernel not idle after {timeout}s "
                           f"(status {self.kernel_status()!r})")

    def prompts(self) -> list[str]:
        """Input prompt of every code cell: '' (never run), '*' (queued/running) or a number."""
        texts = self.nb.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        out = []
        for t in texts:
            m = _PROMPT_RE.search(t)
            out.append((m.group(1) or "") if m else "")
        return out

    # -- running ---------------------------------------------------------------------------
    def run_all(self, timeout: float = 300) -> float:
        """Run → Run All Cells from the menu bar; wait until every queued cell has finished.

        Returns the seconds it took. Cells after a failing cell are never run; that shows up in
        :meth:`error_texts` (the error) and :meth:`unexecuted_cells`.
        """
        t0 = time.monotonic()
        self.page.locator('.lm-MenuBar-item:has(.lm-MenuBar-itemLabel:text-is("Run"))').first.click()
        self.page.locator('.lm-Menu-item:has(.lm-Menu-itemLabel:text-is("Run All Cells"))').first.click()
        deadline = t0 + timeout
        settled = 0
        while time.monotonic() < deadline:
            p = self.prompts()
            if not any(p) and time.monotonic() - t0 > 60:
                raise TimeoutError(f"{self.rel_path}: Run All started no cell within 60 s "
                                   f"(kernel {self.kernel_status()!r})")
            done = any(p) and "*" not in p and self.kernel_status() == "idle"
            settled = settled + 1 if done else 0
            if settled >= 3:
                return time.monotonic() - t0
            time.sleep(0.3)
        raise TimeoutError(f"{self.rel_path}: Run All did not finish within {timeout}s; "
                           f"prompts {self.prompts()}, kernel {self.kernel_status()!r}")

    def cells(self) -> list[dict]:
        """The open notebook's code cells as Lab holds them: source, execution count, errors.

        Lab renders an ``error`` output with the same ``application/vnd.jupyter.stderr`` renderer
        as stderr text (warnings), so the DOM cannot tell them apart; the page's notebook model
        (``window.jupyterapp``, exposed by :class:`LabServer`) can.
        """
        return self.page.evaluate(_CELLS_JS, self.rel_path)

    def unexecuted_cells(self) -> list[int]:
        """Indices of non-empty code cells that Run All did not execute."""
        return [c["index"] for c in self.cells() if c["source"].strip() and c["count"] is None]

    def error_texts(self) -> list[str]:
        """Every error output (``cell N: Name: value``) and every widget that failed to display."""
        errors = [f"cell {c['index']}: {e}" for c in self.cells() for e in c["errors"]]
        widget_fail = self.nb.locator(".jp-OutputArea-output", has_text=WIDGET_ERROR_TEXT)
        errors += [t.strip()[:500] for t in widget_fail.all_inner_texts()]
        return errors

    def logged_errors(self) -> list[str]:
        """Errors in this notebook's Log Console: where Lab puts output that belongs to no cell,
        such as a traceback from a widget callback (a button's on_click). Opens the console
        (take screenshots before)."""
        # the command toggles the console: run it only while the console is closed
        self.page.evaluate("""async () => {
          const cmds = window.jupyterapp.commands;
          if (!cmds.isToggled('logconsole:open')) await cmds.execute('logconsole:open');
        }""")
        panel = self.page.locator(".jp-LogConsolePanel").first
        panel.wait_for(state="attached", timeout=10000)
        time.sleep(0.5)
        entries = panel.locator(".jp-OutputArea:visible .jp-OutputArea-child",
                                has=self.page.locator('[data-log-level="error"]'))
        return [t.strip()[-1500:] for t in entries.all_inner_texts()]

    def screenshot(self, path: Path, max_height: int = 16000) -> None:
        """Screenshot of the whole notebook: the window is made as tall as the notebook."""
        path.parent.mkdir(parents=True, exist_ok=True)
        scroller = self.page.locator(
            ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer").first
        size = self.page.viewport_size
        try:
            tall = scroller.evaluate("e => e.scrollHeight - e.clientHeight", timeout=5000)
        except Exception:
            tall = 0
        if tall > 0:
            self.page.set_viewport_size({"width": size["width"],
                                         "height": min(size["height"] + tall + 50, max_height)})
            scroller.evaluate("e => { e.scrollTop = 0; }")
            time.sleep(0.5)
        try:
            self.page.screenshot(path=str(path))
        finally:
            if tall > 0:
                self.page.set_viewport_size(size)

    # -- widgets ---------------------------------------------------------------------------
    def text(self, selector: str) -> str:
        return self.nb.locator(selector).first.inner_text(timeout=5000).strip()

    def attr(self, selector: str, name: str) -> str:
        return self.nb.locator(selector).first.get_attribute(name, timeout=5000) or ""
