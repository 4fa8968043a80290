"""Results kept for one batch of articles: `parse_ahead` and then `extract` read the same
sentences of a batch (to choose what to parse, then for the facts), and work done for the first is
not done again for the second. `new_batch()` forgets it all, so that memory stays bounded by a
batch and a benchmark that passes over the same articles twice times the work twice.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

F = TypeVar("F", bound=Callable)

_SIZE = 8192  # bounds callers that never start a batch (extract alone, one article at a time)
_kept: list = []


def per_batch(fn: F) -> F:
    """Keep fn's results (fn pure, its arguments hashable) until the next batch."""
    kept = lru_cache(maxsize=_SIZE)(fn)
    _kept.append(kept)
    return kept  # type: ignore[return-value]


def new_batch() -> None:
    for kept in _kept:
        kept.cache_clear()
