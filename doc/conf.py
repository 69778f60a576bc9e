"""Sphinx configuration of the skmixup documentation (builds offline)."""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "doc" / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import skmixup  # noqa: E402

project = "skmixup"
author = "skmixup developers"
copyright = "2026, skmixup developers"
release = skmixup.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "mathtext_svg",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {
    "members": True,
    # Public methods come from base classes (fit_resample from
    # BaseMixupResampler, score from scikit-learn's mixins); torch's Module
    # methods are left out of the pages of MLP and SoftTargetCrossEntropy.
    "inherited-members": "Module,object",
    # scikit-learn's generated metadata-routing setters document themselves
    # with links into scikit-learn's own site.
    "exclude-members": ",".join(
        f"set_{method}_request"
        for method in ("fit", "predict", "predict_proba", "score", "transform", "partial_fit")
    ),
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py.md5"]
html_theme = "alabaster"
html_static_path = []
# Math is drawn as SVG at build time by matplotlib's mathtext (doc/_ext/mathtext_svg.py):
# no MathJax from a CDN, no LaTeX on the build machine.
html_math_renderer = "mathtext_svg"

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "abort_on_example_error": True,
}


def _foreign_references_as_text(app, what, name, obj, options, lines):
    """Keep the words of ``:ref:`` links in docstrings inherited from scikit-learn.

    Inherited members (``score``, ``get_metadata_routing``) bring docstrings
    that cite labels of scikit-learn's own documentation, which this build
    (offline, no intersphinx) cannot resolve.
    """
    if (getattr(obj, "__module__", None) or "").startswith("skmixup"):
        return
    for index, line in enumerate(lines):
        line = re.sub(r":ref:`([^`<]+?)\s*<[^`>]+>`", r"\1", line)
        lines[index] = re.sub(r":ref:`([^`]+)`", r"\1", line)


def setup(app):
    app.connect("autodoc-process-docstring", _foreign_references_as_text)
