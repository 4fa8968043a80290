"""Extraction stage: Article -> Extraction (persons, meetings, weapon systems, permissions).

Pure, deterministic and offline: regex rules over lexicons kept as data in
etl/extract/lexicons/, and the trained spaCy pipeline (etl.extract.nlp) for the structure of
the sentences that need it. One module per concern:
  etl.extract.nlp          the spaCy model (a setting) and the article's parsed sentences
  etl.extract.text         boilerplate filter and sentence splitter
  etl.extract.dates        dates and weekday resolution against an anchor date
  etl.extract.lexicon      the lexicons of etl/extract/lexicons/, loaded once
  etl.extract.memo         results kept for one batch of articles
  etl.extract.persons      persons by title/apposition/speech patterns, stable keys
  etl.extract.meetings     meetings (held/planned) between persons
  etl.extract.weapons      weapon systems (lexicon + variant grammar, classes, ships, model numbers)
  etl.extract.permissions  permissions to use weapons
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from etl.extract.dates import anchor_for, explicit_dates
from etl.extract.meetings import extract_meetings
from etl.extract.memo import new_batch
from etl.extract.nlp import Parses
from etl.extract.permissions import extract_permissions, structure_sentences
from etl.extract.persons import PersonIndex, entity_sentences, parse_named
from etl.extract.weapons import extract_weapons
from etl.records import Article, Extraction
from etl.extract.text import caption_lines, clean, split_sentences, without_archive_captions

__all__ = ["extract", "parse_ahead", "sentences_of", "split_sentences"]


def sentences_of(article: Article) -> tuple[str, ...]:
    """The sentences facts are read from: headline first, page junk removed."""
    return clean(article.text, article.title).sentences


def trusted_published(article: Article) -> date | None:
    """Article.published, unless the page shows that date only in a photo caption of another day."""
    day = article.published
    if day is None:
        return None
    captions = caption_lines(article.text)
    in_captions = any(day in explicit_dates(line) for line in captions)
    rest = [line for line in article.text.splitlines() if line not in captions]
    elsewhere = day in explicit_dates("\n".join(rest))
    return None if in_captions and not elsewhere else day


# A parsed sentence takes tens of KB (57 MB per 1,000 measured): a batch of huge pages parsed at
# once would hold gigabytes, so only its first articles, up to this many sentences, are parsed
# ahead (a batch of 50 news articles has ~1,500).
AHEAD_SENTENCES = 5_000


def parse_ahead(articles: Sequence[Article], most: int = AHEAD_SENTENCES) -> Parses:
    """The parses that extracting these articles will ask for, made in one spaCy batch per kind.

    An article has a few sentences to parse, and spaCy's fixed cost per call is most of the time
    of such a small batch: parsed for a batch of articles at once, dev's pages extract 1.2x faster.
    (Meetings parse a few sentences more on their own, when a rule finds it needs the tree.)
    """
    new_batch()
    parses = Parses()
    bodies: list[tuple[str, ...]] = []
    for body in (clean(a.text, a.title).sentences for a in articles):
        if sum(map(len, bodies)) + len(body) > most:
            break  # the rest parse their own, article by article
        bodies.append(body)
    parse_named(parses, [s for body in bodies for s in entity_sentences(body)])
    parses.parse_all((s for body in bodies for s in structure_sentences(body)), structure_only=True)
    return parses


def extract(article: Article, parses: Parses | None = None) -> Extraction:
    """The facts of one article; `parses` may hold its sentences parsed ahead (see parse_ahead)."""
    body = clean(article.text, article.title)
    # Without a publication date, the latest full date in the page (file-photo captions
    # aside) anchors weekday names; see etl.extract.dates.
    anchor = anchor_for(trusted_published(article), without_archive_captions(article.text))
    parses = Parses() if parses is None else parses  # parsed sentences, shared by every rule
    index = PersonIndex(body.sentences, parses)
    meetings = extract_meetings(body.sentences, body.headline, index, anchor, parses, article.text)
    permissions = extract_permissions(body.sentences, index, anchor, parses)
    return Extraction(
        article=article,
        persons=index.persons(),
        meetings=meetings,
        weapons=extract_weapons(body.sentences),
        permissions=permissions,
    )
