"""Every CLI command, run as a user runs it (a real process), with one-line errors."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from etl.namespaces import ID, NG

NEWSGRAPH = str(Path(sys.executable).with_name("newsgraph"))


def run(*args: str, env: dict | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([NEWSGRAPH, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory, prefect_harness) -> Path:
    """The samples loaded by `newsgraph etl`, against the test Prefect server."""
    from prefect.settings import PREFECT_API_URL

    store = tmp_path_factory.mktemp("cli") / "store"
    samples = Path(__file__).resolve().parent.parent / "examples" / "articles"
    proc = run("etl", str(samples), "--store", str(store), env={"PREFECT_API_URL": PREFECT_API_URL.value()})
    assert "articles: 5 read, 5 loaded" in proc.stdout
    return store


def test_help_lists_every_command() -> None:
    out = run("--help").stdout
    for cmd in ("etl", "schedule", "query", "export", "report", "serve", "validate", "prefect"):
        assert cmd in out
        run(cmd, "--help")


def test_query_named_file_and_inline(cli_store: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("query", "--name", "persons", "--store", str(cli_store), "--format", "csv").stdout)))
    assert {"article", "person", "name"} <= set(rows[0])
    qfile = Path(__file__).resolve().parent.parent / "ontology" / "queries" / "meetings.rq"
    assert "participant" in run("query", "--file", str(qfile), "--store", str(cli_store)).stdout
    out = run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?a a ng:Article }", "--store", str(cli_store), "--format", "tsv").stdout
    assert out.splitlines()[1].startswith("5")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "SELEC nothing"], "SPARQL syntax error"),
        (["query", "--name", "nosuch"], "no query named 'nosuch'"),
        (["query"], "give exactly one query"),
        (["export", "--article", "nosuch"], "no article 'nosuch'"),
    ],
)
def test_errors_are_one_line(cli_store: Path, args: list[str], message: str) -> None:
    proc = run(*args, "--store", str(cli_store), ok=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr


def test_missing_store_is_one_line(tmp_path: Path) -> None:
    proc = run("query", "--name", "persons", "--store", str(tmp_path / "none"), ok=False)
    assert proc.returncode == 2 and "no store at" in proc.stderr and "Traceback" not in proc.stderr


def test_etl_on_missing_source_is_one_line(tmp_path: Path) -> None:
    proc = run("etl", str(tmp_path / "nothing"), "--store", str(tmp_path / "s"), ok=False)
    assert proc.returncode == 2 and "no such file or folder" in proc.stderr


def test_export_and_validate(cli_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.ttl"
    run("export", "--store", str(cli_store), "-o", str(out))
    merged = Graph().parse(out, format="turtle")
    assert len(merged) > 100
    # The merged graph holds several spellings of shared persons and still conforms.
    assert len(set(merged.objects(URIRef(str(ID["person/s-lavrov"])), NG.name))) >= 2
    nq = run("export", "--store", str(cli_store), "--format", "nquads").stdout
    assert nq.count("https://w3id.org/newsgraph/graph/") > 0
    proc = run("validate", "--store", str(cli_store))
    assert "5 of 5 graph(s) conform" in proc.stdout
    before = out.read_bytes()
    proc = run("export", "--store", str(cli_store), "--article", "nope", "-o", str(out), ok=False)
    assert proc.returncode == 2 and "no article 'nope'" in proc.stderr
    assert out.read_bytes() == before and sorted(tmp_path.iterdir()) == [out]  # a failed export keeps the old file
    assert "1 of 1 graph(s) conform" in run("validate", str(out)).stdout


def test_validate_reports_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ng: <https://w3id.org/newsgraph/ontology#> .\n<http://x/m> a ng:Meeting .\n")
    proc = run("validate", str(bad), ok=False)
    assert proc.returncode == 1
    assert "A meeting needs two or more participants" in proc.stdout


def test_prefect_status(tmp_path: Path) -> None:
    out = run("prefect", "status", env={"NEWSGRAPH_HOME": str(tmp_path)}).stdout
    assert "no local Prefect server running" in out
