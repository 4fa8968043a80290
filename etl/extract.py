"""Extraction stage: Article -> Extraction (persons, meetings, weapon systems, permissions).

Pure, deterministic and offline: regex rules over lexicons kept as data in
etl/lexicons/. One module per concern:
  etl.text                 boilerplate filter and sentence splitter
  etl.dates                dates and weekday resolution against an anchor date
  etl.extract_persons      persons by title/apposition/speech patterns, stable keys
  etl.extract_meetings     meetings (held/planned) between persons
  etl.extract_weapons      weapon systems (lexicon + model-number rule)
  etl.extract_permissions  permissions to use weapons
"""
from __future__ import annotations

from datetime import date

from etl.dates import anchor_for, explicit_dates
from etl.extract_meetings import extract_meetings
from etl.extract_permissions import extract_permissions
from etl.extract_persons import PersonIndex
from etl.extract_weapons import extract_weapons
from etl.records import Article, Extraction
from etl.text import caption_lines, clean, split_sentences, without_archive_captions

__all__ = ["extract", "sentences_of", "split_sentences"]


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


def extract(article: Article) -> Extraction:
    body = clean(article.text, article.title)
    # Without a publication date, the latest full date in the page (file-photo captions
    # aside) anchors weekday names; see etl.dates.
    anchor = anchor_for(trusted_published(article), without_archive_captions(article.text))
    index = PersonIndex(body.sentences)
    meetings = extract_meetings(body.sentences, body.headline, index, anchor)
    permissions = extract_permissions(body.sentences, index, anchor)
    return Extraction(
        article=article,
        persons=index.persons(),
        meetings=meetings,
        weapons=extract_weapons(body.sentences),
        permissions=permissions,
    )
