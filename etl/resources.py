"""Where newsgraph's data files live: ontology/, shapes/ and etl/extract/lexicons/.

They sit beside the etl package both in a checkout and in an installed wheel.
"""
from __future__ import annotations

from pathlib import Path

from .errors import UserError

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
QUERIES_DIR = ONTOLOGY_DIR / "queries"
SHAPES_DIR = ROOT / "shapes"
LEXICONS_DIR = Path(__file__).resolve().parent / "extract" / "lexicons"


class UnknownQuery(UserError):
    """No shipped query has that name."""


def query_path(name: str) -> Path:
    """The .rq file for a named query ("persons" -> ontology/queries/persons.rq)."""
    path = QUERIES_DIR / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in QUERIES_DIR.glob("*.rq")))
        raise UnknownQuery(f"no query named {name!r}; known queries: {known}")
    return path


def load_query(name: str) -> str:
    return query_path(name).read_text(encoding="utf-8")
