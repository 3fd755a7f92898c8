"""Argument checks, in one place, with one rule: a wrong *type* is a ``TypeError``,
a wrong *value* (of the right type) is a ``ValueError``.

Every message names what was checked (``what``: the layer and the argument, as
``"layer 'hidden': num_neurons"``) and the value or shape it got.  Checks only
read their argument: they are called before any state changes.
"""
import math

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def is_int(value):
    """True for Python and numpy ints (bool is not an int here)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value):
    """True for Python and numpy ints and floats (bool is not a number here)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def check_int(value, what, minimum=None):
    """``value`` as an int: ``TypeError`` unless it is one, ``ValueError`` below ``minimum``."""
    if not is_int(value):
        raise TypeError(f"{what} must be an int, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {value!r}")
    return int(value)


def check_positive_int(value, what):
    """``value`` as an int of at least 1."""
    if not is_int(value):
        raise TypeError(f"{what} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{what} must be a positive int, got {value!r}")
    return int(value)


def check_pair(value, what):
    """``3`` -> ``(3, 3)``; ``(3, 5)`` stays; both must be positive ints."""
    if is_int(value):
        value = (value, value)
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise TypeError(f"{what} must be an int or a pair of ints, got {value!r}")
    if len(value) != 2:
        raise ValueError(f"{what} must be an int or a pair of ints, got {value!r}")
    return check_positive_int(value[0], what), check_positive_int(value[1], what)


def check_shape(value, what):
    """A shape: a non-empty tuple of positive ints."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{what} must be a tuple of positive ints, got {value!r}")
    shape = tuple(value)
    if not all(is_int(s) for s in shape):
        raise TypeError(f"{what} must be a tuple of positive ints, got {value!r}")
    if not shape or min(shape) < 1:
        raise ValueError(f"{what} must be a tuple of positive ints, got {value!r}")
    return tuple(int(s) for s in shape)


def check_number(value, what):
    """A finite number (int or float, not bool)."""
    if not is_number(value):
        raise TypeError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return float(value)


def check_rate(value, what="alpha"):
    """A learning rate (or any step size): a positive finite number."""
    if not is_number(value):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{what} must be a positive finite number, got {value!r}")
    return float(value)


def check_fraction(value, what):
    """A number in ``[0, 1)`` (a momentum, a dropout rate)."""
    if not is_number(value):
        raise TypeError(f"{what} must be a number in [0, 1), got {value!r}")
    if not 0 <= value < 1:
        raise ValueError(f"{what} must be in [0, 1), got {value!r}")
    return float(value)


def check_bool(value, what):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be True or False, got {value!r}")
    return bool(value)


def check_name(value, what="layer name"):
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a non-empty string, got {value!r}")
    if not value:
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    return value


def check_choice(value, choices, what):
    """One of ``choices`` (strings): a non-string is a ``TypeError``, an unknown one a ``ValueError``."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be one of {tuple(choices)}, got {value!r}")
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; choose one of {tuple(choices)}")
    return value


def check_dtype(dtype, what):
    """float32 or float64, as a ``numpy.dtype``."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{what}: dtype must be float32 or float64, got {dtype!r}") from None
    if dt.type not in FLOAT_DTYPES:
        raise TypeError(f"{what}: dtype must be float32 or float64, got {dt}")
    return dt


def check_rng(rng, what="rng"):
    """None, a ``numpy.random.Generator`` or a legacy ``RandomState`` (both draw, shuffle and choose)."""
    if rng is not None and not isinstance(rng, (np.random.Generator, np.random.RandomState)):
        raise TypeError(f"{what} must be a numpy.random.Generator (np.random.default_rng(seed)), a RandomState "
                        f"or None, got {type(rng).__name__}")
    return rng


def check_callable(value, what):
    if value is not None and not callable(value):
        raise TypeError(f"{what} must be callable or None, got {type(value).__name__}")
    return value


def as_numbers(values, dtype, what):
    """``values`` as a numpy array of ``dtype``, or a ``TypeError``/``ValueError`` naming ``what``.

    Only numbers convert: bool, int and float arrays (or lists of them).  Strings, None,
    complex numbers and other objects (an array of dtype object) are a ``TypeError``, ragged lists a
    ``ValueError``; a masked array is a ``TypeError`` (which values it means is not ours to guess); an
    ``np.matrix`` (or another ndarray subclass) is taken as the plain array of its numbers.
    """
    if isinstance(values, np.ma.MaskedArray):  # which values it means is the user's to say
        raise TypeError(f"{what} must be a plain array, got a masked array (numpy.ma); fill or drop the masked "
                        f"values first (values.filled(x), or values.compressed())")
    if isinstance(values, np.matrix):  # the same numbers, without matrix's rules (rows stay 2-D, * multiplies)
        values = np.asarray(values)
    if isinstance(values, np.ndarray):
        a = values if type(values) is np.ndarray else np.asarray(values)
    else:
        try:
            a = np.asarray(values)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{what} must be a rectangular array of numbers ({e})") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be numbers (bool, int or float), got "
                        f"{type(values).__name__} of dtype {a.dtype}")
    if a.dtype.kind == "f" and a.dtype.itemsize > np.dtype(dtype).itemsize:  # float64 data, float32 layer
        with np.errstate(over="ignore"):
            out = a.astype(dtype)
        overflow = np.isinf(out) & np.isfinite(a)
        if overflow.any():
            where = tuple(int(i) for i in np.argwhere(overflow)[0])
            raise ValueError(f"{what}: value {a[where]} at index {where} is too large for "
                             f"{np.dtype(dtype)} (at most {np.finfo(dtype).max:.3g})")
        return out
    return a.astype(dtype, copy=False)


def check_finite(a, what):
    """Raise ``ValueError`` naming ``what`` and the first NaN or infinite entry of ``a``."""
    if not np.isfinite(a).all():
        if np.ndim(a) == 0:  # one number: there is no index to name
            raise ValueError(f"{what} must be a finite number, not NaN or infinite; got {a[()]}")
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        raise ValueError(f"{what} contains NaN or infinite values (first at index {where}: {a[where]})")
