"""Throughput of etl.extract on the sample articles: prints sentences per second.

    python bench/bench_extract.py [--repeat N]

Sentences are counted with the extractor's own splitter (the body it reads facts
from, page junk removed). Articles are extracted as the ETL does, each pass's sentences
parsed together. Lexicons load and regexes compile before the clock starts.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import extract_in_batches, warm_extraction  # noqa: E402
from etl.extract import sentences_of  # noqa: E402
from etl.records import Article  # noqa: E402


def load_articles(folder: Path) -> list[Article]:
    return [Article(id=p.stem, source=str(p), text=p.read_text(encoding="utf-8"), sha256="")
            for p in sorted(folder.glob("*.txt"))]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=50, help="passes over the articles (default 50)")
    ap.add_argument("--articles", type=Path, default=ROOT / "examples" / "articles")
    args = ap.parse_args(argv)

    articles = load_articles(args.articles)
    per_pass = sum(len(sentences_of(a)) for a in articles)
    warm_extraction()
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(args.repeat):  # each pass a batch of its own, nothing kept from the one before
        extract_in_batches(articles)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    total = per_pass * args.repeat
    # CPU time is what one core spent; wall time also counts waiting on a busy machine.
    print(f"{len(articles)} articles x {args.repeat} = {total} sentences: "
          f"{total / cpu:,.0f} sentences/s of CPU time ({cpu:.2f} s), "
          f"{total / elapsed:,.0f} sentences/s of wall time ({elapsed:.2f} s)")


if __name__ == "__main__":
    main()
