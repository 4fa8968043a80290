"""Thin Prefect flows over etl/. The only package that imports Prefect."""
