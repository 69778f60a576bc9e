"""Base class of the mixup resamplers (imbalanced-learn sampler API)."""

from __future__ import annotations

import numbers
from abc import abstractmethod

import numpy as np
import scipy.sparse as sp
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type as _check_class_target
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, column_or_1d, validate_data

from skmixup._engine import MixPlan, draw_plan, interpolate
from skmixup._random import as_generator
from skmixup._tables import (
    FrameCodec,
    is_dataframe,
    resolve_categorical,
    restore_like,
)
from skmixup.pairing import RandomPairing
from skmixup.resampling._counts import new_rows_continuous, new_rows_per_class
from skmixup.weights import WeightLaw

_MULTIOUTPUT_MESSAGE = (
    "Multilabel and multioutput targets are not supported: pass one target "
    "column (class labels, one-vs-all encoded labels or a continuous target)."
)

_RESAMPLER_PARAMETERS_DOC = """sampling_strategy : float, str, dict or callable, default='auto'
        Number of rows per class after resampling, exactly as in
        imbalanced-learn's over-samplers ('auto' balances every class up to
        the majority). Used for class labels when neither ``factor`` nor
        ``n_samples`` is given.

    factor : float or None, default=None
        Augment every class (or, for a continuous target, the whole table)
        by ``round(factor * n_rows)`` new rows, so class proportions stay as
        they are.

    n_samples : int or None, default=None
        Total number of new rows. With class labels they are shared among
        the classes in proportion to their sizes (largest remainders), so
        the proportions are kept and the total is exact. With a continuous
        target and neither ``factor`` nor ``n_samples`` given, as many new
        rows as the input has are made.

    categorical_features : array-like of int, str or bool, default=None
        Columns copied from the anchor row instead of interpolated (as
        SMOTENC does): indices, column names (DataFrame input) or a
        boolean mask. Non-numeric DataFrame columns must be listed here.

    synthetic_only : bool, default=False
        Return only the new rows, for releasing synthetic data instead of
        the original. Otherwise the original rows come first, unchanged,
        followed by the new rows.

    target_type : {'auto', 'classification', 'regression'}, default='auto'
        How ``y`` is read. 'auto' treats a continuous ``y`` (float values
        that are not all integers) as a regression target, mixed with the
        same weight as the features, and anything else as class labels,
        kept hard with pairs drawn within each class. Use 'regression' for
        an integer-valued continuous target."""

_N_INTERPOLATIONS_DOC = """n_interpolations : int, default={default}
        Rows emitted per pair (multi-mix), each with its own independently
        drawn weight; the rows of one pair are consecutive. When a class's
        count is not a multiple of it, the last pair of that class emits
        the remaining rows, so exactly the requested number is made."""


class BaseMixupResampler(BaseOverSampler):
    """Validation, counting and output assembly shared by every mixup resampler.

    Subclasses choose the weight law (``_make_weight_law``) and the pairing
    (``_make_pairing``); everything else is here. Public ``fit_resample``
    validates and converts, private ``_fit_resample`` works on the float
    matrix, as in imbalanced-learn.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "factor": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "categorical_features": ["array-like", None],
        "synthetic_only": ["boolean"],
        "target_type": [StrOptions({"auto", "classification", "regression"})],
        "n_interpolations": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        factor=None,
        n_samples=None,
        categorical_features=None,
        synthetic_only=False,
        target_type="auto",
        n_interpolations=1,
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_interpolations = n_interpolations
        self.factor = factor
        self.n_samples = n_samples
        self.categorical_features = categorical_features
        self.synthetic_only = synthetic_only
        self.target_type = target_type
        self.random_state = random_state

    # -- override points -------------------------------------------------
    @abstractmethod
    def _make_weight_law(self, X, y) -> WeightLaw:
        """Validate the weight parameters and return the law to draw from.

        ``X`` holds the mixable (non-categorical) columns and ``y`` the
        validated target, for laws tuned on the data.
        """

    def _make_pairing(self):
        """Return the pairing rule (random partners by default)."""
        return RandomPairing()

    def _batch_recipe(self, X, y, target_type: str):
        """Validated weight law, pairing and multiplicity for training batches.

        Used by the neural-network estimators, which mix batches themselves;
        sets ``weight_law_`` (and the law's own fitted attributes) on this
        resampler, so call it on a clone.
        """
        self._validate_params()
        self.target_type_ = target_type
        self.categorical_features_ = np.empty(0, dtype=np.intp)
        self.weight_law_ = self._make_weight_law(X, y)
        return self.weight_law_, self._make_pairing(), self.n_interpolations

    # -- public API ------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, **params):
        """Validate the input and compute how many rows each class receives.

        ``fit_resample`` does this too; ``fit`` alone generates nothing.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        self._prepare(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y, **params):
        """Mix rows of ``X`` (and a continuous ``y``) into new rows.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Rows to mix. A DataFrame comes back as a DataFrame with the same
            columns and dtypes; float32 stays float32; CSR/CSC stay sparse.
        y : array-like of shape (n_samples,)
            Class labels (kept hard, pairs drawn within each class) or a
            continuous target (mixed with the same weight as the row).

        Returns
        -------
        X_resampled : {ndarray, dataframe, sparse matrix}
            The original rows first and unchanged, then the new rows (only
            the new rows when ``synthetic_only=True``).
        y_resampled : {ndarray, series, dataframe}
            Matching targets.
        """
        prepared = self._prepare(X, y)
        X_res, y_res = self._fit_resample(prepared.matrix, prepared.y)
        return prepared.restore(X, y, X_res, y_res, self.synthetic_only)

    def _fit_resample(self, X, y):
        """Emit the new rows for validated float ``X`` and 1-D ``y``.

        Returns the original rows followed by the new ones (or only the new
        ones when ``synthetic_only``), as arrays of the input's kind.
        """
        plan = self._draw_plan(X, y)
        copy_columns = self.categorical_features_ if self.categorical_features_.size else None
        mix_y = self.target_type_ == "regression"
        n_new = len(plan)
        if sp.issparse(X):
            X_new = interpolate(X, plan, copy_columns=copy_columns)
            if not self.synthetic_only:
                X_new = sp.vstack([X, X_new], format=X.format).astype(X.dtype)
        else:
            offset = 0 if self.synthetic_only else X.shape[0]
            X_out = np.empty((offset + n_new, X.shape[1]), dtype=X.dtype)
            if offset:
                X_out[:offset] = X
            interpolate(X, plan, copy_columns=copy_columns, out=X_out[offset:])
            X_new = X_out
        y_new = interpolate(y, plan) if mix_y else y[plan.anchors]
        if not self.synthetic_only:
            y_new = np.concatenate([y, y_new])
        return X_new, y_new

    # -- internals -------------------------------------------------------
    def _draw_plan(self, X, y) -> MixPlan:
        rng = as_generator(self.random_state)
        groups, counts = self._groups_and_counts(y)
        pairing = self._make_pairing()
        return draw_plan(
            self._mixable_columns(X) if pairing.needs_data else None,
            groups,
            counts,
            self.weight_law_,
            pairing,
            rng,
            n_interpolations=self.n_interpolations,
        )

    def _mixable_columns(self, X):
        """``X`` without its categorical columns (distances ignore their codes)."""
        if not self.categorical_features_.size:
            return X
        keep = np.ones(X.shape[1], dtype=bool)
        keep[self.categorical_features_] = False
        return X[:, keep]

    def _groups_and_counts(self, y):
        if self.target_type_ == "regression":
            return [np.arange(y.shape[0])], [self.n_synthetic_]
        groups, counts = [], []
        for label, count in self.sampling_strategy_.items():
            groups.append(np.flatnonzero(y == label))
            counts.append(count)
        return groups, counts

    def _prepare(self, X, y) -> _Prepared:
        """Validate everything and set the fitted attributes; no row is mixed."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y_array, target_type, ova_classes = self._check_target(y)
        codec = None
        if is_dataframe(X):
            validate_data(self, X, skip_check_array=True, reset=True)
            if X.shape[0] != y_array.shape[0]:
                raise ValueError(
                    f"X and y have inconsistent numbers of rows: {X.shape[0]} and "
                    f"{y_array.shape[0]}."
                )
            categorical = resolve_categorical(
                self.categorical_features, X.shape[1], list(X.columns)
            )
            codec = FrameCodec(X, categorical)
            matrix = check_array(codec.encode(X), dtype=None, ensure_min_samples=2, input_name="X")
        else:
            matrix, y_array = validate_data(
                self,
                X,
                y_array,
                reset=True,
                accept_sparse=["csr", "csc"],
                dtype=[np.float64, np.float32],
                ensure_min_samples=2,
                y_numeric=target_type == "regression",
                multi_output=False,
            )
            categorical = resolve_categorical(self.categorical_features, matrix.shape[1], None)
        self.categorical_features_ = categorical
        self.target_type_ = target_type
        self.weight_law_ = self._make_weight_law(self._mixable_columns(matrix), y_array)
        self._set_counts(y_array)
        return _Prepared(matrix, y_array, codec, ova_classes)

    def _check_target(self, y):
        """Return the 1-D target, its kind, and the classes if one-vs-all encoded."""
        y_in = np.asarray(y) if not hasattr(y, "to_numpy") else y.to_numpy()
        if y_in.ndim == 2 and y_in.shape[1] == 1:
            y_in = y_in[:, 0]
        if y_in.ndim == 0 or y_in.shape[0] == 0:
            raise ValueError("y is empty: fit_resample needs at least 2 rows.")
        kind = type_of_target(y_in, input_name="y")
        if kind in ("multiclass-multioutput", "continuous-multioutput"):
            raise ValueError(_MULTIOUTPUT_MESSAGE)
        if kind == "unknown":
            raise ValueError(
                "Unknown label type: y must hold class labels or numbers, got "
                f"values of dtype {y_in.dtype}."
            )
        regression = self.target_type == "regression" or (
            self.target_type == "auto" and kind == "continuous"
        )
        if regression:
            if kind == "multilabel-indicator":
                raise ValueError(_MULTIOUTPUT_MESSAGE)
            y_1d = column_or_1d(y_in)
            if not np.issubdtype(y_1d.dtype, np.number) or y_1d.dtype == bool:
                raise ValueError(
                    f"target_type='regression' needs a numeric y, got dtype {y_1d.dtype}."
                )
            check_array(y_1d, ensure_2d=False, dtype=None, input_name="y")
            if not np.issubdtype(y_1d.dtype, np.floating):
                y_1d = y_1d.astype(np.float64)
            return y_1d, "regression", None
        if kind == "continuous" and self.target_type == "classification":
            raise ValueError(
                "target_type='classification' but y holds non-integer numbers; use "
                "target_type='regression' to mix a continuous target."
            )
        if kind == "multilabel-indicator":
            try:
                y_1d, _ = _check_class_target(y_in, indicate_one_vs_all=True)
            except ValueError:
                raise ValueError(_MULTIOUTPUT_MESSAGE) from None
            return y_1d, "classification", np.arange(y_in.shape[1])
        return column_or_1d(y_in), "classification", None

    def _set_counts(self, y) -> None:
        if self.target_type_ == "regression":
            self.sampling_strategy_ = None
            self.n_synthetic_ = new_rows_continuous(
                y.shape[0],
                sampling_strategy=self.sampling_strategy,
                factor=self.factor,
                n_samples=self.n_samples,
            )
            return
        labels, sizes = np.unique(y, return_counts=True)
        if labels.shape[0] < 2:
            raise ValueError(
                "y has a single class: class labels need at least 2 classes "
                "(use target_type='regression' for a continuous target)."
            )
        strategy = new_rows_per_class(
            labels,
            sizes,
            sampling_strategy=self.sampling_strategy,
            factor=self.factor,
            n_samples=self.n_samples,
            y=y,
        )
        singletons = [
            label
            for label, size in zip(labels.tolist(), sizes)
            if size < 2 and strategy.get(label, 0)
        ]
        if singletons:
            raise ValueError(
                f"class {singletons[0]!r} has a single row: within-class mixup needs at "
                "least 2 rows per class that receives new rows. Remove the class, or "
                "leave it out of sampling_strategy (a dict) so it gets no new rows."
            )
        self.sampling_strategy_ = strategy
        self.n_synthetic_ = int(sum(strategy.values()))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.dataframe = True
        return tags


class _Prepared:
    """Validated data of one call, and how to give results back."""

    def __init__(self, matrix, y, codec, ova_classes):
        self.matrix = matrix
        self.y = y
        self.codec = codec
        self.ova_classes = ova_classes

    def restore(self, X, y, X_res, y_res, synthetic_only):
        if self.codec is not None:
            import pandas as pd

            n_orig = 0 if synthetic_only else X.shape[0]
            new_rows = self.codec.decode(X_res[n_orig:])
            X_out = (
                new_rows
                if synthetic_only
                else pd.concat([X.reset_index(drop=True), new_rows], ignore_index=True)
            )
        else:
            X_out = restore_like(X, X_res)
        y_out = restore_like(y, y_res, one_vs_all_classes=self.ova_classes)
        if is_dataframe(X_out) and hasattr(y_out, "index"):
            y_out.index = X_out.index
        return X_out, y_out
