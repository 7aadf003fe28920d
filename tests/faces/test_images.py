"""load_image on the files users really have: wrong, empty, CMYK, alpha, huge, rotated."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from pipelines.faces import BadImage, load_image
from studio.core.errors import BadInput


def test_text_file_named_jpg(tmp_path):
    p = tmp_path / "photo.jpg"
    p.write_text("this is not a picture")
    with pytest.raises(BadImage, match="not an image") as e:
        load_image(p)
    assert isinstance(e.value, BadInput) and "JPEG or PNG" in e.value.message


def test_zero_byte_file(tmp_path):
    p = tmp_path / "empty.jpg"
    p.write_bytes(b"")
    with pytest.raises(BadImage, match="empty"):
        load_image(p)


def test_missing_and_truncated(tmp_path, portrait):
    with pytest.raises(BadImage, match="does not exist"):
        load_image(tmp_path / "nope.png")
    good = tmp_path / "good.png"
    Image.fromarray(portrait).save(good)
    bad = tmp_path / "cut.png"
    bad.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(BadImage, match="damaged or truncated"):
        load_image(bad)


def test_cmyk_jpeg(tmp_path, portrait):
    p = tmp_path / "cmyk.jpg"
    Image.fromarray(portrait).convert("CMYK").save(p, quality=95)
    assert Image.open(p).mode == "CMYK"
    arr = load_image(p)
    assert arr.shape == portrait.shape and arr.dtype == np.uint8
    assert np.abs(arr.astype(int) - portrait).mean() < 12


def test_png_with_alpha_composited_on_white(tmp_path):
    rgba = np.zeros((40, 60, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:, :30, 3] = 255  # left half opaque red, right half transparent
    p = tmp_path / "a.png"
    Image.fromarray(rgba, "RGBA").save(p)
    arr = load_image(p)
    assert arr.shape == (40, 60, 3)
    assert tuple(arr[5, 5]) == (200, 0, 0) and tuple(arr[5, 50]) == (255, 255, 255)


def test_16bit_and_grey(tmp_path):
    g16 = (np.linspace(0, 65535, 64 * 32).reshape(32, 64)).astype(np.uint16)
    p = tmp_path / "g16.png"
    Image.fromarray(g16).save(p)
    arr = load_image(p)
    assert arr.shape == (32, 64, 3)
    assert (
        arr[0, 0, 0] == 0 and arr[-1, -1, 0] == 255 and 100 < arr[16, 0, 0] < 160
    )  # scaled, not clipped


def test_exif_rotated_photo_is_upright(tmp_path, portrait, dlib_analyzer):
    # Store the portrait rotated on its side with EXIF orientation 6 ("rotate 90° CW to view").
    sideways = Image.fromarray(portrait).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    p = tmp_path / "phone.jpg"
    sideways.save(p, exif=exif.tobytes(), quality=95)
    raw = np.asarray(Image.open(p).convert("RGB"))
    assert dlib_analyzer.detect(raw) == []  # sideways, HOG finds nothing
    arr = load_image(p)
    faces = dlib_analyzer.detect(arr)
    assert len(faces) == 1
    le, re, nose = faces[0].kps5[:3]
    assert le[1] < nose[1] and re[1] < nose[1]  # upright: eyes above the nose


def test_40_megapixel_photo_decodes_bounded(tmp_path):
    p = tmp_path / "huge.jpg"
    big = Image.new("RGB", (10000, 4000), (120, 90, 60))
    big.paste((200, 10, 10), (4000, 1000, 6000, 3000))
    big.save(p, quality=80)
    del big
    code = textwrap.dedent(f"""
        import resource, sys
        sys.path.insert(0, {str(__import__("pathlib").Path(__file__).resolve().parents[2])!r})
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        from pipelines.faces.images import load_image
        import numpy as np
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        arr = load_image({str(p)!r})
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(arr.shape[0], arr.shape[1], (peak - base) // 1024, arr[arr.shape[0] // 2, arr.shape[1] // 2, 0])
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    h, w, grown_mb, red = (int(x) for x in res.stdout.split())
    assert (h, w) == (1638, 4096)  # DCT-scaled to 5000 px at decode, then resized
    assert grown_mb < 100, f"decoding took {grown_mb} MB (a full decode needs > 280 MB)"
    assert red > 150


def test_hard_cap(tmp_path, monkeypatch):
    import pipelines.faces.images as images

    p = tmp_path / "big.png"
    Image.new("RGB", (3000, 2000)).save(p)
    monkeypatch.setattr(images, "HARD_PIXEL_CAP", 5_000_000)
    with pytest.raises(BadImage, match="megapixels"):
        load_image(p)
