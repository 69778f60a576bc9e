"""Sphinx configuration of the skmixup documentation (builds offline)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
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
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {
    "members": True,
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
# MathJax is loaded by the reader's browser; the build itself needs no network.

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
