"""The ``skmixup`` command."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skmixup", description="Structure-preserving mixup for tabular data."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="compare uniform, Beta and EpBeta mixup on a scikit-learn data set"
    )
    demo.add_argument("--output-dir", default="build/demo", help="where the figure goes")
    demo.add_argument("--generations", type=int, default=20, help="re-syntheses to run")
    demo.add_argument("--seed", type=int, default=0, help="random seed")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from skmixup._demo import run_demo

        if args.generations < 1:
            print("skmixup demo: --generations must be >= 1", file=sys.stderr)
            return 2
        run_demo(args.output_dir, generations=args.generations, seed=args.seed)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
