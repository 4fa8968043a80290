"""newsgraph: a knowledge-graph ETL for news (read -> extract -> build -> validate -> load -> export)."""

__version__ = "0.1.0"
