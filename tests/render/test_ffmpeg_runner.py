"""The ffmpeg runner and probe: closed pipes, and a one-line bad-input error for unreadable files."""

from __future__ import annotations

import gc
import warnings

import pytest

from studio.core.errors import BadInput
from studio.render.ffmpeg import probe, run_ffmpeg


def test_run_ffmpeg_closes_its_pipes():
    """Each run used to leave its stdout/stderr pipes open until garbage collection."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_ffmpeg(["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "0.1", "-f", "null", "-"])
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_probe_of_a_non_media_file_is_bad_input_in_words(tmp_path):
    """`studio verify notes.txt` used to exit 1 with a Python list in the message."""
    f = tmp_path / "notes.mp4"
    f.write_text("not a video")
    with pytest.raises(BadInput) as e:
        probe(f)
    msg = e.value.message
    assert "notes.mp4" in msg and "['" not in msg and "\n" not in msg and "export it again" in msg
