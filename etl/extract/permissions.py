"""Permissions to use, sell or pass on weapons, read from the dependency parse.

A sentence is a candidate when it has a trigger word and weapon talk (lexicons/permissions.json);
only candidates are parsed. spaCy's DependencyMatcher then finds the trigger structures kept as
data in lexicons/permission_patterns.json ("X allowed Y to use", "X approved the sale of W to Y",
"Y received permission from X", "X's ban on strikes remains in place", "Y can use W, X said" ...),
and the roles are read from the tree around the trigger:
- grantor: the subject of the trigger's clause (each country of a conj chain is a grantor of its
  own; a passive's "by" agent; "it", "he", "his country" resolved up the tree to who said it),
  or the speaker of a reported claim, or the owner of a ban or an approval ("Washington's ban");
- grantee: the trigger's object or its clause's subject, "to"/"for" phrases, a possessor
  ("Ukraine's use"), a sale's "to" country; never a country that is struck ("targets in X");
  else the article's most likely grantee;
- status: granted, restricted or refused; negation ("has not allowed"), refusing governors
  ("refused to allow", "ruled out sending"), non-decisions ("has not decided whether to allow")
  and "only" ("can use them only on its own territory") change it; advocacy, requests, plans and
  hypotheticals governing the trigger ("called on X to allow", "should allow", "whether to
  allow") are no decision at all;
- kind: use, supply (the grantee gets the weapons: a sale, an export, a delivery) or retransfer
  (the grantee passes the grantor's weapons on to a third country, its recipient).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from etl.extract.dates import Anchor, date_in
from etl.extract.lexicon import alternation, country_of, load
from etl.extract.memo import SENTENCES, per_batch
from etl.extract.nlp import Parses, model_name, pipeline, verbal
from etl.extract.persons import PersonIndex
from etl.extract.weapons import weapons_in
from etl.records import Country, Permission, PermissionKind, PermissionStatus

if TYPE_CHECKING:
    from spacy.matcher import DependencyMatcher
    from spacy.tokens import Doc, Token

_WORD = re.compile(r"[a-z]+|n't")
_NEGATED: dict[PermissionStatus, PermissionStatus] = {"granted": "refused", "restricted": "granted"}
_CLAUSES = ("relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis")
_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
_OBJECTS = ("dobj", "dative", "attr", "oprd")
# where a grantee stands as a party ("allowed its ally to buy"); a "to"/"for" phrase is as often a
# purpose or a place ("for that purpose")
_PARTY_DEPS = ("dobj", "dative", "nsubj", "nsubjpass", "poss")
# climbing from a clause to the clause that governs it (and whose subject controls it)
_GOVERNED = ("xcomp", "ccomp", "advcl", "conj", "pcomp", "prep", "pobj", "dobj", "acl", "relcl", "csubj", "acomp")


@dataclass(frozen=True)
class _Family:
    """One pattern of permission_patterns.json: how its roles are read and what it means."""

    name: str
    status: PermissionStatus
    kind: str  # use, supply or auto
    grantor: str  # subject, speaker, possessor, source or notifier
    grantee: str  # object, subject, possessor, recipient or story
    negated: bool = False  # the pattern holds the negation itself ("has not changed")
    negated_status: PermissionStatus | None = None
    modal: bool = False  # the modal is the claim ("Ukraine can use"), no hypothetical
    needs: str | None = None  # act: a use or transfer must be named; weapon: or a weapon
    requires: str | None = None  # refusal: only a refused or negated future form counts
    anaphoric: bool = False
    actor: str = "grantee"  # whose transfer verbs these are: the grantee's (a retransfer) or the grantor's
    transfer_status: PermissionStatus | None = None  # the status when what is limited is a transfer


@dataclass(frozen=True)
class _Rules:
    words: dict[str, frozenset[str]]
    gate: tuple[tuple[frozenset[str], ...], ...]
    context: re.Pattern
    speech: frozenset[str]
    families: tuple[_Family, ...]
    patterns: tuple[list[list[dict]], ...]
    weapon_phrase: re.Pattern
    scopes: tuple[re.Pattern, ...]
    action: re.Pattern
    government: re.Pattern
    forces: re.Pattern
    same_day: re.Pattern
    anaphora_gate: tuple[tuple[frozenset[str], ...], ...]
    anaphora_sentences: int

    def of(self, *classes: str) -> frozenset[str]:
        return frozenset().union(*(self.words[c] for c in classes))


def _union(words: dict[str, frozenset[str]], classes: str) -> frozenset[str]:
    """"a+b": the words of classes a and b."""
    return frozenset().union(*(words[c] for c in classes.split("+")))


def _expand(value, words: dict[str, frozenset[str]]):
    """"@a+b" in a pattern stands for the words of classes a and b."""
    if isinstance(value, str) and value.startswith("@"):
        return sorted(_union(words, value[1:]))
    if isinstance(value, dict):
        return {k: _expand(v, words) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, words) for v in value]
    return value


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    lex = load()
    p = lex.permissions
    words = {k: frozenset(v) for k, v in p["words"].items()}
    speech = words["speech"] | frozenset(w.lower() for w in lex.meetings["speech_verbs"] if " " not in w)
    words["said_marks"] |= speech | words["stance"]
    countries = alternation(list(lex.countries))
    demonyms = alternation(list(lex.demonyms))
    families, patterns = [], []
    for entry in lex.permission_patterns["patterns"]:
        spec = {k: v for k, v in entry.items() if k not in ("family", "why", "pattern")}
        families.append(_Family(name=entry["family"], **spec))
        patterns.append([_expand(entry["pattern"], words)])
    return _Rules(
        words=words,
        gate=tuple(tuple(_union(words, c) for c in entry) for entry in p["gate"]),
        anaphora_gate=tuple(tuple(_union(words, c) for c in entry) for entry in p["anaphora_gate"]),
        context=re.compile(p["context"], re.I),
        speech=speech,
        families=tuple(families),
        patterns=tuple(patterns),
        weapon_phrase=re.compile(p["weapon_phrase"].replace("{D}", demonyms + "|" + countries)),
        scopes=tuple(re.compile(s.replace("{D}", demonyms).replace("{C}", countries)) for s in p["scope"]),
        action=re.compile(p["action"]),
        government=re.compile(rf"\b(?:{demonyms})\s+{p['government_words']}\b", re.I),
        forces=re.compile(rf"\b(?:{demonyms})\s+{p['grantee_forces']}\b", re.I),
        same_day=re.compile(p["same_day"], re.I),
        anaphora_sentences=p["anaphora_sentences"],
    )


@lru_cache(maxsize=4)
def _matchers(name: str) -> tuple[tuple[tuple[frozenset[str], ...], DependencyMatcher], ...]:
    """One DependencyMatcher per pattern over the configured model's vocabulary (`name` keys the
    cache: another model, another vocabulary), each with the word lists its nodes need: a sentence
    runs only the patterns whose words it has (running them all cost as much as the parse)."""
    from spacy.matcher import DependencyMatcher

    out = []
    for i, pattern in enumerate(_rules().patterns):
        matcher = DependencyMatcher(pipeline().vocab)
        matcher.add(f"perm-{i}", pattern)
        needed = [frozenset(node["RIGHT_ATTRS"]["LOWER"]["IN"]) for node in pattern[0]
                  if isinstance(node["RIGHT_ATTRS"].get("LOWER"), dict)]
        out.append((tuple(needed), matcher))
    return tuple(out)


def _words(sentence: str) -> set[str]:
    """The sentence's words as the tokenizer splits them ("cannot" is "can" + "not")."""
    return set(_WORD.findall(sentence.lower().replace("’", "'").replace("cannot", "can not").replace("n't", " n't")))


def _gated(words: set[str], gate: tuple[tuple[frozenset[str], ...], ...]) -> bool:
    return any(all(words & cls for cls in entry) for entry in gate)


@per_batch(SENTENCES)
def is_candidate(sentence: str) -> bool:
    """Worth parsing: a trigger word (every class of one gate entry) and weapon talk."""
    rules = _rules()
    words = _words(sentence)
    if not _gated(words, rules.gate):
        return False
    return bool(rules.context.search(sentence) or weapons_in(sentence))


def _follows_up(sentence: str) -> bool:
    """Worth parsing right after a permission: "X followed suit", "signed off on the plan"."""
    return _gated(_words(sentence), _rules().anaphora_gate)


# --- reading the tree -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Party:
    country: Country | None
    person: str | None


@dataclass
class _Sentence:
    """One parsed candidate sentence and what the rules need to know about it."""

    text: str
    doc: Doc
    index: PersonIndex
    last_person: str | None
    mentions: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.mentions = self.index.mentions(self.text)


def _lower(tok: Token) -> str:
    return tok.lower_.replace("’", "'")


def _spelt(tok: Token) -> str:
    """The word a hyphenated compound spells when the tokenizer split it: "re-export" read as
    "re", "-", "export" is "reexport" at its first part; any other token is its own word."""
    doc = tok.doc
    if tok.i + 2 < len(doc) and not tok.whitespace_ and doc[tok.i + 1].text == "-" and not doc[tok.i + 1].whitespace_:
        return _lower(tok) + _lower(doc[tok.i + 2])
    return _lower(tok)


def _negated(tok: Token) -> bool:
    """"not allowed", "never approved", "no longer permits", "places no restrictions"."""
    for c in tok.children:
        if c.dep_ == "neg" or c.lower_ == "never":
            return True
        if c.lower_ == "longer" and any(g.lower_ == "no" for g in c.children):
            return True
        if c.dep_ == "det" and c.lower_ == "no":
            return True
    return False


def _neither(tok: Token) -> bool:
    """"Neither A nor B has allowed ...": a negated subject negates the verb."""
    return any(_lower(t) == "neither" for c in tok.children if c.dep_ in _SUBJECTS for t in c.subtree)


def _phrase(tok: Token) -> list[Token]:
    """A noun phrase's words, its clauses (relative, participle ...) left out."""
    skip = {t.i for c in tok.children if c.dep_ in _CLAUSES for t in c.subtree}
    return [t for t in tok.subtree if t.i not in skip]


def _core(tok: Token) -> list[Token]:
    """A noun phrase's own words: "of" phrases kept ("the Government of Japan"), its other
    prepositional phrases ("howitzers to Ukraine") and clauses left out, at every level."""
    out = [tok]
    for c in tok.children:
        if c.dep_ not in _CLAUSES and not (c.dep_ == "prep" and c.lower_ != "of"):
            out += _core(c)
    return sorted(out, key=lambda t: t.i)


def _countries_in(s: _Sentence, tokens: list[Token], demonyms: bool = True) -> list[Country]:
    """Countries named in these words: names, capitals, institutions; "German officials"."""
    lex = load()
    if not tokens:
        return []
    starts = {t.idx for t in tokens}
    lo, hi = min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens)
    found = [lex.countries[m.group(0)] for m in lex.country_re.finditer(s.text, lo, hi) if m.start() in starts]
    if not found and demonyms:
        found = [lex.demonyms[m.group(0)] for m in lex.demonym_re.finditer(s.text, lo, hi) if m.start() in starts]
    return list(dict.fromkeys(found))


def _persons_in(s: _Sentence, tokens: list[Token]) -> list[str]:
    ends = {t.idx + len(t) for t in tokens}
    starts = {t.idx for t in tokens}
    return list(dict.fromkeys(m.key for m in s.mentions if m.start in starts or m.end in ends))


def _pronoun_like(tok: Token) -> bool:
    """"it", "he", "we", "his country", "the government": someone named elsewhere."""
    rules = _rules()
    if _lower(tok) in rules.words["pronouns"] and tok.tag_ in ("PRP", "PRP$"):
        return True
    return _lower(tok) in rules.words["self_nouns"] and not any(c.dep_ in ("compound", "amod") for c in tok.children)


def _clause_up(tok: Token) -> Token | None:
    """The clause that governs this one, or None at the top."""
    return tok.head if tok.dep_ in _GOVERNED and tok.head.i != tok.i else None


def _subject_of(node: Token) -> Token | None:
    """The subject of the clause of `node`, climbing to the clause that controls it ("X refused to
    allow", "X's decision to allow", "X, which allowed")."""
    seen = 0
    came_by = None
    while node is not None and seen < 12:
        seen += 1
        # an infinitive is controlled by its verb's object ("led Germany to halt"), else by its
        # subject, a passive one too ("X was ordered to halt")
        deps = ("dobj", "nsubj", "csubj", "nsubjpass") if came_by == "xcomp" else ("nsubj", "csubj")
        subj = min((c for c in node.children if c.dep_ in deps), key=lambda c: deps.index(c.dep_), default=None)
        if subj is not None and node.tag_.startswith(("VB", "MD", "JJ")):
            return subj
        if node.dep_ == "relcl":
            return node.head
        if node.dep_ == "acl" and node.head.tag_.startswith("NN"):
            if _lower(node.head) not in _rules().of("plan_nouns", "permission_nouns"):
                return None  # "a doctrine allowing the use of ...": the doctrine allows
            owner = _owner(node.head)
            if owner is not None:
                return owner
        came_by = node.dep_
        node = _clause_up(node)
    return None


def _owner(noun: Token) -> Token | None:
    """Whose thing a noun is: "Washington's ban", "the US approval", "a decision by X"."""
    for c in noun.children:
        if c.dep_ == "poss" or (c.dep_ in ("compound", "amod", "nmod") and c.tag_.startswith(("NNP", "JJ"))):
            return c
    for c in noun.children:
        if c.dep_ in ("prep", "agent") and c.lower_ in ("by", "from"):
            obj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if obj is not None:
                return obj
    return None


def _parties(s: _Sentence, tok: Token | None, depth: int = 0) -> list[_Party]:
    """The persons, else the countries, a phrase names (conj chains: each one); a pronoun or "his
    country" is resolved up the tree, then to the person named just before."""
    if tok is None or depth > 3:
        return []
    words = _phrase(tok) if tok.tag_.startswith(("NN", "PRP", "JJ", "CD")) else [tok]
    # "Russia's strikes have not stopped X": the owner of a thing is no agent, but the owner of a
    # ban is ("Berlin's freeze blocks X")
    if _lower(tok) not in _rules().of("self_nouns", "ban_nouns") and not _rules().government.search(tok.text):
        owned = {t.i for c in tok.children if c.dep_ == "poss" for t in c.subtree}
        words = [t for t in words if t.i not in owned] if tok.tag_ in ("NN", "NNS") else words
    persons = _persons_in(s, words)
    countries = _countries_in(s, words)
    if persons:
        return [_Party(s.index.country(p) or (countries[0] if len(countries) == 1 else None), p) for p in persons]
    if countries:
        return [_Party(c, None) for c in countries]
    if _pronoun_like(tok) or (tok.dep_ == "poss" and _pronoun_like(tok.head)):
        return _resolve(s, tok, depth)
    head = tok.head if tok.dep_ == "poss" else None
    return _parties(s, head, depth + 1) if head is not None and _pronoun_like(head) else []


def _resolve(s: _Sentence, tok: Token, depth: int) -> list[_Party]:
    """"it", "he", "his country": the subject of the clause it stands in ("X justified his
    country's decision") or, for that clause's own subject, the next subject up the tree ("X said
    it would ..."); else the person named last."""
    clause = next((a for a in tok.ancestors if verbal(a)), None)
    own = clause is not None and any(t.i == tok.i for c in clause.children if c.dep_ in _SUBJECTS for t in c.subtree)
    node = _clause_up(clause) if own else clause
    while node is not None:
        subj = _subject_of(node)
        if subj is None:
            break
        if not _pronoun_like(subj):
            return _parties(s, subj, depth + 1)
        node = _clause_up(subj.head)
    personal = _rules().words["personal_pronouns"]
    if _lower(tok) in personal or any(_lower(c) in personal for c in tok.children if c.dep_ == "poss"):
        before = [m.key for m in s.mentions if m.start < tok.idx]
        who = before[-1] if before else s.last_person
        return [_Party(s.index.country(who), who)] if who else []
    return []


def _speaker(s: _Sentence, tok: Token) -> list[_Party]:
    """Who says or backs the claim: the subject of the nearest speech or stance verb above it, or
    "according to X"."""
    rules = _rules()
    says = rules.speech | rules.words["stance"]
    node = _clause_up(tok)
    while node is not None:
        if _lower(node) in says:
            subj = next((c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None:
                return _parties(s, subj)
        node = _clause_up(node)
    for t in s.doc[:-1]:
        if t.lower_ == "according" and t.nbor(1).lower_ == "to":
            obj = next((g for g in t.nbor(1).children if g.dep_ == "pobj"), None)
            if obj is not None:
                return _parties(s, obj)
    return []


def _supplier(s: _Sentence, tok: Token, trig: Token) -> list[_Party]:
    """Whose weapons these are: "Belgian weapons", "weapons supplied by Berlin" (in `tok`'s phrase,
    else in the trigger's clause)."""
    context = _rules().context
    for t in [*tok.subtree, *trig.subtree]:
        if not context.fullmatch(t.text):
            continue
        for c in t.children:
            if c.dep_ in ("amod", "compound", "nmod", "npadvmod", "poss") and not c.tag_.startswith("PRP"):
                found = _countries_in(s, list(c.subtree))
                if found:
                    return [_Party(found[0], None)]
            if c.dep_ == "acl":
                agent = next((g for g in c.children if g.dep_ == "agent"), None)
                obj = next((g for g in agent.children if g.dep_ == "pobj"), None) if agent is not None else None
                found = _countries_in(s, list(obj.subtree)) if obj is not None else []
                if found:
                    return [_Party(found[0], None)]
    return []


def _passive(tok: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)


def _agent(tok: Token, thing: Token | None) -> Token | None:
    """The "by" (or "from") phrase's object, on the trigger or its noun."""
    for node in filter(None, (tok, thing)):
        for c in node.children:
            if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ in ("by", "from")):
                obj = next((g for g in c.children if g.dep_ == "pobj"), None)
                if obj is not None:
                    return obj
    return None


def _said_by(s: _Sentence, trig: Token, thing: Token | None) -> list[_Party]:
    """The speaker of a claim, with a country: their own, else that of the weapons ("weapons
    supplied by Berlin"). A speaker with no country ("analyst X said", "the NATO chief said") grants
    nothing."""
    supplier = _supplier(s, thing if thing is not None else trig, trig)
    speakers = _speaker(s, trig)
    if not speakers:
        return supplier
    fill = supplier[0].country if supplier else None
    return [replace(p, country=p.country or fill) for p in speakers if p.country or fill]


def _decided_by(s: _Sentence, trig: Token) -> list[_Party]:
    """"a decision by A and B to allow ...": the owner of the decision an infinitive follows, also
    when the parse hangs the infinitive elsewhere."""
    if not any(c.dep_ == "aux" and c.lower_ == "to" for c in trig.children):
        return []
    nouns = _rules().of("plan_nouns", "permission_nouns")
    for t in reversed(s.doc[max(trig.i - 25, 0):trig.i]):
        if _lower(t) in nouns and t.tag_ in ("NN", "NNS"):
            return _parties(s, _owner(t))
    return []


def _left_of(s: _Sentence, trig: Token) -> list[_Party]:
    """A finite verb the parse left without a subject ("In addition to A, B and C also signed
    off"): the persons, else the countries, in the phrases before it."""
    if trig.tag_ not in ("VBD", "VBZ", "VBP") or any(c.dep_ in _SUBJECTS for c in trig.children):
        return []
    words = [t for c in trig.lefts if c.dep_ not in ("aux", "neg", "advmod", "punct", "cc", "mark")
             for t in c.subtree if not _is_target(t, trig)]
    persons = _persons_in(s, words)
    if persons:
        return [_Party(s.index.country(p), p) for p in persons]
    return [_Party(c, None) for c in _countries_in(s, words, demonyms=False)]


def _grantors(s: _Sentence, fam: _Family, roles: dict[str, Token]) -> list[_Party]:
    trig, thing = roles["trigger"], roles.get("thing")
    if fam.grantor == "speaker":
        return _said_by(s, trig, thing)
    if fam.grantor == "possessor":
        owner = roles.get("grantor") or (_owner(thing) if thing is not None else None)
        parties = _parties(s, owner)
    elif fam.grantor == "source" or _passive(trig):
        parties = _parties(s, _agent(trig, thing))
        if fam.grantor == "notifier" and not parties:  # "Congress was notified of the sale"
            parties = _parties(s, next((c for c in trig.children if c.dep_ == "nsubjpass"), None))
    else:
        parties = _parties(s, _subject_of(trig)) or _decided_by(s, trig) or _left_of(s, trig)
        if fam.grantor == "notifier" and not any(p.country for p in parties):
            # "The agency notified Congress of the sale": the notified parliament's country
            parties = _parties(s, next((c for c in trig.children if c.dep_ == "dobj"), None))
    if not parties:
        return _said_by(s, trig, thing) if fam.grantor != "subject" or _passive(trig) else []
    return parties


def _countries_for(s: _Sentence, trig: Token, thing: Token | None, parties: list[_Party],
                   grantee: Country | None) -> list[_Party]:
    """A grantor person with no known country acts for the country whose weapons these are ("Y
    approved the use of US weapons"), else for the one whose official says so ("X said President
    Y approved"), never for the grantee."""
    if all(p.country for p in parties):
        return parties
    said = [p.country for p in _supplier(s, thing if thing is not None else trig, trig) + _speaker(s, trig) if p.country]
    fill = next((c for c in said if grantee is None or c.key != grantee.key), None)
    return [replace(p, country=p.country or fill) for p in parties]


def _announced(s: _Sentence, trig: Token, parties: list[_Party]) -> list[_Party]:
    """"Minister X said Sweden would allow ...": X is the person who gave Sweden's permission (not
    in "the US president allows ..., X confirms": that person is someone else)."""
    subject = _subject_of(trig)
    if all(p.person for p in parties) or subject is not None and _lower(subject) in load().titlewords:
        return parties
    speakers = [p for p in _speaker(s, trig) if p.person and p.country]
    if len(speakers) != 1:
        return parties
    who = speakers[0]
    return [replace(p, person=who.person) if p.person is None and p.country == who.country else p for p in parties]


# --- the grantee ------------------------------------------------------------------------------------

def _is_target(tok: Token, top: Token) -> bool:
    """A country that is struck or a place of use ("targets in X", "to hit X", "deep into the
    heart of X"), never a grantee: its own preposition or verb decides ("sale to X", "the ban on X"
    and "in addition to X" are no targets)."""
    rules = _rules()
    node = tok
    while node.i != top.i and node.head.i != node.i:
        if node.dep_ == "conj":
            node = node.head
        elif node.dep_ == "pobj":
            prep = node.head
            if _lower(prep) == "of" and prep.head.i != prep.i:
                node = prep.head  # "the heart of X": the phrase around it decides
                continue
            return _lower(prep) in rules.words["target_preps"] and _lower(prep.head) not in rules.words["ban_nouns"]
        else:
            return node.dep_ in ("dobj", "nsubjpass") and _lower(node.head) in rules.words["target_acts"]
    return False


def _grantee_in(s: _Sentence, tok: Token | None, top: Token, exclude: set[str]) -> list[Country]:
    """The countries a phrase names ("Ukrainian forces", "the Government of Japan", "Denmark and
    Norway") that are neither struck nor grantors."""
    if tok is None:
        return []
    lex = load()
    words = [t for t in _core(tok) if not _is_target(t, top)]
    found = _countries_in(s, words, demonyms=False)
    if not found:
        lo = min((t.idx for t in words), default=0)
        m = _rules().forces.search(s.text, lo, max((t.idx + len(t) for t in words), default=0))
        found = [country_of(m.group(0))] if m else []
        if not found and tok.lower_ in {d.lower() for d in lex.demonyms} and tok.tag_ in ("NNPS", "NNS"):
            found = [lex.demonyms.get(tok.text)]  # "Ukrainians can use ..."
        if not found and tok.dep_ == "amod" and _lower(tok.head) in _rules().words["request_nouns"]:
            found = [lex.demonyms.get(tok.text)]  # "a Danish request"
    return [c for c in found if c and c.key not in exclude]


def _preps(node: Token | None, names: tuple[str, ...]) -> list[Token]:
    if node is None:
        return []
    return [g for c in node.children if c.dep_ in ("prep", "dative") and c.lower_ in names
            for g in c.children if g.dep_ == "pobj"]


def _candidates(fam: _Family, roles: dict[str, Token]) -> list[Token | None]:
    """Where the grantee may be, most likely first."""
    trig, thing, act = roles["trigger"], roles.get("thing"), roles.get("act")
    subj = [c for c in trig.children if c.dep_ in ("nsubj", "nsubjpass")]
    head_subj = [c for c in trig.head.children if c.dep_ in ("nsubj", "nsubjpass")] if trig.dep_ == "acomp" else []
    passive = [c for c in trig.children if c.dep_ == "nsubjpass"]
    objects = [c for c in trig.children if c.dep_ in _OBJECTS and (thing is None or c.i != thing.i)]
    acts = [c for c in (act.children if act is not None else ()) if c.dep_ in ("nsubj", "nsubjpass", "dobj")]
    clauses = [g for c in trig.children if c.dep_ in ("xcomp", "ccomp", "acl") for g in c.children
               if g.dep_ in ("nsubj", "nsubjpass")]
    to = _preps(thing, ("to", "for")) + _preps(trig, ("to", "for"))
    by = _preps(thing, ("by",)) + ([] if _passive(trig) else _preps(trig, ("by",)))
    owner = [thing.head] if thing is not None and thing.dep_ == "pobj" and thing.head.lower_ == "of" else []
    request = thing is not None and _lower(thing) in _rules().words["request_nouns"]
    # "Denmark's request", "a Danish request": who asks
    possessor = [c for c in (thing.children if thing is not None else ())
                 if c.dep_ in ("poss", "compound") or request and c.dep_ == "amod"]
    # "restrictions on Ukraine's use", "the use of its jets by Armenia", "requests from Germany"
    asking = ("by", "from") if request else ("by",)
    nested = [c for c in (thing.subtree if thing is not None else ()) if c.i != thing.i and
              (c.dep_ == "poss" or c.dep_ == "pobj" and c.head.lower_ in asking and c.head.head.i != trig.i)]
    with_obj = [c for c in trig.children if c.dep_ == "dobj"]  # "provide Kyiv with missiles"
    acl_subj = [g for c in (thing.children if thing is not None else ()) if c.dep_ == "acl" for g in c.children
                if g.dep_ in ("nsubj",)]
    if fam.grantee == "subject":
        return [roles.get("grantee"), *subj, *head_subj, *acts]
    if fam.grantee == "possessor":
        return [*possessor, *nested, *by, *to, *passive, *objects, *acts, *clauses, *owner]
    if fam.grantee == "recipient":
        return [*to, *objects, *with_obj, *possessor, *passive]
    return [*passive, *objects, *acts, *clauses, *to, *possessor, *acl_subj, *nested, *by]


def _party_noun(s: _Sentence, tok: Token | None, top: Token) -> bool:
    """A noun in a grantee's place that names who may act but no country ("its ally", "the army",
    "journalists"): not a weapon, an act, a thing permitted, a place struck or a country."""
    rules = _rules()
    things = rules.of("use_nouns", "transfer_nouns", "ban_nouns", "permission_nouns", "plan_nouns", "request_nouns",
                      "capacity_nouns", "use_acts", "transfer_acts")
    return tok is not None and tok.i != top.i and tok.tag_.startswith("NN") and tok.dep_ in _PARTY_DEPS \
        and _lower(tok) not in things and not rules.context.fullmatch(tok.text) and not _is_target(tok, top) \
        and not _countries_in(s, _core(tok))


def _grantees(s: _Sentence, fam: _Family, roles: dict[str, Token], exclude: set[str]) -> list[Country] | None:
    """The grantees the tree names; [] when it names none; None when it names one that is no
    country ("allowed its ally to buy the jets"): then the article's grantee is no guess either."""
    trig = roles["trigger"]
    named = False
    for tok in _candidates(fam, roles):
        found = _grantee_in(s, tok, trig, exclude)
        if found:
            return found
        named = named or _party_noun(s, tok, trig)
    # the parse may hang the grantee elsewhere ("allowed on Friday Ukraine to use"): any country
    # after the trigger, in its phrase, that is neither struck nor a grantor
    after = [t for t in trig.subtree if t.i > trig.i and not _source(t)]
    for t in after:
        found = _grantee_in(s, t, trig, exclude) if t.tag_ in ("NNP", "NNPS") and t.dep_ != "compound" else []
        if found:
            return found
    return None if named else []


def _source(tok: Token) -> bool:
    """A country things come from ("bought from the US", "permission from Norway"): no grantee."""
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    return tok.dep_ == "pobj" and tok.head.lower_ == "from"


def _only_in(s: _Sentence, trig: Token, status: PermissionStatus, exclude: set[str]) -> list[Country]:
    """"may only be used in Ukraine", "for use only on Ukrainian territory": use limited to a
    country's own land is a restriction for that country."""
    if status != "restricted":
        return []
    only = _rules().words["only"]
    for t in trig.subtree:
        if _lower(t) in only:
            place = t.head if t.head.lower_ in _rules().words["target_preps"] else t.head.head
            found = [c for c in _countries_in(s, list(place.subtree)) if c.key not in exclude]
            if found:
                return found[:1]
    return []


# --- status, kind and what the trigger is about ----------------------------------------------------

def _governors(tok: Token) -> list[Token]:
    """The words governing the trigger up to the verb that says it ("said", "told")."""
    rules = _rules()
    out = []
    node = _clause_up(tok)
    while node is not None:
        if _lower(node) in rules.speech and _lower(node) not in rules.words["blockers"]:
            break
        out.append(node)
        node = _clause_up(node)
    return out


def _refuser(tok: Token) -> bool:
    rules = _rules()
    word = _lower(tok)
    if word in rules.words["ruling_out"]:
        return any(_lower(c) in rules.words["out_down"] for c in tok.children if c.dep_ == "prt")
    return word in rules.words["refusers"]


def _blocked(fam: _Family, trig: Token, govs: list[Token]) -> bool:
    """Advocacy, requests, plans and hypotheticals: no decision was told."""
    blockers = _rules().words["blockers"]
    if not fam.modal and any(_lower(c) in blockers for c in trig.children if c.dep_ in ("aux", "mark")):
        return True
    if trig.dep_ == "csubj":  # "allowing X to strike could lead to escalation"
        return True
    for g in govs:
        if _lower(g) in blockers or any(_lower(c) in blockers for c in g.children if c.dep_ in ("aux", "mark")):
            return True
    return False


def _words_of(*nodes: Token | None) -> list[Token]:
    return [t for n in nodes if n is not None for t in n.subtree]


def _names_an_act(s: _Sentence, trig: Token, roles: dict[str, Token], weapon: bool) -> bool:
    """The trigger's phrase names a use or a transfer; if `weapon`, a use or a weapon."""
    rules = _rules()
    acts = rules.of("use_acts", "use_nouns") if weapon else rules.of("use_acts", "transfer_acts", "use_nouns",
                                                                      "transfer_nouns", "supply_bans")
    span = [t for t in _words_of(roles.get("thing")) + _phrase_right(trig) if t.i != trig.i]
    if any(_lower(t) in acts or _spelt(t) in acts for t in span):
        return True
    if not span or not weapon:
        return False
    lo, hi = min(t.idx for t in span), max(t.idx + len(t) for t in span)
    return bool(rules.context.search(s.text, lo, hi) or weapons_in(s.text[lo:hi]))


def _phrase_right(trig: Token) -> list[Token]:
    """What the trigger governs after it, its subject and the clauses before it left out; for a
    noun, what its verb governs after it ("had no objection to X using": the parse may hang
    "using" on "had")."""
    heads = [trig, trig.head] if trig.tag_.startswith("NN") and trig.head.i < trig.i else [trig]
    return [t for h in heads for c in h.children if c.i > trig.i and not c.is_punct and c.dep_ != "cc"
            for t in c.subtree]


def _status(s: _Sentence, fam: _Family, roles: dict[str, Token]) -> PermissionStatus | None:
    trig, thing = roles["trigger"], roles.get("thing")
    govs = _governors(trig)
    rules = _rules()
    undecided = next((g for g in govs if _lower(g) in rules.words["decide"] and _negated(g)), None)
    if undecided is None and _blocked(fam, trig, govs):
        return None
    if any(_refuser(g) and _negated(g) for g in govs):
        return None  # "has not ruled out allowing": still open
    # "Chile halts approved sales to Peru": headlines parse the verb as the grant's subject noun
    misread = fam.status == "granted" and any(_lower(t) in rules.words["refuse"] and not t.tag_.startswith("VB")
                                              for c in trig.children if c.dep_ in _SUBJECTS for t in c.subtree)
    refused = undecided is not None or misread or any(_refuser(g) for g in govs)
    negated = not fam.negated and (_negated(trig) or (thing is not None and _negated(thing)) or _neither(trig))
    if fam.requires == "refusal":
        future = any(_lower(c) in rules.words["future"] for c in trig.children if c.dep_ == "aux")
        return "refused" if refused or (negated and future) else None
    status = fam.status
    if refused:
        return "refused" if status in ("granted", "refused") else None
    if negated:
        status = fam.negated_status or _NEGATED.get(status)
        if status is None:
            return None
    if status == "granted" and not fam.negated:
        scope = _words_of(thing) + _phrase_right(trig) + [c for c in trig.children if c.dep_ == "advmod"]
        if any(_lower(t) in rules.words["only"] and not _negated(t) for t in scope):
            return "restricted"  # "can use them only on its own territory"
    return status


def _kind(fam: _Family, roles: dict[str, Token]) -> PermissionKind:
    rules = _rules()
    if fam.kind in ("use", "supply"):
        return fam.kind  # type: ignore[return-value]
    thing = roles.get("thing")
    if thing is not None and _lower(thing) in rules.of("transfer_nouns", "supply_bans"):
        marks = rules.words["retransfer_marks"]
        near = [t for t in thing.doc[max(thing.i - 2, 0):thing.i + 1]]
        trig = roles["trigger"]
        seller = _lower(thing) not in rules.words["incoming_nouns"] and any(
            c.dep_ == "poss" and not c.tag_.startswith("PRP") for c in thing.children)  # "Israel's sale of X to Y"
        if any(_lower(t) in marks for t in near) or _preps(thing, ("by",)) or seller or \
                (not _passive(trig) and _preps(trig, ("by",))):
            return "retransfer"
        return "supply"
    asked = False  # "a request for missiles" is one to get them
    for t in _words_of(thing) + _phrase_right(roles["trigger"]):
        word = _lower(t)
        if word in rules.words["use_acts"]:
            return "use"
        if word in rules.words["receiving"] or word in rules.words["transfer_nouns"] and t.tag_.startswith("NN"):
            return "supply"  # "a sale", "export licences"
        if word in rules.words["retransfer_marks"]:
            return "retransfer"
        if word in rules.words["transfer_acts"]:
            return "retransfer" if fam.actor == "grantee" else "supply"
        asked = asked or word in rules.words["request_nouns"]
    return "supply" if asked else "use"


def _recipient(s: _Sentence, roles: dict[str, Token], exclude: set[str]) -> Country | None:
    """Where a retransfer goes: the "to" country of the transfer."""
    trig = roles["trigger"]
    for tok in _words_of(roles.get("thing")) + _phrase_right(trig):
        if tok.dep_ == "prep" and tok.lower_ == "to":
            for obj in (g for g in tok.children if g.dep_ == "pobj"):
                found = _grantee_in(s, obj, trig, exclude)
                if found:
                    return found[0]
    return None


# --- sentences and articles -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Claim:
    """A permission read from one trigger, before the article's default grantee fills a gap."""

    parties: tuple[_Party, ...]
    grantees: tuple[Country, ...]  # none: the article's likely grantee
    status: PermissionStatus
    kind: PermissionKind
    recipient: Country | None
    trigger_at: int
    anaphoric: bool
    targets: frozenset[str]  # keys of the countries struck in the trigger's phrase
    grantor_told_before: bool = False  # "The department also approved ...": the last permission's grantor


def _matches(doc: Doc) -> list[tuple[_Family, dict[str, Token]]]:
    """Pattern matches in pattern order; a word taken by an earlier match is not read again."""
    rules = _rules()
    words = _words(doc.text)
    found = [(i, ids) for i, (needed, matcher) in enumerate(_matchers(model_name()))
             if all(words & w for w in needed) for _, ids in sorted(matcher(doc), key=lambda m: m[1][0])]
    taken: set[int] = set()
    triggers: set[int] = set()
    out = []
    for fam_i, ids in found:
        roles = {node["RIGHT_ID"]: doc[i] for node, i in zip(rules.patterns[fam_i][0], ids)}
        trig = roles["trigger"]
        keys = {trig.i} | ({roles["thing"].i} if "thing" in roles else set())
        clause = {t.i for c in trig.children if c.dep_ in ("xcomp", "ccomp") for t in c.subtree}
        # the trigger's clause is read with it: "allowed X to send tanks" is no "send" of its own,
        # and "has not decided whether to allow X" is told by "allow" (its governors decide)
        if keys & taken or clause & triggers:
            continue
        taken |= keys | clause
        triggers.add(trig.i)
        out.append((rules.families[fam_i], roles))
    return out


def _about_itself(s: _Sentence, roles: dict[str, Token], keys: set[str]) -> bool:
    """The pattern's grantee names only the speaker's own country."""
    found = _grantee_in(s, roles.get("grantee"), roles["trigger"], set())
    return bool(found) and all(c.key in keys for c in found)


def _claims(s: _Sentence) -> list[_Claim]:
    out = []
    for fam, roles in _matches(s.doc):
        trig = roles["trigger"]
        if fam.needs and not _names_an_act(s, trig, roles, fam.needs == "weapon"):
            continue
        status = _status(s, fam, roles)
        if status is None:
            continue
        parties = _grantors(s, fam, roles)
        told_before = not parties and _refers_back(_subject_of(trig))
        if not parties and not told_before:
            continue
        keys = {p.country.key for p in parties if p.country}
        if fam.grantor == "speaker" and keys and _about_itself(s, roles, keys):
            continue  # "Peru can strike X, the Peruvian president said": its own means, no one's leave
        kind = _kind(fam, roles)
        if fam.transfer_status and kind != "use" and status == fam.status:
            status = fam.transfer_status  # "bars Peru from selling the jets on": no sale, not a limited one
        grantees = [] if fam.anaphoric else _grantees(s, fam, roles, keys)
        if grantees is None:
            continue  # a grantee that is no country
        thing = roles.get("thing")
        if not grantees and thing is not None and _lower(thing) in _rules().of("incoming_nouns", "vague_transfer_nouns"):
            continue  # "Poland approved the purchase of helicopters": a buyer's own decision
        grantees = grantees or _only_in(s, trig, status, keys)
        parties = _countries_for(s, trig, roles.get("thing"), parties, grantees[0] if grantees else None)
        if fam.grantor != "speaker":
            parties = _announced(s, trig, parties)
        recipient = _recipient(s, roles, keys | {g.key for g in grantees}) if kind == "retransfer" else None
        targets = frozenset(c.key for t in _phrase_right(trig) if _is_target(t, trig) for c in _countries_in(s, [t], False))
        out.append(_Claim(tuple(parties), tuple(grantees), status, kind, recipient, trig.idx, fam.anaphoric, targets,
                          told_before))
    return out


def _refers_back(subject: Token | None) -> bool:
    """"It", "the department": a grantor the story named before."""
    words = _rules().words["told_before"]
    return subject is not None and _lower(subject) in words and \
        (subject.tag_ == "PRP" or any(c.lower_ == "the" for c in subject.children))


def _weapon(sentence: str, at: int) -> tuple[str | None, str | None]:
    """(weapon as written, weapon-system key) — a named system first, else "US weapons"-like phrases."""
    hits = weapons_in(sentence[at:]) or weapons_in(sentence)
    if hits:
        return hits[0].mention, hits[0].key
    rx = _rules().weapon_phrase
    m = rx.search(sentence, at) or rx.search(sentence)
    return (m.group(0).strip(), None) if m else (None, None)


def _scope(sentence: str, at: int, grantee: Country) -> str | None:
    """The scope phrase nearest after the trigger, else the first one before it. The grantee's own
    land is a scope only when use is limited to it ("only in Ukraine", "Ukrainian territory"), not
    in "the ban on Ukraine striking"."""
    def fits(m: re.Match) -> bool:
        named = country_of(m.group("s"))
        return named is None or named.key != grantee.key or "only" in sentence[max(m.start() - 20, 0):m.start()] \
            or m.group("s").endswith(("territory", "soil"))

    found = [m for rx in _rules().scopes for m in rx.finditer(sentence) if fits(m)]
    after = [m for m in found if m.start() >= at]
    if after:
        return min(after, key=lambda m: m.start()).group("s")
    return min(found, key=lambda m: m.start()).group("s") if found else None


def _default_grantees(explicit: list[Country], sentences: Iterable[str]) -> list[Country]:
    """Who the article's permissions are for, most likely first: the explicit grantees, else its
    countries by how often they are named outside phrases of places struck."""
    if explicit:
        return [c for c, _ in Counter(explicit).most_common()]
    lex = load()
    target = re.compile(r"(?:\b(?:in|inside|into|on|against|at|strike|hit|of|targets|deep)\s+(?:the\s+)?)$")
    named = Counter(lex.countries[m.group(0)] for s in sentences for m in lex.country_re.finditer(s)
                    if not target.search(s, 0, m.start()))
    return [c for c, _ in named.most_common()]


def _permissions(sentence: str, claim: _Claim, grantee: Country, when: date | None) -> list[Permission]:
    rules = _rules()
    at = next((i for i in range(claim.trigger_at, -1, -1) if i == 0 or not sentence[i - 1].isalnum()), 0)
    weapon, system = _weapon(sentence, at)
    action = rules.action.search(sentence, at)
    scope = _scope(sentence, at, grantee) if claim.kind == "use" else None
    out = []
    for party in claim.parties:
        # the supplier of "US weapons" is the one who lets them be used
        country = party.country or (country_of(weapon.replace("-", " ")) if weapon else None)
        if country is None and party.person is None:
            continue
        if country and (grantee.key == country.key or country.key in claim.targets):
            continue  # nobody permits itself, nor strikes on itself
        out.append(Permission(
            grantee=grantee, status=claim.status, evidence=sentence, grantor=country,
            grantor_person=party.person, weapon=weapon, weapon_system=system,
            action=action.group(1).strip() if action else None, scope=scope, date=when,
            kind=claim.kind, recipient=claim.recipient))
    return out


def _merge(perms: list[Permission]) -> list[Permission]:
    """One permission per (grantor, grantee, status, kind); later reports fill what earlier ones
    lacked. Reports whose sentences name weapon systems, none in common ("approved the sale of
    Harpoon systems"; "last week it also approved SLAM-ER missiles"), are two decisions."""
    merged: dict[tuple, list[tuple[Permission, set[str]]]] = {}
    for p in perms:
        key = (p.grantor.key if p.grantor else p.grantor_person, p.grantee.key, p.status, p.kind)
        systems = {w.key for w in weapons_in(p.evidence)}
        same = merged.setdefault(key, [])
        at = next((i for i, (_, named) in enumerate(same) if not named or not systems or named & systems), None)
        if at is None:
            same.append((p, systems))
            continue
        old, named = same[at]
        same[at] = (replace(old, **{f: getattr(p, f) for f in
                                    ("grantor_person", "weapon", "weapon_system", "action", "scope", "date",
                                     "recipient")
                                    if getattr(old, f) is None and getattr(p, f) is not None}), named | systems)
    return [p for same in merged.values() for p, _ in same]


def structure_sentences(sentences: tuple[str, ...]) -> list[str]:
    """The sentences of one article whose structure the permission rules read, in order: the
    candidates, and "X followed suit" only when a candidate came just before."""
    told = {i for i, s in enumerate(sentences) if is_candidate(s)}
    if not told:
        return []
    near = range(1, _rules().anaphora_sentences + 1)
    return [s for i, s in enumerate(sentences) if i in told or _follows_up(s) and any(i - k in told for k in near)]


def extract_permissions(sentences: tuple[str, ...], index: PersonIndex, anchor: Anchor | None,
                        parses: Parses | None = None) -> list[Permission]:
    rules = _rules()
    parses = parses if parses is not None else Parses()
    read = structure_sentences(sentences)
    if not read:
        return []
    parses.parse_all(read, structure_only=True)  # no entities needed
    wanted = set(read)
    plan: list[tuple[int, str, list[_Claim], date | None]] = []
    last_date: date | None = None
    last_person: str | None = None
    for i, sentence in enumerate(sentences):
        when = date_in(sentence, anchor) or (last_date if rules.same_day.search(sentence) else None)
        last_date = when or last_date
        if sentence in wanted:
            claims = _claims(_Sentence(sentence, parses.structure(sentence), index, last_person))
            if claims:
                plan.append((i, sentence, claims, when))
        mentions = index.mentions(sentence)
        last_person = mentions[0].key if mentions else last_person
    explicit = [g for _, _, cs, _ in plan for c in cs for g in c.grantees]
    defaults = _default_grantees(explicit, sentences) \
        if any(not c.grantees and not c.anaphoric for _, _, cs, _ in plan for c in cs) else []
    found: list[Permission] = []
    recent: list[tuple[int, Permission]] = []  # (sentence number, permission) for "X followed suit"
    for i, sentence, claims, when in plan:
        for claim in claims:
            if claim.grantor_told_before:
                before = [p for j, p in recent if 0 < i - j <= rules.anaphora_sentences]
                if not before:
                    continue
                claim = replace(claim, parties=(_Party(before[-1].grantor, before[-1].grantor_person),))
            keys = {p.country.key for p in claim.parties if p.country}
            if claim.anaphoric:
                before = [p for j, p in recent if i - j <= rules.anaphora_sentences]
                grantees = [before[-1].grantee] if before else []
            else:
                grantees = list(claim.grantees) or [c for c in defaults if c.key not in keys][:1]
            made = [p for g in grantees for p in _permissions(sentence, claim, g, when)]
            found += made
            recent += [(i, p) for p in made]
    return _merge(found)
