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

from .datetext import full_dates
from .errors import UserError
from .records import Article

MAX_BYTES = 10 * 1024 * 1024
"""Larger files are refused: no news article is this big, and reading one would hold it all in memory."""

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_BINARY_MAGIC = (b"\x89PNG", b"PK\x03\x04", b"%PDF", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"\x7fELF")
_HEADER_LINES = 12
_DATELINE_MAX_WORDS = 8
_STAMP_MAX_WORDS = 25
# A page's own stamp: a label before the date ("Published: ...", "1 min read . Updated ..."), or
# a time of day right after it ("May 14, 2025 10:32 GMT", "14.05.2025, 09:15"). Captions and
# prose have neither.
_STAMP_TAIL = r"(?:\s+(?:on|at))?\s*:?\s*(?:[A-Z][a-z]+day,?\s*)?\W*$"  # "Published on Thursday, "
_PUBLISHED_LABEL = re.compile(rf"(?:^|[|.·•,]\s*)(?:first\s+)?(?:published|posted|date|released)\b{_STAMP_TAIL}", re.I)
_UPDATED_LABEL = re.compile(rf"(?:^|[|.·•,]\s*)(?:last\s+)?(?:updated|modified|edited)\b{_STAMP_TAIL}", re.I)
_TIME_AFTER = re.compile(r"^\W{0,3}(?:at\s+)?\d{1,2}[:.h]\d{2}\b|^\W{0,3}\d{1,2}\s*[ap]\.?m\b", re.I)
_BYLINE = re.compile(r"^by\s+\S", re.I)
# "WASHINGTON (Agency - 21st October, 2022) ...", "KYIV, May 14, 2025 (Reuters) - ...": a wire
# dateline opens the body with its place, then the date in the agency's brackets or after a comma.
_WIRE_OPEN = re.compile(r"^[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}(?:,\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?\s*(?P<how>[(,])")
_WIRE_CLOSE = re.compile(r"^\s*(?:\([^()]{0,40}\)\s*)?(?:[-–—:/]|\))")
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
                 if 4 <= len(ln.split()) <= _TITLE_MAX_WORDS and not _PAGE_META.search(ln) and not full_dates(ln)),
                None)


def _text_dateline(text: str) -> date | None:
    """The page's own date from its header: a date alone on a short line ("October 3, 2024"),
    a stamped date ("Published 14 May 2025", "by A. Writer May 28, 2024 1:00 PM", "Updated: 28 Apr
    2023, 08:15 PM IST") or a wire dateline's ("KYIV, May 14, 2025 (Reuters) -"). A publication
    stamp wins over an update stamp, which only says the page was edited later.

    Other dates on long lines are prose or photo captions ("FILE - ... Nov. 17, 2021"), not the
    article's. A relative stamp ("2 hours ago") says nothing without the day the page was saved.
    """
    found: list[tuple[int, int, date]] = []  # (rank, line, day): 0 published, 1 stamped, 2 updated
    for n, line in enumerate(_header(text)):
        words = len(line.split())
        for start, end, day in full_dates(line):
            before, after = line[:start], line[end:]
            if _PUBLISHED_LABEL.search(before):
                rank = 0
            elif _UPDATED_LABEL.search(before):
                rank = 2
            elif words <= _DATELINE_MAX_WORDS or _wire_date(line, start, end) or (
                    words <= _STAMP_MAX_WORDS and (_TIME_AFTER.match(after) or _BYLINE.match(line))):
                rank = 1
            else:
                continue
            found.append((rank, n, day))
    return min(found)[2] if found else None


def _wire_date(line: str, start: int, end: int) -> bool:
    """Whether the date at line[start:end] is the date of a wire dateline that opens the line."""
    m = _WIRE_OPEN.match(line)
    if not m or m.end() > start:
        return False
    if m["how"] == "(":  # "WASHINGTON (Agency - date)": the date inside the brackets
        return ")" not in line[m.end():start] and line[end:].lstrip().startswith(")")
    return not line[m.end():start].strip() and bool(_WIRE_CLOSE.match(line[end:]))
