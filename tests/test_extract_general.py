"""Extraction beyond the theatres it was built on: invented sentences from other regions, years
and page layouts, one test per fix (names, places and outlets made up or general knowledge)."""
from __future__ import annotations

from datetime import date

from etl.extract import extract
from etl.records import Article, Extraction


def run(text: str, published: date | None = None) -> Extraction:
    return extract(Article(id="t", source="test", text=text, sha256="", published=published))


def surnames(x: Extraction) -> list[set[str]]:
    last = {p.key: p.name.split()[-1] for p in x.persons}
    return [{last[k] for k in m.participants} for m in x.meetings]


def test_an_advertisement_slot_inside_the_body_does_not_end_it():
    # Many sites print "Advertisement" between paragraphs; the story goes on after it.
    x = run("Gulf leaders hold talks on regional security\n\nBy Staff Writer\n\nAdvertisement\n\n"
            "President Omar Haddad met Prime Minister Karim Nassar in Muscat on Sunday.\n\n"
            "Advertisement\n\nThe two leaders discussed trade.")
    assert surnames(x) == [{"Haddad", "Nassar"}]
