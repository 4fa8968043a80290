"""The SPARQL endpoint: `newsgraph serve` and loading through it.

- server: runs the real `oxigraph serve` on a private loopback port and writes
  `<store>.serve.json` (etl.store) while it runs;
- proxy: newsgraph's public port in front of it, which turns a query that hit the
  timeout into an HTTP error (oxigraph 0.5.13 would send it as a truncated 200);
- graphstore: the ETL's target when it loads through a Graph Store Protocol
  endpoint (a `newsgraph serve --writable`, Fuseki, GraphDB…), and the choice of target.

The load stage (etl.load) does not import this package; both use etl.store for
the store's lock and state files.
"""
