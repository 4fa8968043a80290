"""Open a `newsgraph report` page in a real headless Chromium (Debian's `chromium`), via Playwright.

Used by tests/test_report.py (what the page shows), by the bench (how long it takes to
open) and to make the README's screenshot, so all three see the page the same way:

    python -m bench.browser report.html --screenshot docs/report.png

Playwright drives the system's Chromium (`executable_path`): it downloads no browser.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_ENV = "NEWSGRAPH_CHROMIUM"
"""Another Chromium executable than the `chromium` on PATH."""

# Headless as root on a closed network: without the background-networking flags Chromium
# keeps trying to reach Google's services, and its connections are refused here.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1400, "height": 1000}
SCREENSHOT = {"width": 1400, "height": 1560}  # down to the timeline
READY = "html[data-ready='true']"  # what the page sets once its views are drawn (a selector: the page's CSP forbids eval)


class NoBrowser(Exception):
    """Chromium or Playwright is missing; the message says how to install it."""


def chromium_path() -> str:
    if given := os.environ.get(CHROMIUM_ENV):
        if not os.access(given, os.X_OK):
            raise NoBrowser(f"${CHROMIUM_ENV} is {given}, which is not an executable")
        return given
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise NoBrowser("chromium is not installed: `apt-get install -y chromium` (Debian), "
                        f"or set ${CHROMIUM_ENV} to a Chromium executable")
    return found


def missing() -> str | None:
    """What is missing to open pages here (one line), or None."""
    try:
        chromium_path()
        import playwright.sync_api  # noqa: F401
    except NoBrowser as exc:
        return str(exc)
    except ImportError:
        return "the Python package `playwright` is not installed: pip install -e '.[test]'"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright Browser) with a fresh profile."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise NoBrowser("the Python package `playwright` is not installed: pip install -e '.[test]'") from None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Opened:
    """A report page, open and drawn."""

    page: Any  # playwright Page
    seconds: float  # from navigation to the page saying it is drawn
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: list[str] = field(default_factory=list)  # every URL the page asked for


def open_report(browser: Any, url: str, timeout_s: float = 60) -> Opened:
    """Open the page at `url` (file:// or http://) and wait until its views are drawn."""
    page = browser.new_page(viewport=VIEWPORT)
    opened = Opened(page, 0.0)
    page.on("console", lambda m: m.type == "error" and opened.errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: opened.errors.append(f"page error: {e}"))
    page.on("request", lambda r: opened.requests.append(r.url))
    start = time.perf_counter()
    page.goto(url)
    wait_drawn(page, timeout_s)
    opened.seconds = time.perf_counter() - start
    return opened


def wait_drawn(page: Any, timeout_s: float = 60) -> None:
    page.wait_for_selector(READY, state="attached", timeout=timeout_s * 1000)


def click_top_person(page: Any) -> tuple[str, str]:
    """Click the drawn person with the most meetings, as a user would (a mouse click on the
    canvas where the node is drawn); returns the person's IRI and name."""
    where = page.evaluate("""() => {
        const r = window.newsgraphReport, net = r.network;
        document.getElementById('network').scrollIntoView({block: 'nearest'});
        const ids = net.body.data.nodes.getIds();
        const top = ids.reduce((a, b) => (net.body.data.nodes.get(b).value > net.body.data.nodes.get(a).value ? b : a));
        const p = net.canvasToDOM(net.getPosition(top));
        const box = document.getElementById('network').getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y, iri: r.data.persons[top].iri, name: r.data.persons[top].name};
    }""")
    page.mouse.click(where["x"], where["y"])
    return where["iri"], where["name"]


def screenshot(page: Any, path: Path) -> None:
    page.screenshot(path=str(path))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report", type=Path, help="an HTML file `newsgraph report` wrote")
    ap.add_argument("--screenshot", type=Path, metavar="PNG",
                    help="write a screenshot here, with the top person clicked (the README's picture)")
    args = ap.parse_args(argv)
    try:
        with chromium() as browser:
            opened = open_report(browser, args.report.resolve().as_uri())
            print(f"drawn in {opened.seconds:.2f} s; {len(opened.errors)} error(s)")
            for e in opened.errors:
                print("  " + e)
            if args.screenshot:
                opened.page.set_viewport_size(SCREENSHOT)
                click_top_person(opened.page)
                # To an empty corner of the network, so the person's tooltip does not hide it.
                box = opened.page.locator("#network").bounding_box()
                opened.page.mouse.move(box["x"] + 8, box["y"] + box["height"] - 8)
                opened.page.wait_for_timeout(500)
                screenshot(opened.page, args.screenshot)
                print(f"wrote {args.screenshot}")
    except NoBrowser as exc:
        print(f"bench.browser: error: {exc}", file=sys.stderr)
        return 2
    return 1 if opened.errors else 0


if __name__ == "__main__":
    sys.exit(main())
