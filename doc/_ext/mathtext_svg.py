"""Render ``:math:`` and ``.. math::`` as SVG images at build time, with matplotlib.

Sphinx's default math renderer, MathJax, is a script the reader's browser
downloads from a CDN: offline the pages show raw TeX. ``sphinx.ext.imgmath``
renders at build time but needs LaTeX and dvipng/dvisvgm, which a CI
machine with only Python packages does not have. matplotlib (already needed
by the gallery) parses TeX math itself with its mathtext engine, so each
formula is drawn here as an SVG embedded in the page: the pages need no
network, the build needs no LaTeX. mathtext covers the usual inline and
display formulas (``\\mathbb``, ``\\operatorname``, fractions, sums,
sub/superscripts) but not LaTeX environments such as ``align``; a formula
it cannot parse fails the build with a warning naming it.
"""

from __future__ import annotations

import base64
import io
import re

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

FONT_SIZE = 12  # points, close to the body text of the default theme


def _render(latex: str, display: bool) -> tuple[str, float]:
    """Return an SVG drawing of ``latex`` and the depth below its baseline, in pt."""
    import matplotlib
    from matplotlib import mathtext
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    source = f"${' '.join(latex.split())}$"
    settings = {"mathtext.fontset": "cm", "svg.hashsalt": "skmixup", "svg.fonttype": "path"}
    with matplotlib.rc_context(settings):
        prop = FontProperties(size=FONT_SIZE * (1.15 if display else 1.0))
        width, height, depth, *_ = mathtext.MathTextParser("path").parse(source, 72, prop)
        figure = Figure(figsize=(width / 72, height / 72))
        figure.text(0, depth / height, source, fontproperties=prop)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", dpi=72, transparent=True, metadata={"Date": None})
    return buffer.getvalue().decode(), depth


def _image(self, node, latex: str, display: bool) -> str:
    try:
        svg, depth = _render(latex, display)
    except ValueError as error:
        logger.warning("mathtext cannot render %r: %s", latex, error, location=node)
        return f'<code class="math">{self.encode(latex)}</code>'
    data = base64.b64encode(svg.encode()).decode()
    style = "" if display else f' style="vertical-align: -{depth:.2f}pt"'
    return (
        f'<img class="math" src="data:image/svg+xml;base64,{data}" '
        f'alt="{self.attval(latex)}"{style}/>'
    )


def visit_math(self, node) -> None:
    self.body.append(_image(self, node, node.astext(), display=False))
    raise nodes.SkipNode


def visit_math_block(self, node) -> None:
    if node.get("number"):
        self.body.append(f'<span class="eqno">({node["number"]})</span>')
    self.body.append(self.starttag(node, "div", CLASS="math"))
    # Paragraphs of a math block are separate equations.
    for equation in re.split(r"\n\s*\n", node.astext()):
        if equation.strip():
            self.body.append(f"<p>{_image(self, node, equation, display=True)}</p>")
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathtext_svg", (visit_math, None), (visit_math_block, None))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
