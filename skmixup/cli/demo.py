"""The main demo: classic mixup shrinks the data, EpBeta mixup does not.

Run with ``skmixup demo`` (or ``python -m skmixup demo``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from skmixup.exceptions import BinaryFeatureWarning
from skmixup.metrics import structure_report, total_variance
from skmixup.resampling import EpBetaMixupResampler

# eps0 = eps1 = 0 with explicit alpha/beta is the plain Beta law of classic mixup.
MIXERS = {
    "uniform": dict(eps0=0.0, eps1=0.0, alpha=1.0, beta=1.0),
    "Beta(0.4)": dict(eps0=0.0, eps1=0.0, alpha=0.4, beta=0.4),
    "EpBeta": dict(eps0=0.3, eps1=0.3),
}


_DIAGNOSTIC_FACTOR = 10


def _load_table():
    from sklearn.datasets import load_diabetes

    data = load_diabetes(as_frame=True)
    return data.data, data.target


def _synthesise(params, X, y, seed, factor=1.0):
    resampler = EpBetaMixupResampler(
        **params,
        factor=factor,
        synthetic_only=True,
        target_type="regression",
        random_state=seed,
    )
    with warnings.catch_warnings():
        # The demo measures the covariance of every column, the 0/1 `sex`
        # column included, so mixing it as a number is intended here.
        warnings.simplefilter("ignore", BinaryFeatureWarning)
        return resampler.fit_resample(X, y), resampler.weight_law_


def _table(X, y):
    return X.assign(target=y.to_numpy())


def run_demo(output_dir="build/demo", generations: int = 20, seed: int = 0, out=None) -> dict:
    """Print the diagnostics and the collapse table, save the figure.

    Parameters
    ----------
    output_dir : str or Path, default="build/demo"
        Where ``skmixup_demo.png`` is written.
    generations : int, default=20
        Re-syntheses, each from the previous generation's synthetic table.
    seed : int, default=0
    out : file-like, default=sys.stdout

    Returns
    -------
    results : dict
        ``reports`` (mixer -> structure report), ``variance`` (mixer -> total
        variance ratio per generation, generation 0 first) and ``figure``
        (path of the saved figure).
    """
    out = sys.stdout if out is None else out
    X, y = _load_table()
    original = _table(X, y)
    print(
        f"Diabetes data ({X.shape[0]} rows, {X.shape[1]} features + target); per mixer, "
        f"a synthetic table {_DIAGNOSTIC_FACTOR}x as long (less Monte Carlo noise), "
        "compared with the original:\n",
        file=out,
    )
    reports, laws, first = {}, {}, {}
    for name, params in MIXERS.items():
        (X_syn, y_syn), laws[name] = _synthesise(params, X, y, seed, _DIAGNOSTIC_FACTOR)
        first[name] = _table(X_syn, y_syn)
        reports[name] = structure_report(original, first[name], target="target")
    _print_reports(reports, laws, out)

    base = total_variance(original)
    variance = {name: [1.0] for name in MIXERS}
    print(
        f"\nTotal variance over {generations} generations, each a new table of "
        f"{X.shape[0]} rows mixed from the previous one (ratio to the original; "
        "EpBeta wanders around 1 by finite-sample noise):",
        file=out,
    )
    print(f"{'gen':>4}" + "".join(f"{name:>14}" for name in MIXERS), file=out)
    current = {name: (X, y) for name in MIXERS}
    for generation in range(1, generations + 1):
        for name, params in MIXERS.items():
            (X_g, y_g), _ = _synthesise(params, *current[name], seed + generation)
            current[name] = (X_g, y_g)
            variance[name].append(total_variance(_table(X_g, y_g)) / base)
        print(
            f"{generation:>4}" + "".join(f"{variance[name][-1]:>14.4g}" for name in MIXERS),
            file=out,
            flush=True,
        )
    print(
        "expected"
        + "".join(f"{laws[name].covariance_factor ** generations:>14.4g}" for name in MIXERS)[4:]
        + "   (covariance factor ** generations)",
        file=out,
    )
    figure = _save_figure(original, first, variance, Path(output_dir))
    print(f"\nFigure written to {figure}", file=out)
    return {"reports": reports, "variance": variance, "figure": figure}


def _print_reports(reports, laws, out) -> None:
    rows = [
        ("weight support", lambda name: "[{:g}, {:g}]".format(*laws[name].support)),
        ("covariance factor", lambda name: f"{laws[name].covariance_factor:.3f}"),
        ("error mean (SDs)", lambda name: f"{reports[name]['mean']:.3f}"),
        ("error variances", lambda name: f"{reports[name]['variance']:.3f}"),
        ("error covariance", lambda name: f"{reports[name]['covariance']:.3f}"),
        ("error LS coefs (std.)", lambda name: f"{reports[name]['coefficients']:.3f}"),
        ("variance ratio", lambda name: f"{reports[name]['variance_ratio']:.3f}"),
    ]
    print(f"{'':<24}" + "".join(f"{name:>12}" for name in reports), file=out)
    for label, cell in rows:
        print(f"{label:<24}" + "".join(f"{cell(name):>12}" for name in reports), file=out)


def _save_figure(original, first, variance, output_dir: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x_col, y_col = "s1", "s2"  # total and LDL cholesterol, correlation about 0.9
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    for ax, name in zip(axes[:2], ["uniform", "EpBeta"]):
        shown = first[name].iloc[: len(original)]
        ax.scatter(original[x_col], original[y_col], s=8, alpha=0.5, label="original")
        ax.scatter(shown[x_col], shown[y_col], s=8, alpha=0.5, label=name)
        ax.set(xlabel=x_col, ylabel=y_col, title=f"original vs {name} mixup")
        ax.legend()
    ax = axes[2]
    for name, ratios in variance.items():
        ax.semilogy(range(len(ratios)), ratios, marker="o", ms=3, label=name)
    ax.axhline(1.0, color="grey", lw=0.8)
    ax.set(xlabel="generation", ylabel="total variance / original", title="model collapse")
    ax.legend()
    fig.tight_layout()
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / "skmixup_demo.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
