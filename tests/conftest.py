"""Shared fixtures: the sample articles, fresh stores, and one real Prefect test server."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "examples" / "articles"


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the samples that a test may add bad files to."""
    dest = tmp_path / "articles"
    shutil.copytree(SAMPLES, dest)
    return dest


@pytest.fixture(scope="session")
def prefect_harness():
    """A real Prefect API (temporary server) for the whole session: flows really run."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def small_extraction():
    """A hand-made Extraction with one of each fact (invented people)."""
    from datetime import date

    from etl.records import Article, Country, Extraction, Meeting, Permission, Person, WeaponSystem

    art = Article(id="t001", source="t001.txt", text="...", sha256="0" * 64, title="Ministers meet",
                  publisher="Example Times", published=date(2024, 3, 8))
    ruritania = Country("ruritania", "Ruritania")
    elbonia = Country("elbonia", "Elbonia", "Q999999999")
    return Extraction(
        art,
        persons=[
            Person("m-varga", "Marta Varga", "Foreign Minister Marta Varga met Olek Brandt.", ("Varga",),
                   ("Foreign Minister",), ruritania),
            Person("o-brandt", "Olek Brandt", "Foreign Minister Marta Varga met Olek Brandt.", (), (), elbonia),
        ],
        meetings=[Meeting(("m-varga", "o-brandt"), "held", "Foreign Minister Marta Varga met Olek Brandt.",
                          date(2024, 3, 8), "Geneva", ("border security",))],
        weapons=[WeaponSystem("mim-104-patriot", "MIM-104 Patriot", "Two Patriots were sent.", ("Patriots",),
                              "surface-to-air missile system", "Q174968")],
        permissions=[Permission(elbonia, "granted", "Ruritania allowed Elbonia to use its Patriots.",
                                grantor=ruritania, grantor_person="m-varga", weapon="Patriots",
                                weapon_system="mim-104-patriot", action="use", scope="border region",
                                date=date(2024, 3, 7))],
    )
