"""A frame you can draw on: the 2-D lab's picture, which also reports clicks and drags in data coordinates.

An ``anywidget`` (the one widget kind that JupyterLab, VS Code and Colab all render without extra set-up; its
JavaScript is the string ``ESM`` below, no build step). The kernel sends each frame as image bytes and
``box``: where the data plane sits in the frame (pixels) and its data limits. While ``drawing`` is on, a
click or a drag on the data plane sends points to the kernel in batches; :meth:`FrameCanvas.on_points`
registers who gets them (the lab makes them its target). Clicks outside the data plane are ignored.

Without the ``anywidget`` package (``requirements.txt`` pins it) the canvas falls back to a plain
``ipywidgets.Image`` that shows the frames but cannot take drawn points (``CAN_DRAW`` is False).
"""

from __future__ import annotations

import ipywidgets as W
import traitlets

try:
    import anywidget
except ImportError:  # an install without requirements.txt: show frames, no drawing
    anywidget = None

CAN_DRAW = anywidget is not None

ESM = r"""
function render({ model, el }) {
  const wrap = document.createElement("div");
  wrap.className = "ganlab-canvas";
  wrap.style.cssText = "position:relative;display:inline-block;max-width:100%;line-height:0";
  const img = document.createElement("img");
  img.className = "ganlab-figure";
  img.draggable = false;
  img.style.cssText = "max-width:100%;user-select:none;touch-action:none";
  const marks = document.createElement("div");
  marks.style.cssText = "position:absolute;left:0;top:0;right:0;bottom:0;pointer-events:none";
  wrap.append(img, marks);
  el.appendChild(wrap);
  let url = null, down = false, pending = [], lastPx = null;

  function show() {
    const v = model.get("frame");
    img.style.width = model.get("width") + "px";
    if (!v || v.byteLength === 0) return;
    const next = URL.createObjectURL(new Blob([v], { type: "image/" + model.get("format") }));
    const prev = url;
    url = next;
    img.onload = () => { if (prev) URL.revokeObjectURL(prev); marks.replaceChildren(); };
    img.src = next;
  }
  function mark() { img.dataset.box = JSON.stringify(model.get("box") || {}); }  // for tests and readers
  function cursor() { img.style.cursor = model.get("drawing") ? "crosshair" : "default"; }
  function toData(ev) {
    const r = img.getBoundingClientRect(), b = model.get("box");
    if (!b || !b.width || !r.width) return null;
    const px = (ev.clientX - r.left) * b.width / r.width, py = (ev.clientY - r.top) * b.height / r.height;
    if (px < b.left || px > b.right || py < b.top || py > b.bottom) return null;
    return { x: b.xmin + (px - b.left) / (b.right - b.left) * (b.xmax - b.xmin),
             y: b.ymax - (py - b.top) / (b.bottom - b.top) * (b.ymax - b.ymin),
             sx: ev.clientX - r.left, sy: ev.clientY - r.top };
  }
  function flush() {
    if (pending.length) model.send({ kind: "points", points: pending });
    pending = [];
  }
  function add(ev, always) {
    const p = toData(ev);
    if (!p) return;
    if (!always && lastPx && Math.hypot(p.sx - lastPx[0], p.sy - lastPx[1]) < model.get("spacing_px")) return;
    lastPx = [p.sx, p.sy];
    pending.push([p.x, p.y]);
    const dot = document.createElement("div");
    dot.style.cssText = `position:absolute;left:${p.sx - 3}px;top:${p.sy - 3}px;width:6px;height:6px;` +
                        "border-radius:3px;background:#2b8a3e";
    marks.appendChild(dot);
    if (pending.length >= 16) flush();
  }
  img.addEventListener("pointerdown", (ev) => {
    if (!model.get("drawing") || ev.button !== 0) return;
    down = true; lastPx = null;
    try { img.setPointerCapture(ev.pointerId); } catch (e) {}
    add(ev, true);
    ev.preventDefault();
  });
  img.addEventListener("pointermove", (ev) => { if (down && model.get("drawing")) add(ev, false); });
  const up = () => { if (down) { down = false; flush(); } };
  img.addEventListener("pointerup", up);
  img.addEventListener("pointercancel", up);
  model.on("change:frame", show);
  model.on("change:width", show);
  model.on("change:drawing", cursor);
  model.on("change:box", mark);
  show(); cursor(); mark();
  return () => { if (url) URL.revokeObjectURL(url); };
}
export default { render };
"""


class _Traits(traitlets.HasTraits):
    frame = traitlets.Bytes(b"").tag(sync=True)
    format = traitlets.Unicode("jpeg").tag(sync=True)  # "jpeg" or "png"
    width = traitlets.Int(960).tag(sync=True)  # display width in px: the frame's own width, never stretched
    box = traitlets.Dict({}).tag(sync=True)  # Lab2DFigure.data_box(): the data plane in pixels and data units
    drawing = traitlets.Bool(False).tag(sync=True)  # clicks and drags draw points
    spacing_px = traitlets.Float(7.0).tag(sync=True)  # a drag adds a point every this many screen pixels


if CAN_DRAW:
    class FrameCanvas(anywidget.AnyWidget, _Traits):
        """Shows ``frame`` (image bytes of ``format``) at ``width`` px; with ``drawing`` on, sends drawn points."""

        _esm = ESM

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._point_handlers = []
            self.on_msg(lambda _w, content, _b: _dispatch(self, content))

        def on_points(self, fn) -> None:
            """Call ``fn(points)`` with each batch of drawn points, a list of (x, y) in data coordinates."""
            self._point_handlers.append(fn)

        def _on_message(self, _widget, content, _buffers) -> None:
            _dispatch(self, content)
else:
    class FrameCanvas(W.Image):
        """The fallback: an ``ipywidgets.Image`` showing the frames (``width`` is its HTML width); no drawing."""

        frame = traitlets.Bytes(b"")
        box = traitlets.Dict({})
        drawing = traitlets.Bool(False)
        spacing_px = traitlets.Float(7.0)

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._point_handlers = []
            self.add_class("ganlab-figure")
            self.layout.max_width = "100%"
            self.observe(lambda ch: setattr(self, "value", ch["new"]), names="frame")

        def on_points(self, fn) -> None:
            self._point_handlers.append(fn)

        def _on_message(self, _widget, content, _buffers) -> None:
            _dispatch(self, content)


def _dispatch(canvas, content) -> None:
    if not isinstance(content, dict) or content.get("kind") != "points":
        return
    pts = [(float(x), float(y)) for x, y in content.get("points", [])]
    for fn in canvas._point_handlers:
        fn(pts)
