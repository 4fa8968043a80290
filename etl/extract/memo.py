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

# Bounds for callers that never start a batch; a batch of the ETL's default 50 articles fits.
ARTICLES = 64
SENTENCES = 16_384

_kept: list = []


def per_batch(maxsize: int) -> Callable[[F], F]:
    """Keep fn's results (fn pure, its arguments hashable) until the next batch, at most
    `maxsize` of them (what extract alone, article by article, would otherwise pile up)."""
    def keep(fn: F) -> F:
        kept = lru_cache(maxsize=maxsize)(fn)
        _kept.append(kept)
        return kept  # type: ignore[return-value]
    return keep


def new_batch() -> None:
    for kept in _kept:
        kept.cache_clear()
