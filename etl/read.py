"""Read stage: files and folders -> Article records.

Plain text is taken as it is (page junk included; extract drops it). HTML goes
through trafilatura, a real main-text extractor, which also gives the title,
site name and publication date when the page has them.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from .errors import UserError
from .records import Article

MAX_BYTES = 10 * 1024 * 1024
"""Larger files are refused: no news article is this big, and reading one would hold it all in memory."""

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_BINARY_MAGIC = (b"\x89PNG", b"PK\x03\x04", b"%PDF", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"\x7fELF")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
# "14 May, 2024", "May 14, 2024", "Dec. 1, 2021", "2024-05-14": how pages print their dateline.
_DATELINE = re.compile(
    r"\b(?:(?P<d1>\d{1,2})\s+(?P<m1>[A-Z][a-z]{2,8})\.?,?\s+(?P<y1>\d{4})"
    r"|(?P<m2>[A-Z][a-z]{2,8})\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))\b"
)
_HEADER_LINES = 12
_DATELINE_MAX_WORDS = 8
_TITLE_MAX_WORDS = 30
_MIN_HTML_WORDS = 5
_PAGE_META = re.compile(r"^(updated|published|posted|last modified)\b|\b(ago|min read|minutes? read)$", re.I)


class ReadError(UserError):
    """This file cannot be read as an article; the message says why in one line."""


def iter_sources(source: Path) -> Iterator[Path]:
    """The article files under `source` (a file or a folder), in a stable order.

    Hidden files are skipped; symlinked folders are not followed, so a symlink
    loop cannot trap the walk.
    """
    if source.is_file():
        yield source
        return
    if not source.is_dir():
        raise ReadError(f"{source}: no such file or folder")
    for root, dirs, files in os.walk(source, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


GENERIC_STEMS = frozenset({"index", "default", "article", "story", "page", "post", "content", "main", "body", "text"})
"""File names that say nothing about the article: saved web pages are often <slug>/index.html."""


def article_id(path: Path) -> str:
    """The file stem, percent-encoded where it is not IRI-safe: stable across runs.

    A generic stem is prefixed with its folder's name ("ukraine-talks/index.html" ->
    "ukraine-talks-index"), or every saved page would be the same article.
    """
    stem = path.stem
    if stem.lower() in GENERIC_STEMS and path.parent.name:
        stem = f"{path.parent.name}-{stem}"
    return quote(stem, safe="-_.~")


def read_article(path: Path, max_bytes: int = MAX_BYTES) -> Article:
    return parse_article(path, read_raw(path, max_bytes))


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse_article(path: Path, raw: bytes) -> Article:
    """The Article in a file's bytes (as read_raw returned them)."""
    text = _decode(raw, path)
    if path.suffix.lower() in HTML_SUFFIXES or _looks_like_html(text):
        body, title, publisher, published = _from_html(text, path)
    else:
        body, title, publisher, published = text, _text_title(text), None, _text_dateline(text)
    if not body.strip():
        raise ReadError(f"{path}: no article text found")
    return Article(
        id=article_id(path),
        source=str(path),
        text=body,
        sha256=content_hash(raw),
        title=title,
        publisher=publisher,
        published=published,
    )


def read_raw(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """A file's bytes, or a ReadError saying why they are no article (missing, empty, binary, too big)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(f"{path}: {size / 1e6:.1f} MB is larger than the {max_bytes / 1e6:.0f} MB limit for one article")
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise ReadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > max_bytes:
        raise ReadError(f"{path}: larger than the {max_bytes / 1e6:.0f} MB limit for one article")
    if not raw.strip():
        raise ReadError(f"{path}: empty file")
    if raw.startswith(_BINARY_MAGIC):
        raise ReadError(f"{path}: binary file, not text or HTML")
    return raw


def _decode(raw: bytes, path: Path) -> str:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                raise ReadError(f"{path}: starts with a {codec} byte-order mark but is not valid {codec}") from None
    if b"\x00" in raw[:4096]:
        raise ReadError(f"{path}: binary file, not text or HTML")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252 is what non-UTF-8 news text almost always is; it decodes any byte but five.
        return raw.decode("cp1252", errors="replace")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text[:4096])


def _from_html(html: str, path: Path) -> tuple[str, str | None, str | None, date | None]:
    import trafilatura  # heavy; only HTML input pays for it

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    # A nav link or two ("Home") is what trafilatura finds on a page without an article.
    if doc is None or len((doc.text or "").split()) < _MIN_HTML_WORDS:
        raise ReadError(f"{path}: HTML page with no article text")
    body = doc.text
    if doc.title and not body.startswith(doc.title):
        body = f"{doc.title}\n\n{body}"  # the headline can state facts; keep it in front
    return body, doc.title, doc.sitename, _iso_date(doc.date)


def _iso_date(value: str | None) -> date | None:
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").date() if value else None
    except ValueError:
        return None


def _header(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()][:_HEADER_LINES]


def _text_title(text: str) -> str | None:
    """The first header line that reads like a headline (4 to 30 words; longer is body text).

    Page chrome such as "Updated 2 hours ago" or a dateline is not a headline.
    """
    return next((ln for ln in _header(text)
                 if 4 <= len(ln.split()) <= _TITLE_MAX_WORDS and not _PAGE_META.search(ln) and not _DATELINE.search(ln)),
                None)


def _text_dateline(text: str) -> date | None:
    """The first full date on a short header line: scraped pages print their dateline there.

    Long lines are prose or photo captions ("FILE - ... Nov. 17, 2021"), whose dates are not the article's.
    """
    for line in _header(text):
        if len(line.split()) <= _DATELINE_MAX_WORDS and (m := _DATELINE.search(line)):
            if parsed := _date_from_match(m):
                return parsed
    return None


def _date_from_match(m: re.Match[str]) -> date | None:
    if m["y3"]:
        y, mo, d = int(m["y3"]), int(m["m3"]), int(m["d3"])
    else:
        month = (m["m1"] or m["m2"]).lower()[:3]
        if month not in _MONTHS:
            return None
        y, mo, d = int(m["y1"] or m["y2"]), _MONTHS[month], int(m["d1"] or m["d2"])
    try:
        return date(y, mo, d)
    except ValueError:
        return None
