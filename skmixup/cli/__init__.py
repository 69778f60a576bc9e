"""The ``skmixup`` command: the entry point and one module per subcommand and engine.

* :mod:`skmixup.cli._main` builds the parser and dispatches;
* :mod:`skmixup.cli.resample` runs ``skmixup resample`` in memory,
  :mod:`skmixup.cli.resample_dask` with ``--engine dask``;
* :mod:`skmixup.cli.check` runs ``skmixup check``, :mod:`skmixup.cli.demo`
  ``skmixup demo``; :mod:`skmixup.cli.progress` shows progress on stderr.
"""

from skmixup.cli._main import build_parser, main

__all__ = ["build_parser", "main"]
