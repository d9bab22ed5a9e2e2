"""Sphinx configuration of the course website. Build it with ``make book`` (= ``python -m ganlab.cli.book``),
which executes the notebooks, writes the chapter, CLI and API pages next to a copy of this folder in
``_build/src`` and runs Sphinx there offline: no theme, font or script is fetched at build or view time
(alabaster ships with Sphinx; MathJax 3 is copied from the ``django-static-mathjax`` wheel)."""

import io
import json
import re
from pathlib import Path

_site = json.loads((Path(__file__).parent / "_site.json").read_text())  # written by ganlab.cli.book

project = "ganlab"
author = "the ganlab authors"
copyright = "the ganlab authors, MIT licence"
release = version = _site["version"]

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax"]
exclude_patterns = ["_clean", "_readme.md", "_site.json", "jupyter_execute", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# notebooks come executed (by ganlab.cli.book, or by the test session): never run them again here
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # widget views are stripped (each widget leaves a static figure): no widget JS from a CDN
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath", "amsmath", "substitution", "colon_fence"]
myst_heading_anchors = 3
myst_dmath_double_inline = True  # $$...$$ inside a paragraph or list item is display math, as in Jupyter
myst_substitutions = _site["substitutions"]

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "description"

# MathJax 3 from _static/mathjax (a local copy), typesetting only what Sphinx marks as math
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {
    "tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]},
    "options": {"ignoreHtmlClass": "tex2jax_ignore|mathjax_ignore|document",
                "processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"},
}

html_theme = "alabaster"
html_title = "ganlab: a course on GANs"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "description": "Generative Adversarial Networks, hands on",
    "page_width": "1240px",
    "sidebar_width": "230px",
    "fixed_sidebar": False,
    "show_powered_by": False,
    "extra_nav_links": {"Source repository": _site["repository"]},
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}


def _docstring_as_written(app, what, name, obj, options, lines):
    """The package's docstrings are written for ``help()``: Google-style sections (napoleon turns them into
    fields), ``|x|`` for absolute values (not reST substitutions), and now and then an indented table.
    A docstring that is still not clean reST is shown as written, in a literal block, instead of
    turning into docutils errors and links to nowhere."""
    from docutils import nodes
    from docutils.core import publish_doctree

    lines[:] = [re.sub(r"(?<!\\)\|", r"\\|", ln) for ln in lines]
    probe = re.sub(r":[a-z:]+:`", "`", "\n".join(lines))  # Sphinx roles, unknown to plain docutils
    doc = publish_doctree(probe, settings_overrides={"report_level": 5, "halt_level": 5,
                                                     "warning_stream": io.StringIO()})
    if any(m["level"] >= 2 for m in doc.findall(nodes.system_message)):
        lines[:] = ["::", ""] + ["    " + ln.replace("\\|", "|") for ln in lines] + [""]


def setup(app):
    app.connect("autodoc-process-docstring", _docstring_as_written, priority=900)  # after napoleon (500)
