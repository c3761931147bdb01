"""Checks of user-given arguments shared across the library.

One place for the integer check that every count, size and seed argument
needs, so each gives the same answer (a Python or NumPy integer, never a
bool, though Python counts `True` as the int 1) and the same Keras-style
message naming the argument and the value received; and the same for the
finite real numbers (weights, bounds, rates) of `check_number`.
"""

import math

import numpy as np


def is_integer(value):
    """True for a Python or NumPy integer, False for a bool or anything else."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_integer(name, value, *, low=1, allow_none=False):
    """`value` as a Python int, or a ValueError naming `name`.

    Args:
        name: the argument's name, for the message.
        value: what the caller passed.
        low: the smallest value allowed (1: a positive integer, 0: a
            non-negative one).
        allow_none: whether None is allowed (then returned as is).

    Returns:
        `int(value)`, or None when `allow_none` and `value` is None.

    Raises:
        ValueError: `value` is not an integer >= `low` (a float such as 2.0,
            a bool or a string included).
    """
    if value is None and allow_none:
        return None
    if not is_integer(value) or value < low:
        kind = {1: "a positive integer", 0: "a non-negative integer"}.get(low, f"an integer >= {low}")
        raise ValueError(f"`{name}` must be {kind}{' or None' if allow_none else ''}. Received: {name}={value!r}")
    return int(value)


def check_number(name, value, *, minimum, inclusive):
    """`value` as a Python float, or a ValueError naming `name`: a finite
    Python or NumPy real number (not a bool) `>= minimum` (`inclusive`) or
    `> minimum`."""
    valid = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, bool
    )
    if valid:
        valid = math.isfinite(value) and (
            value >= minimum if inclusive else value > minimum
        )
    if not valid:
        bound = f">= {minimum}" if inclusive else f"> {minimum}"
        raise ValueError(f"`{name}` must be a finite number {bound}. Received: {value!r}")
    return float(value)
