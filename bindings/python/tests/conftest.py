"""Tests of the Python package: real runs on the virtual bench (CTest sets PYTHONPATH to the
build's python/ directory and HIL_SOURCE_DIR; by hand:
    PYTHONPATH=build/python HIL_SOURCE_DIR=. /usr/bin/python3 -m pytest bindings/python/tests
"""
import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("HIL_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[3]))
SCENARIOS = SOURCE_DIR / "scenarios"


@pytest.fixture(autouse=True)
def _in_source_dir(monkeypatch):
    # Scenario files name each other relative to the tree; runs go to tmp dirs given explicitly.
    monkeypatch.chdir(SOURCE_DIR)
