"""Edit a still: brush a mask for inpainting, or pick the aspect to outpaint to."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from .widgets import button, label

VIEW = 560
ASPECTS = ("9:16", "4:5", "1:1", "16:9")


class MaskCanvas(QWidget):
    """Shows a still; dragging the left mouse button paints white into a mask of the still's
    full size (image pixels, not screen pixels, so the mask fits the still exactly)."""

    def __init__(self, image_path: str | Path, view: int = VIEW, parent: QWidget | None = None):
        super().__init__(parent)
        reader = QImageReader(str(image_path))
        reader.setAutoTransform(True)
        self.image = reader.read().convertToFormat(QImage.Format.Format_RGB32)
        self.mask = QImage(self.image.size(), QImage.Format.Format_Grayscale8)
        self.mask.fill(0)
        w, h = max(self.image.width(), 1), max(self.image.height(), 1)
        self.scale = min(view / w, view / h)
        self.view_size = (max(int(w * self.scale), 1), max(int(h * self.scale), 1))
        self.shown = QPixmap.fromImage(self.image.scaled(*self.view_size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                                         Qt.TransformationMode.SmoothTransformation))
        self.setFixedSize(*self.view_size)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.brush = max(4, min(w, h) // 12)  # image pixels
        self._last: QPointF | None = None

    # -- painting the mask
    def to_image(self, pos: QPointF | QPoint) -> QPointF:
        return QPointF(pos.x() / self.scale, pos.y() / self.scale)

    def _stroke(self, a: QPointF, b: QPointF) -> None:
        p = QPainter(self.mask)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(255, 255, 255), self.brush, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        if a == b:
            p.drawPoint(a)
        else:
            p.drawLine(a, b)
        p.end()
        self.update()

    def mousePressEvent(self, e) -> None:  # noqa: N802, ANN001
        if e.button() == Qt.MouseButton.LeftButton:
            self._last = self.to_image(e.position())
            self._stroke(self._last, self._last)

    def mouseMoveEvent(self, e) -> None:  # noqa: N802, ANN001
        if self._last is not None and e.buttons() & Qt.MouseButton.LeftButton:
            here = self.to_image(e.position())
            self._stroke(self._last, here)
            self._last = here

    def mouseReleaseEvent(self, _e) -> None:  # noqa: N802, ANN001
        self._last = None

    def clear(self) -> None:
        self.mask.fill(0)
        self.update()

    def painted(self) -> int:
        """How many mask pixels are set (the dialog refuses an empty mask)."""
        return int(np.count_nonzero(self.mask_array()))

    def mask_array(self) -> np.ndarray:
        """The mask as a (H, W) uint8 array (0 or 255 where painted; soft at stroke edges)."""
        m = self.mask
        rows = np.frombuffer(m.constBits(), np.uint8, m.bytesPerLine() * m.height())
        return rows.reshape(m.height(), m.bytesPerLine())[:, : m.width()].copy()

    def save_mask(self, path: str | Path) -> Path:
        """Write the mask as a PNG (white = repaint), the format `studio inpaint --mask` reads."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not self.mask.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        return path

    def paintEvent(self, _e) -> None:  # noqa: N802, ANN001
        p = QPainter(self)
        p.drawPixmap(0, 0, self.shown)
        # the mask as a translucent red overlay
        overlay = QImage(self.mask.size(), QImage.Format.Format_ARGB32)
        overlay.fill(QColor(239, 107, 107))
        overlay.setAlphaChannel(self.mask)
        p.setOpacity(0.55)
        p.drawImage(QRect(0, 0, *self.view_size), overlay)
        p.end()


class InpaintDialog(QDialog):
    """Brush over what to repaint, say what should be there, then Inpaint."""

    def __init__(self, image_path: str | Path, default_prompt: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Inpaint: brush over what to repaint")
        lay = QVBoxLayout(self)
        lay.addWidget(label("Paint with the left mouse button over the part to change (shown in red). "
                            "Everything else stays exactly as it is.", "muted", wrap=True))
        self.canvas = MaskCanvas(image_path)
        lay.addWidget(self.canvas, 0, Qt.AlignmentFlag.AlignHCenter)
        tools = QHBoxLayout()
        tools.addWidget(label("Brush"))
        self.brush = QSlider(Qt.Orientation.Horizontal)
        longest = max(self.canvas.image.width(), self.canvas.image.height(), 8)
        self.brush.setRange(2, max(4, longest // 4))
        self.brush.setValue(self.canvas.brush)
        self.brush.valueChanged.connect(self._set_brush)
        tools.addWidget(self.brush, 1)
        self.brush_label = label(f"{self.canvas.brush} px", "muted")
        tools.addWidget(self.brush_label)
        clear = button("Clear")
        clear.clicked.connect(self.canvas.clear)
        tools.addWidget(clear)
        lay.addLayout(tools)
        form = QFormLayout()
        self.prompt = QLineEdit(default_prompt)
        self.prompt.setPlaceholderText("What should be there, e.g. 'a red scarf'")
        form.addRow("Prompt", self.prompt)
        lay.addLayout(form)
        self.error = label("", "badge-bad")
        lay.addWidget(self.error)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = box.addButton("Inpaint", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setProperty("role", "primary")
        box.accepted.connect(self._accept)
        box.rejected.connect(self.reject)
        lay.addWidget(box)

    def _set_brush(self, v: int) -> None:
        self.canvas.brush = v
        self.brush_label.setText(f"{v} px")

    def _accept(self) -> None:
        if self.canvas.mask.isNull() or not self.canvas.painted():
            self.error.setText("Paint over the part to repaint first.")
            return
        self.accept()


class OutpaintDialog(QDialog):
    """Pick the aspect to extend a still to."""

    def __init__(self, current: tuple[int, int], default_prompt: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Outpaint: extend the still")
        form = QFormLayout(self)
        w, h = current
        form.addRow(label(f"The still is {w}×{h}. Its pixels are kept; new areas are painted around it.",
                          "muted", wrap=True))
        self.aspect = QComboBox()
        ratio = w / h if h else 1.0
        for a in ASPECTS:
            x, y = (int(v) for v in a.split(":"))
            if abs(x / y - ratio) > 0.01:  # the still's own aspect has nothing to add
                self.aspect.addItem(a, a)
        form.addRow("Extend to", self.aspect)
        self.prompt = QLineEdit(default_prompt)
        self.prompt.setPlaceholderText("What the new area shows (defaults to the still's prompt)")
        form.addRow("Prompt", self.prompt)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        ok = box.addButton("Outpaint", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setProperty("role", "primary")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)
