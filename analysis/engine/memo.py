"""Remembering what the engine worked out for a dataset, for as long as the dataset lives.

A chapter asks the engine for the same figures many times: every table, chart and
sentence about a quarter starts from the quarter's statuses, the risk register or the
list of items, and a theme chapter's tables each start from the whole dataset's. The
engine's functions are pure (a dataset and a quarter in, a new frame out), so the first
answer can stand for the rest: :func:`per_dataset` keeps each answer beside the dataset
object it was worked out from, under the call's arguments, and gives every caller a copy
of it, so that no caller can change what the next one is given.

A dataset is never changed after it is loaded (:func:`analysis.dataset.read.load_dataset`
makes a new one for new data), so an answer is valid for as long as the dataset object
lives; when it is gone, so are its answers.
"""

from __future__ import annotations

import copy
import functools
import inspect
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

__all__ = ["per_dataset"]

F = TypeVar("F", bound=Callable[..., Any])


def per_dataset(function: F) -> F:
    """Remember ``function``'s answer for each dataset object and arguments.

    ``function`` takes the dataset first. Its answer (a frame, or anything
    :func:`copy.deepcopy` copies) is worked out once for each dataset object and each
    set of the other arguments (defaults filled in); each call returns a copy. A call
    with an argument that cannot be a key (a list) is worked out afresh.

    Examples
    --------
    >>> calls = []
    >>> @per_dataset
    ... def count(dataset, quarter=None):
    ...     calls.append(quarter)
    ...     return pd.DataFrame({"n": [len(calls)]})
    >>> class Data: ...
    >>> data = Data()
    >>> count(data).loc[0, "n"], count(data, None).loc[0, "n"], count(data, "Q2").loc[0, "n"]
    (np.int64(1), np.int64(1), np.int64(2))
    >>> first = count(data)
    >>> first.loc[0, "n"] = 99  # the caller's copy
    >>> count(data).loc[0, "n"], count(Data()).loc[0, "n"]
    (np.int64(1), np.int64(3))
    """
    signature = inspect.signature(function)
    answers: dict[int, tuple[weakref.ref[Any], dict[Any, Any]]] = {}

    @functools.wraps(function)
    def remembered(dataset: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(dataset, *args, **kwargs)
        bound.apply_defaults()
        key = tuple(list(bound.arguments.items())[1:])
        try:
            hash(key)
        except TypeError:
            return function(dataset, *args, **kwargs)
        place = id(dataset)
        entry = answers.get(place)
        if entry is None or entry[0]() is not dataset:
            forget = functools.partial(answers.pop, place, None)
            entry = (weakref.ref(dataset, lambda _: forget()), {})
            answers[place] = entry
        found = entry[1]
        if key not in found:
            found[key] = function(dataset, *args, **kwargs)
        return _copy(found[key])

    return remembered  # type: ignore[return-value]


def _copy(answer: Any) -> Any:
    if isinstance(answer, pd.DataFrame | pd.Series):
        return answer.copy()
    return copy.deepcopy(answer)
