"""Read stage: text and HTML in, Article out; bad files refused with one clear line."""
from __future__ import annotations

import os
import zipfile
from datetime import date
from pathlib import Path

import pytest

from etl.read import ReadError, article_id, iter_sources, read_article


def test_text_article_gets_title_dateline_and_hash(samples: Path) -> None:
    a = read_article(samples / "000_321ffe2f68df3306.txt")
    assert a.id == "000_321ffe2f68df3306"
    assert a.published == date(2024, 5, 14)
    assert a.title and a.title.startswith("Situation at front")
    assert len(a.sha256) == 64
    assert "Secretary of State" in a.text


def test_page_chrome_is_not_the_title(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("World\nUpdated 2 hours ago\nMay 14, 2024 10:00 GMT\n\nMinisters agree on new air defence plan\n\nBody text here.\n")
    assert read_article(f).title == "Ministers agree on new air defence plan"


def test_text_without_dateline_has_no_date(samples: Path) -> None:
    assert read_article(samples / "002_20ad466d803281f7.txt").published is None
    # The header of this one has a photo caption with a date: not the article's.
    assert read_article(samples / "003_4a37522199f6be1e.txt").published is None


def test_html_goes_through_main_text_extraction(tmp_path: Path) -> None:
    body = "<p>" + "Foreign ministers met in Geneva on Friday to discuss the crisis. " * 8 + "</p>"
    page = (
        "<!doctype html><html><head><title>Ministers meet in Geneva</title>"
        '<meta property="og:site_name" content="Example Times">'
        '<meta property="article:published_time" content="2024-03-08T10:00:00Z"></head>'
        "<body><nav><a href='/'>Home</a> <a href='/x'>Sport</a></nav>"
        f"<article><h1>Ministers meet in Geneva</h1>{body}</article>"
        "<footer>Copyright Example Times</footer></body></html>"
    )
    f = tmp_path / "page.html"
    f.write_text(page, encoding="utf-8")
    a = read_article(f)
    assert a.title == "Ministers meet in Geneva"
    assert a.publisher == "Example Times"
    assert a.published == date(2024, 3, 8)
    assert "Geneva on Friday" in a.text
    assert "Sport" not in a.text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t \n", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary"),
        ("nul.txt", b"abc\x00\x01\x02def", "binary"),
        ("scripts.html", b"<html><head><script>var a=1;</script><style>p{}</style></head><body></body></html>", "no article text"),
    ],
)
def test_bad_files_are_refused_with_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(ReadError, match=reason) as exc:
        read_article(f)
    assert "\n" not in str(exc.value)


def test_zip_is_binary(tmp_path: Path) -> None:
    f = tmp_path / "a.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("x.txt", "hello")
    with pytest.raises(ReadError, match="binary"):
        read_article(f)


def test_too_large_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_text("Ministers met. " * 1000)
    with pytest.raises(ReadError, match="larger than"):
        read_article(f, max_bytes=1000)


def test_encodings(tmp_path: Path) -> None:
    text = "Lars Løkke Rasmussen said the talks in Copenhagen went well."
    for name, raw in {
        "u16.txt": text.encode("utf-16"),
        "bom8.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "cp1252.txt": text.encode("cp1252"),
    }.items():
        (tmp_path / name).write_bytes(raw)
        assert read_article(tmp_path / name).text.strip() == text


def test_unreadable_file(tmp_path: Path) -> None:
    f = tmp_path / "gone.txt"
    with pytest.raises(ReadError, match="cannot read"):
        read_article(f)


def test_walk_is_sorted_skips_hidden_and_survives_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / ".hidden.txt").write_text("h")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("c")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    assert [p.name for p in iter_sources(tmp_path)] == ["a.txt", "b.txt", "c.txt"]


def test_article_id_is_iri_safe() -> None:
    assert article_id(Path("x/My Article #1.txt")) == "My%20Article%20%231"


def test_saved_pages_named_index_get_their_folder_in_the_id(tmp_path: Path) -> None:
    from etl.read import article_id

    assert article_id(tmp_path / "ukraine-talks" / "index.html") == "ukraine-talks-index"
    assert article_id(tmp_path / "ukraine-talks" / "2024-05-01 talks.html") == "2024-05-01%20talks"


@pytest.mark.parametrize(("header", "day"), [
    ("Markets rally as talks resume\n\nby Lena Ortiz June 3, 2025 4:05 PM 3 min read\n", date(2025, 6, 3)),
    ("Markets rally as talks resume\n\n2 min read . Updated: 4 Jun 2025, 06:40 AM IST Staff Writer\n", date(2025, 6, 4)),
    ("Markets rally as talks resume\nPublished on Tuesday, 3rd June, 2025 | Updated 5 June 2025\n", date(2025, 6, 3)),
    ("Markets rally as talks resume\nUpdated 05.06.2025, 09:12 | First published 03.06.2025 17:30\n", date(2025, 6, 3)),
    ("Markets rally as talks resume\n2025-06-03T17:30:00+02:00\n", date(2025, 6, 3)),
    ("Markets rally as talks resume\nJune 3, 2025 10:32 GMT\n", date(2025, 6, 3)),
    ("LISBON (Wire Agency - 3rd June, 2025) Ministers from six countries met on Monday to agree on a plan "
     "that had been under discussion for months.\n", date(2025, 6, 3)),
    ("LISBON, June 3, 2025 (Wire) - Ministers from six countries met on Monday to agree on a plan "
     "that had been under discussion for months.\n", date(2025, 6, 3)),
])
def test_a_text_pages_own_date_is_read_from_its_header(tmp_path: Path, header: str, day: date) -> None:
    f = tmp_path / "a.txt"
    f.write_text(header + "\nMinisters from six countries met in Lisbon to agree on a plan for the coast.\n")
    assert read_article(f).published == day


@pytest.mark.parametrize("header", [
    # a photo caption: a long line whose date has no stamp label and no time of day
    "Ministers pose for a photo ahead of talks at the foreign ministry in Lisbon, Portugal, on Monday, "
    "June 2, 2025, before the signing of the coastal plan.\n",
    "Markets rally as talks resume\nUpdated 2 hours ago\n",  # a relative stamp: the day it counts from is unknown
    "Markets rally as talks resume\n05/06/2025\n",  # day and month could be either way round
])
def test_a_caption_date_relative_or_ambiguous_stamp_is_no_publication_date(tmp_path: Path, header: str) -> None:
    f = tmp_path / "a.txt"
    f.write_text(header + "\nMinisters from six countries met in Lisbon to agree on a plan for the coast.\n")
    assert read_article(f).published is None
