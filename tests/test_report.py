"""`newsgraph report`: the page built from the sample store and opened in a real headless Chromium.

Chromium is Debian's `chromium` (`.ci/run` installs it). Outside CI a machine without it skips
the browser tests with the reason; CI sets NEWSGRAPH_REQUIRE_BROWSER=1, so there they fail.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from etl.load import StoreTarget, load_ontology
from etl.pipeline import run_local
from etl.query import query_store
from etl.read import iter_sources
from etl.report import store_page
from etl.report.data import Built, page_data
from etl.report.page import render
from etl.resources import load_query

ROOT = Path(__file__).resolve().parent.parent
NEWSGRAPH = str(Path(sys.executable).with_name("newsgraph"))
REQUIRE_BROWSER = "NEWSGRAPH_REQUIRE_BROWSER"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def rows(store: Path, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(query_store(store, load_query(name), "csv"))))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, samples: Path) -> Path:
    """The five sample articles, loaded as `newsgraph etl` loads them (ontology, resolution)."""
    store = tmp_path_factory.mktemp("report") / "store"
    target = StoreTarget.open(store)
    load_ontology(target)
    summary = run_local(iter_sources(samples), target)
    target.close()
    assert summary.loaded == 5
    return store


@pytest.fixture(scope="module")
def report_file(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("page") / "report.html"
    proc = subprocess.run([NEWSGRAPH, "report", "--store", str(sample_store), "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"wrote {out}")
    return out


def page_json(html: bytes) -> dict[str, Any]:
    m = re.search(rb'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert m, "no data in the page"
    return json.loads(m[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from bench.browser import chromium, missing

    if why := missing():
        if os.environ.get(REQUIRE_BROWSER):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    with chromium() as b:
        yield b


# --- the page's data: every row from the shipped queries ----------------------------------------

def test_page_is_self_contained(report_file: Path) -> None:
    html = report_file.read_bytes()
    assert not re.search(rb"<(script|link|img)[^>]+(src|href)=", html), "the page loads something from outside"
    assert b"vis-network" in html and b"vis-timeline" in html  # the libraries are inlined
    assert b"Content-Security-Policy" in html and b"default-src 'none'" in html


def test_data_agrees_with_the_shipped_queries(report_file: Path, sample_store: Path) -> None:
    """The page reads its own quick queries; what they give must be what the shipped ones say."""
    data = page_json(report_file.read_bytes())
    counts = rows(sample_store, "report_counts")[0]
    assert data["counts"] == {k: int(v) for k, v in counts.items()}
    persons = [p["iri"] for p in data["persons"]]
    meetings = rows(sample_store, "meetings")
    assert len(data["meetings"]) == data["counts"]["meetings"]
    page_meetings = {m["iri"]: m for m in data["meetings"]}
    for r in meetings:
        m = page_meetings[r["meeting"]]
        assert (m["date"] or "", m["place"] or "", m["status"], m["evidence"]) == (
            r["date"], r["place"], r["status"], r["evidence"])
        assert r["person"] in {persons[i] for i in m["participants"]} and r["participant"] in m["written"]
    for m in data["meetings"]:  # each participant once, however many nodes an article gave them
        assert len(m["participants"]) == len(set(m["participants"]))
        assert sum(1 for r in meetings if r["meeting"] == m["iri"]) >= len(m["participants"])
    assert len(data["permissions"]) == data["counts"]["permissions"]
    page_permissions = {p["iri"]: p for p in data["permissions"]}
    for r in rows(sample_store, "permissions"):
        p = page_permissions[r["permission"]]
        node = persons[p["grantorPersonNode"]] if p["grantorPersonNode"] is not None else ""
        assert (p["grantor"] or p["grantorPerson"], node, p["grantee"], p["weapon"] or "", p["scope"] or "",
                p["date"] or "", p["status"]) == (r["grantor"], r["grantorPersonNode"], r["grantee"], r["weapon"],
                                                  r["scope"], r["date"], r["status"])
        assert p["evidence"]
    # Persons are those the facts name, under persons.rq's `person` and one of the names it gives them.
    names = {(r["person"], r["name"]) for r in rows(sample_store, "persons")}
    assert all((p["iri"], p["name"]) in names for p in data["persons"])
    assert data["built"]["store"] == str(sample_store)


def test_a_person_is_named_in_full() -> None:
    person, meeting = "https://example.org/p", {"meeting": "m", "article": "a2", "participant": "Marta Varga",
                                                "status": "s", "evidence": "e"}
    data = page_data({
        "report_counts": [], "report_articles": [], "report_permissions": [], "report_status_labels": [],
        "report_meetings": [{**meeting, "person": person}],
        "report_persons": [{"g": "a1", "person": person, "name": "Varga", "role": "Minister"},
                           {"g": "a2", "person": person, "name": "Marta Varga", "role": "Foreign Minister",
                            "country": "Ruritania"},
                           {"g": "a2", "person": person, "name": "Marta Varga", "role": "Minister",
                            "country": "Ruritania"},
                           {"g": "a3", "person": person, "name": "Varga"},
                           {"g": "a3", "person": "https://example.org/nobody", "name": "Olek Brandt"}]},
        Built("s", "t"))
    assert data["persons"] == [{"iri": person, "name": "Marta Varga", "roles": ["Minister", "Foreign Minister"],
                                "country": "Ruritania"}]  # only persons the facts name


def test_text_in_the_data_cannot_break_out_of_the_page() -> None:
    evil = "</script><script>alert(1)</script><!-- & \u2028"
    data = {"built": {"store": evil, "time": "t"}, "counts": {}, "articles": [{"title": evil}]}
    html = render(data)
    assert html.count(b"</script>") == html.count(b"<script")  # no element ended early
    assert page_json(html)["articles"][0]["title"] == evil


def test_report_loads_neither_prefect_nor_the_nlp_stack(sample_store: Path, tmp_path: Path) -> None:
    code = ("import sys; from etl.cli import main; "
            f"main(['report', '--store', {str(sample_store)!r}, '-o', {str(tmp_path / 'r.html')!r}]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'spacy', 'pyshacl') "
            "or m.startswith('etl.extract')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_open_hands_the_page_to_the_web_browser(sample_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    # $BROWSER is the command Python's webbrowser runs; echo shows what it was given.
    proc = subprocess.run([NEWSGRAPH, "report", "--store", str(sample_store), "-o", str(out), "--open"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "BROWSER": "echo"})
    assert proc.returncode == 0, proc.stderr
    assert out.resolve().as_uri() in proc.stdout.splitlines()


def test_unwritable_output_is_one_line(sample_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "r.html"
    proc = subprocess.run([NEWSGRAPH, "report", "--store", str(sample_store), "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == f"newsgraph: error: cannot write {out}: No such file or directory\n"


def test_missing_store_is_one_line(tmp_path: Path) -> None:
    proc = subprocess.run([NEWSGRAPH, "report", "--store", str(tmp_path / "nope"), "-o", str(tmp_path / "r.html")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "no store at" in proc.stderr
    assert not (tmp_path / "r.html").exists()


# --- in a real browser ------------------------------------------------------------------------

def test_page_in_chromium(report_file: Path, sample_store: Path, browser: Any, tmp_path: Path) -> None:
    from bench.browser import click_top_person, open_report, wait_drawn

    opened = open_report(browser, report_file.as_uri())
    page = opened.page
    assert opened.errors == []
    assert opened.requests == [report_file.as_uri()]  # nothing fetched but the page itself

    # The network: one node per person that takes part in a meeting (persons.rq's `person`).
    in_meetings = {r["person"] for r in rows(sample_store, "meetings")}
    expected = {r["person"] for r in rows(sample_store, "persons")} & in_meetings
    drawn = page.evaluate("() => { const r = newsgraphReport;"
                          " return r.network.body.data.nodes.getIds().map(i => r.data.persons[i].iri); }")
    assert len(drawn) == len(set(drawn)) and set(drawn) == expected

    # The timeline: every meeting and permission, on the axis when it or its article has a date.
    meetings = rows(sample_store, "meetings")
    permissions = rows(sample_store, "permissions")
    published = {r["article"]: r.get("published") for r in rows(sample_store, "report_articles")}
    facts = {r["meeting"]: r["date"] or published[r["article"]] for r in meetings}
    facts |= {r["permission"]: r["date"] or published[r["article"]] for r in permissions}
    on_axis = page.evaluate("() => newsgraphReport.items.length")
    undated = int(page.get_attribute("#undated", "data-count"))
    assert on_axis + undated == len({r["meeting"] for r in meetings}) + len({r["permission"] for r in permissions})
    assert on_axis == sum(1 for d in facts.values() if d)
    # Drawn, not just handed over: a box (with its line and dot) per item.
    assert page.locator("#timeline .vis-item.vis-box").count() == on_axis

    # Clicking a fact on the timeline shows its evidence sentence, marked.
    evidence = {r["evidence"] for r in meetings} | {r["evidence"] for r in rows(sample_store, "report_permissions")}
    page.locator("#timeline .vis-item.vis-box").first.click()
    key = page.evaluate("() => newsgraphReport.timeline.getSelection()[0]")
    sentence = page.evaluate(f"() => newsgraphReport.data.{'meetings' if key[0] == 'm' else 'permissions'}"
                             f"[{int(key[1:])}].evidence")
    assert sentence in evidence
    shown = page.inner_text("#details-body .evidence")
    assert " ".join(shown.split()) == " ".join(sentence.split())
    assert page.locator("#details-body .evidence mark").count() > 0

    # Clicking a person in the network shows their meetings with date, place, status and evidence.
    top, name = click_top_person(page)
    page.wait_for_selector("#details-body h3")
    assert page.inner_text("#details-body h3") == name
    most = max(len({r["meeting"] for r in meetings if r["person"] == p}) for p in expected)
    assert len({r["meeting"] for r in meetings if r["person"] == top}) == most
    theirs = {r["evidence"] for r in meetings if r["person"] == top}
    cards = page.locator("#details-body .fact .evidence").all_inner_texts()
    assert len(cards) == len({r["meeting"] for r in meetings if r["person"] == top})
    assert {" ".join(c.split()) for c in cards} == {" ".join(e.split()) for e in theirs}
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # A matrix cell lists its permissions with their evidence.
    page.locator("#matrix td button").first.click()
    cell_cards = page.locator("#details-body .fact")
    assert cell_cards.count() >= 1
    assert " ".join(page.inner_text("#details-body .fact .evidence >> nth=0").split()) in {
        " ".join(e.split()) for e in evidence}

    # A fact's article link shows the article, highlighted in the list of articles.
    key = page.get_attribute("#details-body .fact >> nth=0", "data-fact")
    article = page.evaluate(f"() => newsgraphReport.data.articles[newsgraphReport.data."
                            f"{'meetings' if key[0] == 'm' else 'permissions'}[{int(key[1:])}].article].id")
    page.locator("#details-body .fact >> nth=0").locator(".source button.link").click()
    assert page.locator("#articles tr.flash").count() == 1
    assert page.inner_text("#articles tr.flash code") == article
    assert page.locator("#articles tr.flash").is_visible()

    # Filtering by that person narrows the network, the timeline and the matrix together.
    page.focus("#focus")  # the suggestions are made when first wanted
    label = page.evaluate("(iri) => [...document.querySelectorAll('#focus-options option')].map(o => o.value)"
                          ".find(v => v.startsWith(newsgraphReport.data.persons.find(p => p.iri === iri).name))", top)
    page.fill("#focus", label)
    wait_drawn(page)
    their_meetings = {r["meeting"] for r in meetings if r["person"] == top}
    partners = {r["person"] for r in meetings if r["meeting"] in their_meetings}
    drawn = page.evaluate("() => { const r = newsgraphReport;"
                          " return r.network.body.data.nodes.getIds().map(i => r.data.persons[i].iri); }")
    assert set(drawn) == partners
    grants = [r for r in permissions if r.get("grantorPersonNode") == top]
    on_axis = page.evaluate("() => newsgraphReport.items.length")
    undated = int(page.get_attribute("#undated", "data-count"))
    assert on_axis + undated == len(their_meetings) + len(grants)
    system = {r["permission"]: r.get("weaponSystem", "") for r in rows(sample_store, "report_permissions")}
    assert page.locator("#matrix td button").count() == len({(r["grantor"], system[r["permission"]]) for r in grants})
    page.click("#clear")
    assert page.evaluate("() => newsgraphReport.items.length") + int(page.get_attribute("#undated", "data-count")) \
        == len(facts)
    assert opened.errors == []


def test_empty_store_says_so(tmp_path: Path, browser: Any) -> None:
    from bench.browser import open_report

    store = tmp_path / "empty"
    s = ox.Store(str(store))
    del s  # an empty store on disk, as a fresh `newsgraph etl` target is
    out = tmp_path / "report.html"
    out.write_bytes(store_page(store))
    data = page_json(out.read_bytes())
    assert data["counts"] == {"articles": 0, "persons": 0, "meetings": 0, "weaponSystems": 0, "permissions": 0}
    opened = open_report(browser, out.as_uri())
    assert opened.errors == []
    assert "holds no articles yet" in opened.page.inner_text("#empty")
    assert opened.page.is_hidden("#views")


# --- newsgraph serve answers the same page at /report -------------------------------------------

def http(url: str, method: str = "GET", data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, data=data)
    try:
        with NO_PROXY.open(request, timeout=60) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_serve_answers_the_report(sample_store: Path, report_file: Path, browser: Any) -> None:
    from bench.browser import open_report

    proc = subprocess.Popen([NEWSGRAPH, "serve", "--store", str(sample_store), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        banner = "".join(proc.stdout.readline() for _ in range(3))
        m = re.search(r"report \(HTML page\)\s+(http://\S+/report)", banner)
        assert m, banner
        url = m[1]
        status, headers, body = http(url)
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        served, written = page_json(body), page_json(report_file.read_bytes())
        for part in ("counts", "articles", "persons", "meetings", "permissions"):
            assert served[part] == written[part], part
        assert http(url + "?from=bookmark")[0] == 200
        status, head_headers, head_body = http(url, "HEAD")
        assert status == 200 and head_body == b"" and int(head_headers["content-length"]) > 0
        assert http(url, "POST", b"x=1")[0] == 405
        # The endpoint beside it is untouched.
        status, _, answer = http(url.removesuffix("report") + "query?query=ASK%7B%7D")
        assert status == 200 and b"true" in answer
        opened = open_report(browser, url)
        assert opened.errors == []
        assert opened.requests == [url]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
