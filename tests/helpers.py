"""Small helpers shared by tests (imported as `helpers`: pytest puts tests/ on sys.path)."""
from __future__ import annotations

from pathlib import Path

from etl.load import open_store


def store_quads(store: Path) -> set[str]:
    """Every quad in the store, as text: equal sets mean equal stores."""
    s = open_store(store)
    try:
        return {str(q) for q in s}
    finally:
        del s  # releases the RocksDB lock for the next opener
