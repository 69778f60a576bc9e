"""Base class of the mixup resamplers (imbalanced-learn sampler API)."""

from __future__ import annotations

import math
import numbers
import os
import sys
import warnings
from abc import abstractmethod

import numpy as np
import scipy.sparse as sp
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type as _check_class_target
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, column_or_1d, validate_data

from skmixup._engine import MixPlan, draw_plan, interpolate, keep_anchor_where_partner_missing
from skmixup._random import as_generator
from skmixup._tables.column_checks import check_columns_to_mix
from skmixup._tables.frames import (
    FrameCodec,
    check_numeric_array,
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
        ``n_samples`` is given. Given with either of them, a strategy other
        than 'auto' takes precedence (imbalanced-learn's meaning of
        ``set_params(sampling_strategy=...)``), and a ``UserWarning`` says
        which of ``factor`` / ``n_samples`` was ignored. It speaks of
        classes: without ``y`` (or with a continuous target) only 'auto'
        is accepted.

    factor : float or None, default=None
        New rows per original row: a group of n rows (a class, or the whole
        table for a continuous target or no y) receives round(factor * n)
        new rows. Class proportions stay as they are; ``factor=3`` makes
        ``4 n`` rows of the group (``3 n`` with ``synthetic_only=True``).

    n_samples : int or None, default=None
        Total number of new rows. With class labels they are shared among
        the classes in proportion to their sizes (largest remainders), so
        the proportions are kept and the total is exact. With a continuous
        target (or no ``y``) and neither ``factor`` nor ``n_samples``
        given, as many new rows as the input has are made. A count above
        2**53, or whose output (with the plan of anchors, partners and
        weights, 24 bytes a row) would not fit in this machine's physical
        memory, is refused with a ``ValueError`` before any work.

    categorical_features : 'auto', array-like of int, str or bool, or None, \
            default='auto'
        Columns copied from the anchor row instead of interpolated (as
        SMOTENC does). 'auto' copies every non-numeric DataFrame column
        (string, object, category, bool, nullable boolean) and mixes the
        rest; datetime and timedelta columns are mixed as instants. Or
        list them: indices, column labels or a boolean mask; a DataFrame
        with integer column labels reads integers as labels, any other
        DataFrame reads them as positions. ``None`` copies nothing. With a
        list or ``None``, every non-numeric column left out is reported in
        one ``ValueError``. Arrays have no non-numeric columns: 'auto' and
        ``None`` copy nothing there.

    clip : {'dtype', 'observed'}, default='dtype'
        Range of the new values. 'dtype' rounds integer (and datetime)
        columns to the nearest value and clips them to their dtype's range
        (no wrap-around), and clips floats stored in a narrower type
        (float16, float32 in a DataFrame) to its finite range. 'observed'
        also keeps every mixed column inside its minimum and maximum in
        ``X`` (counts, ages, pixel values). Clipping pulls extrapolated
        values in, so it shrinks the variance a little (more with wider
        weights); measure it with :func:`skmixup.metrics.structure_report`
        (``variance_ratio``, ``variance``).

    synthetic_only : bool, default=False
        Return only the new rows, for releasing synthetic data instead of
        the original. Otherwise the original rows come first, unchanged,
        followed by the new rows. With class labels and neither ``factor``
        nor ``n_samples`` (nor a dict ``sampling_strategy``), only the rows
        that balance the classes are made, and a warning says so; for a
        synthetic copy of a whole table see :class:`skmixup.EpBetaSynthesizer`.

    target_type : {'auto', 'classification', 'regression'}, default='auto'
        How ``y`` is read. A continuous target ('regression') is mixed with
        the same weight as the features, and its new values
        ``w y_a + (1 - w) y_p`` come back as floats (float64 for an integer
        ``y``, never rounded); class labels ('classification')
        are kept hard, with pairs drawn within each class. 'auto' reads as
        continuous a numeric ``y`` whose values are not all integers, and a
        float ``y`` (float dtype) with more than 20 distinct values even
        when they are all integers (an integer-valued regression target
        such as scikit-learn's diabetes); anything else is read as class
        labels: integer, boolean and string dtypes, and float labels with
        at most 20 distinct values (a warning says so when there are more
        than 2, as for ratings 1.0 to 5.0). Pass 'regression' or
        'classification' to decide yourself, for example for an integer
        dtype count target.

    single_row_classes : {'raise', 'skip'}, default='raise'
        What to do with a class that has a single row but should receive
        new rows (pairs are drawn within a class, so it cannot be mixed):
        'raise' refuses with a ``ValueError``; 'skip' gives it no new rows
        and warns. Use 'skip' inside ensembles such as imbalanced-learn's
        ``BalancedBaggingClassifier``, whose bootstrap samples can hold a
        single row of a rare class."""

_MISSING_VALUES_DOC = """missing_values : {'refuse', 'keep'}, default='refuse'
        'refuse' rejects NaN in ``X`` with a ``ValueError`` naming the
        columns. 'keep' accepts NaN in float columns of a dense ``X``: a
        new value is missing exactly when its anchor row's is (so each
        column's missingness rate and each row's pattern are kept), and
        where the anchor's value is observed but the partner's is missing,
        the anchor's value is taken. ``y`` may not be missing."""

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
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "clip": [StrOptions({"dtype", "observed"})],
        "synthetic_only": ["boolean"],
        "target_type": [StrOptions({"auto", "classification", "regression"})],
        "single_row_classes": [StrOptions({"raise", "skip"})],
        "n_interpolations": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        factor=None,
        n_samples=None,
        categorical_features="auto",
        clip="dtype",
        synthetic_only=False,
        target_type="auto",
        single_row_classes="raise",
        n_interpolations=1,
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.single_row_classes = single_row_classes
        self.n_interpolations = n_interpolations
        self.factor = factor
        self.n_samples = n_samples
        self.categorical_features = categorical_features
        self.clip = clip
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
    def fit(self, X, y=None, **params):
        """Validate the input and compute how many rows each class receives.

        ``fit_resample`` does this too; ``fit`` alone generates nothing.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None, default=None
            ``None`` treats the whole table as one group (see
            ``fit_resample``).

        Returns
        -------
        self : object
        """
        self._prepare(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y=None, **params):
        """Mix rows of ``X`` (and a continuous ``y``) into new rows.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Rows to mix. A DataFrame comes back as a DataFrame with the same
            columns and dtypes; float32 stays float32; integer arrays keep
            their dtype (new values rounded and clipped, see ``clip``);
            CSR/CSC stay sparse.
        y : array-like of shape (n_samples,) or None, default=None
            Class labels (kept hard, pairs drawn within each class) or a
            continuous target (mixed with the same weight as the row); see
            ``target_type`` for how it is read. ``None`` mixes the whole
            table as one group, for synthetic tables without a label
            column: the count is that of a continuous target (as many new
            rows as ``X`` has, or ``factor`` / ``n_samples``).

        Returns
        -------
        X_resampled : {ndarray, dataframe, sparse matrix}
            The original rows first and unchanged, then the new rows (only
            the new rows when ``synthetic_only=True``).
        y_resampled : {ndarray, series, dataframe, list} or None
            Matching targets, in the container ``y`` came in; ``None`` when
            ``y`` is ``None``. imbalanced-learn's samplers require ``y``;
            here it is optional, and the pair ``(X_resampled, None)`` is
            still returned so that ``X_res, _ = fit_resample(X)`` works.
        """
        prepared = self._prepare(X, y)
        X_res, y_res = self._fit_resample(prepared.matrix, prepared.y)
        if prepared.codec is not None:
            prepared.matrix = None  # a frame is restored from X itself: free the copy
        return prepared.restore(X, y, X_res, y_res, self.synthetic_only)

    def _fit_resample(self, X, y):
        """Emit the new rows for validated float ``X`` and 1-D ``y`` (or None).

        Returns the original rows followed by the new ones (or only the new
        ones when ``synthetic_only``), as arrays of the input's kind.
        """
        plan = self._draw_plan(X, y)
        copy_columns = self.categorical_features_ if self.categorical_features_.size else None
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
            if self._keeps_missing():
                keep_anchor_where_partner_missing(X, plan, X_out[offset:])
            X_new = X_out
        if y is None:
            return X_new, None
        y_new = interpolate(y, plan) if self.target_type_ == "regression" else y[plan.anchors]
        if not self.synthetic_only:
            y_new = np.concatenate([y, y_new])
        return X_new, y_new

    # -- internals -------------------------------------------------------
    def _keeps_missing(self) -> bool:
        """Whether NaN in X is mixed (only resamplers with ``missing_values``)."""
        return getattr(self, "missing_values", "refuse") == "keep"

    def _draw_plan(self, X, y) -> MixPlan:
        rng = as_generator(self.random_state)
        groups, counts = self._groups_and_counts(X.shape[0], y)
        pairing = self._make_pairing()
        return draw_plan(
            self._mixable_columns(X, for_distances=True) if pairing.needs_data else None,
            groups,
            counts,
            self.weight_law_,
            pairing,
            rng,
            n_interpolations=self.n_interpolations,
        )

    def _mixable_columns(self, X, *, for_distances: bool = False):
        """``X`` without its categorical columns (distances ignore their codes).

        ``for_distances``: values so large that products of rows could
        overflow (k-mixup's costs ``a.b`` at 1e160 in float64, 1e19 in
        float32) are divided by a power of two: exact, and the same factor
        for every column, so every distance keeps its rank and the matching
        is the same as with unlimited range. The new rows are mixed from
        ``X`` itself, unscaled.
        """
        if self.categorical_features_.size:
            keep = np.ones(X.shape[1], dtype=bool)
            keep[self.categorical_features_] = False
            X = X[:, keep]
        return within_product_range(X) if for_distances else X

    def _groups_and_counts(self, n_rows, y):
        if self.target_type_ != "classification":
            return [np.arange(n_rows)], [self.n_synthetic_]
        groups, counts = [], []
        for label, count in self.sampling_strategy_.items():
            groups.append(np.flatnonzero(y == label))
            counts.append(count)
        return groups, counts

    def _prepare(self, X, y) -> _Prepared:
        """Validate everything and set the fitted attributes; no row is mixed."""
        if y is None:
            needs_classes = [
                f"{name}={value!r}"
                for name, value, default in (
                    ("target_type", self.target_type, "classification"),
                    ("sampling_strategy", self.sampling_strategy, None),
                )
                if (value == default if default else not _is_auto(value))
            ]
            if needs_classes:
                # Worded as scikit-learn's check_requires_y_none expects.
                raise ValueError(
                    f"{type(self).__name__} with {' and '.join(needs_classes)} requires y "
                    "to be passed, but the target y is None: these settings speak of "
                    "classes. Pass class labels y, or leave sampling_strategy='auto' and "
                    "target_type at 'auto' or 'regression' to mix the whole table as one "
                    "group."
                )
            y_array, target_type, ova_classes = None, None, None
        else:
            y_array, target_type, ova_classes = self._check_target(y)
        codec = None
        if is_dataframe(X):
            validate_data(self, X, skip_check_array=True, reset=True)
            if y_array is not None and X.shape[0] != y_array.shape[0]:
                raise ValueError(
                    f"X and y have inconsistent numbers of rows: {X.shape[0]} and "
                    f"{y_array.shape[0]}."
                )
            codec = FrameCodec(
                X,
                self.categorical_features,
                clip=self.clip,
                missing="keep" if self._keeps_missing() else "refuse",
            )
            matrix = check_array(
                codec.encode(X),
                dtype=None,
                ensure_min_samples=2,
                ensure_all_finite="allow-nan" if self._keeps_missing() else True,
                input_name="X",
            )
            categorical = codec.categorical
        else:
            keep_missing = self._keeps_missing()
            if keep_missing and sp.issparse(X):
                raise ValueError(
                    "missing_values='keep' needs a dense X (an array or DataFrame); "
                    "a sparse matrix's missing values cannot be told from its zeros."
                )
            check_numeric_array(X, allow_nan=keep_missing)
            checks = dict(
                reset=True,
                accept_sparse=["csr", "csc"],
                dtype=[np.float64, np.float32],
                ensure_min_samples=2,
                ensure_all_finite="allow-nan" if keep_missing else True,
            )
            if y_array is None:
                matrix = validate_data(self, X, **checks)
            else:
                matrix, y_array = validate_data(
                    self,
                    X,
                    y_array,
                    y_numeric=target_type == "regression",
                    multi_output=False,
                    **checks,
                )
            categorical = resolve_categorical(self.categorical_features, matrix.shape[1], None)
        self.categorical_features_ = categorical
        self.target_type_ = target_type
        strategy, n_new = self._count_new_rows(y_array, matrix.shape[0])
        _check_output_size(matrix, n_new, self.synthetic_only, self._count_source())
        self.weight_law_ = self._make_weight_law(self._mixable_columns(matrix), y_array)
        if codec is not None:
            integer = np.array([kind in ("int", "time") for kind in codec.kinds])
        else:
            dtype = getattr(X, "dtype", None)
            dtype = np.asarray(X).dtype if dtype is None else dtype
            integer = np.full(matrix.shape[1], np.dtype(dtype).kind in "iu")
        warned = check_columns_to_mix(
            matrix,
            _mixed_positions(matrix.shape[1], categorical),
            # An all-float frame mixed as an array (skmixup.dask) names its columns too.
            getattr(self, "_array_column_names", None) if codec is None else list(X.columns),
            self.weight_law_.support,
            y=y_array if target_type == "regression" else None,
            integer=integer,
            clip=self.clip,
            warn_binary=not getattr(self, "_binary_warning_shown", False),
        )
        if warned:
            # Once per estimator, not once per fit (cross-validation refits).
            self._binary_warning_shown = True
        self.sampling_strategy_, self.n_synthetic_ = strategy, n_new
        if (
            self.synthetic_only
            and target_type == "classification"
            and self.factor is None
            and self.n_samples is None
            and not isinstance(self.sampling_strategy, dict)  # counts asked for explicitly
        ):
            per_class = ", ".join(f"{label!r}: {count}" for label, count in strategy.items())
            warnings.warn(
                f"synthetic_only=True with sampling_strategy={self.sampling_strategy!r} "
                f"returns only the {n_new} new rows that balance the classes ({per_class}), "
                "not a synthetic copy of the table. For a synthetic table with the "
                "classes in their proportions, pass factor or n_samples, or use "
                "skmixup.EpBetaSynthesizer with the label as a column.",
                UserWarning,
                stacklevel=4,
            )
        column_list = isinstance(y, list) and ova_classes is None and y_array.ndim == 1
        column_list = column_list and isinstance(y[0], (list, tuple))
        prepared = _Prepared(matrix, y_array, codec, ova_classes, column_list, self.clip)
        prepared.mixed_target = target_type == "regression"
        return prepared

    def _check_target(self, y):
        """Return the 1-D target, its kind, and the classes if one-vs-all encoded."""
        y_in = _target_array(y)
        if y_in.ndim == 2 and y_in.shape[1] == 1:
            y_in = y_in[:, 0]
        if y_in.ndim == 0 or y_in.shape[0] == 0:
            raise ValueError("y is empty: fit_resample needs at least 2 rows.")
        _refuse_missing(y_in)
        y_in = _numbers_from_objects(y_in)
        kind = type_of_target(y_in, input_name="y")
        if kind in ("multiclass-multioutput", "continuous-multioutput"):
            raise ValueError(_MULTIOUTPUT_MESSAGE)
        if kind == "unknown":
            raise ValueError(
                "Unknown label type: y must hold class labels or numbers, got "
                f"values of dtype {y_in.dtype}."
            )
        regression = self.target_type == "regression" or (
            self.target_type == "auto" and _reads_as_continuous(y_in, kind)
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
            per_row = np.asarray(y_in.sum(axis=1)).ravel()
            if np.any(per_row > 1):
                raise ValueError(_MULTIOUTPUT_MESSAGE)
            empty = np.flatnonzero(per_row == 0)
            if empty.size:
                raise ValueError(
                    "y looks one-vs-all encoded (one 0/1 column per class), but "
                    f"{empty.size} row(s) have no class (all zeros), such as row "
                    f"{empty[0]}: give every row exactly one 1, or pass class labels."
                )
            y_1d, _ = _check_class_target(y_in, indicate_one_vs_all=True)
            return y_1d, "classification", np.arange(y_in.shape[1])
        y_1d = column_or_1d(y_in)
        if self.target_type == "auto" and y_1d.dtype.kind == "f":
            n_classes = np.unique(y_1d).size
            if n_classes > 2:
                warnings.warn(
                    f"y holds {n_classes} distinct integer-valued floats, read as "
                    f"{n_classes} classes (target_type='auto' reads a float y with at "
                    f"most {_MAX_FLOAT_CLASSES} distinct integer values as class "
                    "labels). Pass target_type='regression' if y is a continuous "
                    "target, or target_type='classification' to keep the classes "
                    "and silence this warning.",
                    UserWarning,
                    stacklevel=5,
                )
        return y_1d, "classification", None

    def _count_new_rows(self, y, n_rows: int) -> tuple[dict | None, int]:
        """New rows per class (``None`` for one group) and in all."""
        if self.target_type_ != "classification":
            strategy = self.sampling_strategy
            if y is None and not (isinstance(strategy, str) and strategy == "auto"):
                # scikit-learn's wording for a missing y, with what it is needed for
                raise ValueError(
                    f"{type(self).__name__} requires y to be passed, but the target y is "
                    f"None: sampling_strategy applies to class labels (got {strategy!r}; "
                    "without y, give the number of new rows with n_samples or factor)."
                )
            n_new = new_rows_continuous(
                n_rows,
                sampling_strategy=self.sampling_strategy,
                factor=self.factor,
                n_samples=self.n_samples,
            )
            return None, n_new
        labels, sizes = np.unique(y, return_counts=True)
        if labels.shape[0] < 2:
            raise ValueError(
                f"y was read as class labels with a single class ({labels[0]!r}): class "
                "labels need at least 2 classes. Pass target_type='regression' for a "
                "continuous target, or y=None to mix the whole table as one group."
            )
        strategy = new_rows_per_class(
            labels,
            sizes,
            sampling_strategy=self.sampling_strategy,
            factor=self.factor,
            n_samples=self.n_samples,
            y=y,
        )
        strategy = skip_single_row_classes(
            labels.tolist(),
            sizes.tolist(),
            strategy,
            policy=self.single_row_classes,
            target_type=self.target_type,
            stacklevel=6,
        )
        return strategy, int(sum(strategy.values()))

    def _count_source(self) -> str:
        """The parameter that set the number of new rows, for messages."""
        if self.factor is not None:
            return f"factor={self.factor!r}"
        if self.n_samples is not None:
            return f"n_samples={self.n_samples!r}"
        if self.target_type_ == "classification":
            return f"sampling_strategy={self.sampling_strategy!r}"
        return "the default count (as many new rows as X has)"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.dataframe = True
        return tags


#: A float ``y`` with more distinct (integer) values than this is read as
#: continuous by ``target_type='auto'``.
_MAX_FLOAT_CLASSES = 20

# Bytes of the plan per new row: anchor and partner indices and a weight.
_PLAN_BYTES_PER_ROW = 24


def skip_single_row_classes(
    labels: list, sizes: list, strategy: dict, *, policy: str, target_type: str, stacklevel: int
) -> dict:
    """Refuse (``policy='raise'``) or give no new rows to, with a warning
    (``'skip'``), the classes of one row that ``strategy`` gives new rows.

    Shared by the in-memory resamplers and the Dask engine (on global counts).
    """
    singletons = [
        label for label, size in zip(labels, sizes) if size < 2 and strategy.get(label, 0)
    ]
    if not singletons:
        return strategy
    read = (
        f"y was read as {len(labels)} classes (target_type={target_type!r}), "
        f"{sum(1 for size in sizes if size == 1)} of them with a single row"
    )
    if policy == "raise":
        raise ValueError(
            f"{read}; class {singletons[0]!r} has a single row, and within-class "
            "mixup needs at least 2 rows in every class that receives new rows. "
            "If y is a continuous target, pass target_type='regression'. To give "
            "single-row classes no new rows (with a warning), pass "
            "single_row_classes='skip'; or give them no rows in a dict "
            "sampling_strategy, or remove them."
        )
    skipped = sum(strategy[label] for label in singletons)
    shown = ", ".join(repr(label) for label in singletons[:5])
    warnings.warn(
        f"{read}; {len(singletons)} class(es) with a single row ({shown}"
        f"{', ...' if len(singletons) > 5 else ''}) receive no new rows "
        f"(single_row_classes='skip'): {skipped} fewer new rows than asked.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return {label: 0 if label in singletons else count for label, count in strategy.items()}


def within_product_range(X):
    """``X``, or ``X`` times a power of two when products of its rows could overflow."""
    if X.shape[0] == 0 or X.shape[1] == 0 or (sp.issparse(X) and X.nnz == 0):
        return X
    largest = float(max(abs(X.max()), abs(X.min())))
    info = np.finfo(X.dtype)
    # A cost sums n_features products of values up to twice the largest
    # magnitude (after the pairing's shift), and its penalties multiply it
    # by the block size: keep well inside that.
    limit = math.sqrt(float(info.max)) / (64 * math.sqrt(X.shape[1]) * 64)
    if not np.isfinite(largest) or largest <= limit:
        return X
    return X * X.dtype.type(2.0 ** -math.frexp(largest)[1])


def _mixed_positions(n_columns: int, categorical: np.ndarray) -> np.ndarray | None:
    """The columns that are mixed; ``None`` for all (no index array over 2**20 columns)."""
    if not categorical.size:
        return None
    keep = np.ones(n_columns, dtype=bool)
    keep[categorical] = False
    return np.flatnonzero(keep)


def _is_auto(sampling_strategy) -> bool:
    return isinstance(sampling_strategy, str) and sampling_strategy == "auto"


def _target_array(y) -> np.ndarray:
    """``y`` as an array; missing labels in a list survive (not ``'nan'``)."""
    if hasattr(y, "to_numpy"):
        return y.to_numpy()
    if isinstance(y, (list, tuple)):
        # np.asarray(["a", nan]) would turn the NaN into the string 'nan'.
        objects = np.asarray(y, dtype=object)
        _refuse_missing(objects)
    try:
        return np.asarray(y)
    except ValueError as error:
        raise ValueError(f"y could not be read as an array of labels: {error}") from None


def _is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _refuse_missing(values: np.ndarray) -> None:
    if values.ndim == 0 or values.size == 0:
        return
    if values.dtype.kind == "f":
        missing = np.isnan(values)
    elif values.dtype == object:
        missing = np.fromiter(map(_is_missing, values.ravel()), bool, values.size)
        missing = missing.reshape(values.shape)
    else:
        return
    rows = np.flatnonzero(missing.reshape(values.shape[0], -1).any(axis=1))
    if rows.size:
        raise ValueError(
            f"y has {rows.size} missing value(s) (None or NaN), at row(s) "
            f"{rows[:5].tolist()}: a missing label is not a class; drop those rows "
            "or fill them in."
        )


def _numbers_from_objects(values: np.ndarray) -> np.ndarray:
    """Object labels: all numbers become a numeric array; mixed kinds are refused."""
    if values.dtype != object or values.ndim != 1:
        return values

    def family(value):
        if isinstance(value, str):
            return "str"
        if isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_)):
            return "number"
        return type(value).__name__

    families = sorted({family(value) for value in values})
    if families == ["number"]:
        return np.asarray(values.tolist())
    if len(families) > 1 and ("str" in families or "number" in families):
        raise ValueError(
            f"y mixes label types ({', '.join(families)}): class labels must be all "
            "strings or all numbers."
        )
    return values


def _reads_as_continuous(y: np.ndarray, kind: str) -> bool:
    """The rule of ``target_type='auto'`` (documented with that parameter)."""
    if kind == "continuous":
        return True
    return (
        kind in ("binary", "multiclass")
        and y.dtype.kind == "f"
        and np.unique(y).size > _MAX_FLOAT_CLASSES
    )


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not on this platform
        return None


def _check_output_size(X, n_new: int, synthetic_only: bool, source: str) -> None:
    """Refuse, before any work, an output that cannot fit in this machine's memory.

    The estimate is a lower bound of what the call allocates: the output
    rows (for sparse input, as many stored values per row as the input has
    on average) and the plan (anchor, partner and weight of each new row).
    """
    n_out = n_new + (0 if synthetic_only else X.shape[0])
    if sp.issparse(X):
        per_row = X.nnz / max(X.shape[0], 1) * (X.dtype.itemsize + 4) + 4
    else:
        per_row = X.shape[1] * X.dtype.itemsize
    need = n_out * per_row + n_new * _PLAN_BYTES_PER_ROW
    available = _physical_memory()
    if available is not None and need > available:
        raise ValueError(
            f"{source} asks for {n_new:,} new rows: the output would need about "
            f"{need / 2**30:,.1f} GiB, more than this machine's memory "
            f"({available / 2**30:,.1f} GiB). Ask for fewer new rows."
        )


def _as_float_container(y):
    """An empty stand-in for ``y`` whose dtype is float: what ``restore_like`` copies."""
    if is_dataframe(y) or type(y).__name__ == "Series":
        return y.iloc[:0].astype("float64")
    return y


class _Prepared:
    """Validated data of one call, and how to give results back."""

    def __init__(self, matrix, y, codec, ova_classes, column_list=False, clip="dtype"):
        self.clip = clip
        self.matrix = matrix
        self.y = y
        self.codec = codec
        self.ova_classes = ova_classes
        # y came as a list of one-element lists: give it back in that shape.
        self.column_list = column_list
        self.mixed_target = False

    def restore(self, X, y, X_res, y_res, synthetic_only):
        if self.codec is not None:
            n_orig = 0 if synthetic_only else X.shape[0]
            X_out = self.codec.assemble(X, X_res[n_orig:], keep_originals=not synthetic_only)
        else:
            n_orig = 0 if synthetic_only else self.matrix.shape[0]
            X_out = restore_like(X, X_res, n_original=n_orig, clip=self.clip)
        if y is None:
            return X_out, None
        if self.mixed_target:
            # New targets are w y_a + (1 - w) y_p: never rounded back to an
            # integer dtype (the container is kept, its dtype becomes float).
            y = _as_float_container(y)
        y_out = restore_like(y, y_res, one_vs_all_classes=self.ova_classes)
        if self.column_list:
            y_out = [[label] for label in y_out]
        if is_dataframe(X_out) and hasattr(y_out, "iloc"):
            y_out.index = X_out.index
        return X_out, y_out
