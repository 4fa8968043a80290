"""Page text -> headline + body sentences, with page boilerplate dropped.

The filter is general, not per-site (its word lists are in lexicons/junk.json):
cut the page at the first bare "Read also:" / "More news" / "Tags:" marker, drop
caption, credit and ad lines, drop lines that appear twice (captions repeated
under photos), drop blocks of lines that are lists (dense with timestamps, or
mostly without final punctuation), and keep a line without sentence-final
punctuation only when it is the headline or long enough to be a lead paragraph.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from etl.extract.lexicon import load
from etl.extract.memo import ARTICLES, per_batch

_FINAL = re.compile(r"[.!?…][\"'”’)]*\s*$|[\"”]\s*$")
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_COPYRIGHT_TAIL = re.compile(r"\s*©.*$")
# A sentence ends at . ! ? (plus closing quotes) followed by space and an opening capital/quote/digit.
_BOUNDARY = re.compile(r"(?<=[.!?])([\"'”’)]*)\s+(?=[\"“‘'(]?[A-Z0-9À-Þ])")
_ABBREV = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Lt|Col|Sen|Rep|Gov|Prof|Jan|Feb|Mar|Apr|Jun|Jul|Aug|"
    r"Sep|Sept|Oct|Nov|Dec|No|vs|etc|Jr|Sr|Inc|Ltd|Co|approx|i\.e|e\.g)\.)$")


@dataclass(frozen=True)
class Body:
    headline: str | None
    sentences: tuple[str, ...]  # headline first when there is one


@dataclass(frozen=True)
class _Rules:
    cut: re.Pattern
    drop: re.Pattern
    archive: re.Pattern
    timestamp: re.Pattern
    min_unpunctuated: int
    min_headline: int
    max_headline: int
    max_marker_words: int
    block_share: float
    stamp_share: float


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    junk = load().junk
    return _Rules(
        cut=re.compile("|".join(junk["cut_markers"])),
        drop=re.compile("|".join(junk["drop_line"])),
        archive=re.compile(junk["archive_caption"]),
        timestamp=re.compile(junk["timestamp_line"]),
        min_unpunctuated=junk["min_words_unpunctuated"],
        min_headline=junk["min_words_headline"],
        max_headline=junk["max_words_headline"],
        max_marker_words=junk["max_words_after_cut_marker"],
        block_share=junk["unpunctuated_block_share"],
        stamp_share=junk["timestamp_block_share"],
    )


def word_count(line: str) -> int:
    return len(_WORD.findall(line))


def _normal(line: str) -> str:
    """Comparison form of a line: caption credit removed, spaces collapsed."""
    return " ".join(_COPYRIGHT_TAIL.sub("", line).split()).lower()


def _cut_at_marker(lines: list[str], rules: _Rules) -> tuple[list[str], set[int]]:
    """Lines up to the first bare marker ("Read also:", "Tags:"); inline marker lines to drop."""
    inline: set[int] = set()
    for i, line in enumerate(lines):
        m = rules.cut.search(line.strip())
        if i == 0 or not m:
            continue
        rest = line.strip()[m.end():]
        if word_count(rest) <= rules.max_marker_words or rest.endswith(":"):
            return lines[:i], inline
        inline.add(i)
    return lines, inline


def _repeated(lines: list[str]) -> set[int]:
    """Indexes of lines that repeat (or contain) another line: captions shown twice."""
    norms = [_normal(x) for x in lines]
    seen: dict[str, int] = {}
    out: set[int] = set()
    for i, n in enumerate(norms):
        if len(n) < 20:
            continue
        if n in seen:
            out |= {seen[n], i}
        seen.setdefault(n, i)
    # near-duplicates: a line that ends with the previous line (a label glued in front)
    for i in range(1, len(norms)):
        a, b = norms[i - 1], norms[i]
        if len(a) >= 20 and len(b) >= 20 and (b.endswith(a) or a.endswith(b)):
            out |= {i - 1, i}
    return out


def _sidebar(lines: list[str], rules: _Rules) -> tuple[set[int], set[int]]:
    """Blocks (lines with no blank line between) that are lists.

    Returns (stamped, bare): lines of blocks dense with timestamps, and lines of blocks
    whose lines mostly lack sentence-final punctuation (site labels, link lists).
    """
    stamped: set[int] = set()
    bare: set[int] = set()
    block: list[int] = []
    for i, line in enumerate(lines + [""]):
        if line.strip():
            block.append(i)
            continue
        stamps = [j for j in block if rules.timestamp.match(lines[j].strip())]
        unpunctuated = [j for j in block if not _FINAL.search(lines[j])]
        if len(block) >= 3 and len(stamps) >= rules.stamp_share * len(block):
            stamped.update(block)
        elif len(block) >= 3 and len(unpunctuated) >= rules.block_share * len(block):
            bare.update(block)
        stamped.update(stamps)
        block = []
    return stamped, bare


def _headline_index(lines: list[str], title: str | None, rules: _Rules, junk: set[int]) -> int | None:
    if title:
        for i, line in enumerate(lines):
            if _normal(line) == _normal(title):
                return None if i in junk or word_count(line) > rules.max_headline else i
    for i, line in enumerate(lines[:12]):
        if i in junk or rules.drop.search(line):
            continue
        if rules.min_headline <= word_count(line) <= rules.max_headline:
            return i
        if word_count(line) > rules.max_headline:
            return None  # the body starts with no headline above it
    return None


@per_batch(ARTICLES)
def clean(text: str, title: str | None = None) -> Body:
    """Headline and body sentences of a scraped page, boilerplate removed."""
    rules = _rules()
    lines, drop = _cut_at_marker([x.rstrip() for x in text.splitlines()], rules)
    stamped, bare = _sidebar(lines, rules)
    drop |= _repeated(lines) | stamped
    # the headline may share a block with site labels, never with timestamps or a repeat
    head_i = _headline_index(lines, title, rules, drop)
    drop |= bare
    headline = lines[head_i].strip() if head_i is not None else None
    sentences: list[str] = [headline] if headline else []
    for i, raw in enumerate(lines):
        line = raw.strip().lstrip("•·*-–— ").strip()
        if i == head_i or i in drop or not line or rules.drop.search(line):
            continue
        if not _FINAL.search(line) and word_count(line) < rules.min_unpunctuated:
            continue  # subheadings, sidebar headlines, labels
        sentences.extend(split_sentences(line))
    return Body(headline, tuple(sentences))


def without_archive_captions(text: str) -> str:
    """The page without "FILE - ..." photo captions: their dates belong to other days."""
    archive = _rules().archive
    return "\n".join(line for line in text.splitlines() if not archive.match(line))


def caption_lines(text: str) -> list[str]:
    """Photo captions and credit lines ("FILE - ...", "... © IMAGO"): their dates are not the article's."""
    rules = _rules()
    return [line for line in text.splitlines() if rules.drop.search(line.strip())]


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, not breaking after abbreviations like "U.S." or "Dec."."""
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(paragraph):
        before = paragraph[start:m.start()]
        if _ABBREV.search(before.split()[-1] if before.split() else ""):
            continue
        out.append(paragraph[start:m.end(1)].strip())
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return [piece for s in out if s for piece in _bounded(s)]


MAX_SENTENCE_CHARS = 1000
"""Longer "sentences" (a page with no punctuation, one enormous line) are cut at spaces:
rules scan a sentence once per trigger word, so an unbounded one would cost quadratic time."""


def _bounded(sentence: str) -> list[str]:
    pieces = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", 0, MAX_SENTENCE_CHARS)
        cut = cut if cut > 0 else MAX_SENTENCE_CHARS
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return [*pieces, sentence] if sentence else pieces
