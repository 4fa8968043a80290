"""Quarantine: the articles a run could not load, with why, kept across runs.

A JSON file beside the store maps each held-back article file to its reasons
(SHACL violations, read errors). Articles that later load are taken off it, so
it always lists what still needs the user's attention, and
`newsgraph etl --quarantined` reruns just those.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from .errors import UserError


def quarantine_path(store: Path) -> Path:
    return store.with_name(store.name + ".quarantine.json")


def load(path: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the quarantine file {path}: {exc}; delete it to start afresh") from None
    return {str(k): [str(r) for r in v] for k, v in data.get("articles", {}).items()}


def update(path: Path, held_back: dict[str, list[str]], cleared: Iterable[str]) -> int:
    """Add this run's held-back articles, drop the ones that loaded; returns how many remain."""
    entries = load(path)
    for source in cleared:
        entries.pop(source, None)
    entries.update(held_back)
    if not entries and not path.exists():
        return 0
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"articles": dict(sorted(entries.items()))}, indent=2, ensure_ascii=False),
                   encoding="utf-8")
    os.replace(tmp, path)  # readers never see half a file
    return len(entries)
