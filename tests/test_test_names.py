"""Test files live in folders without __init__.py, so pytest imports them by basename: two files with
one name (tests/core/test_storyboard.py and tests/gui/test_storyboard.py) stop the whole run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def test_every_test_file_name_is_unique():
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    assert not [n for n, c in names.items() if c > 1]
