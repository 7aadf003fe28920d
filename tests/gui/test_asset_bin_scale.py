"""The asset bin with hundreds of stills: listed at once with placeholders, thumbnails only for the
tiles in view (a few per event-loop turn), tooltips with the commercial-use verdict (issue 16)."""

from __future__ import annotations

import io

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent

from studio.core.assets import ModelUse, Provenance
from studio.core.project import Project


def _many_stills(folder, n: int = 400):
    import numpy as np
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray((np.random.default_rng(0).random((256, 256, 3)) * 255).astype("uint8")).save(buf, "JPEG")
    with Project.create(folder, "Many") as p:
        for _ in range(n):
            f = p.stage(".jpg")
            f.write_bytes(buf.getvalue())
            p.register(f, "still", Provenance(pipeline="sdxl", models=[
                ModelUse(id="inswapper_128", commercial_use=False, licence="non-commercial")]))
        return p.path


def test_bin_lists_everything_and_decodes_only_what_is_in_view(window, qtbot, tmp_path):
    folder = _many_stills(tmp_path / "projects")
    window.asset_bin.show()
    window.open_project(folder)
    lst = window.asset_bin.list
    assert lst.count() == 400
    assert len(lst._thumbed) == 0  # refresh itself decodes nothing
    qtbot.waitUntil(lambda: len(lst._thumbed) > 0, timeout=5000)
    qtbot.wait(300)
    in_view = len(lst._visible_rows())
    assert 0 < len(lst._thumbed) <= in_view < 400  # the rest waits until scrolled into view
    lst.verticalScrollBar().setValue(lst.verticalScrollBar().maximum())
    qtbot.waitUntil(lambda: lst.item(lst.count() - 1).data(0x0100) in lst._thumbed, timeout=5000)
    # the tooltip, made when asked, says the verdict stored with the asset
    item = lst.item(lst.count() - 1)
    pos = lst.visualItemRect(item).center()
    lst.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, pos, lst.viewport().mapToGlobal(QPoint(pos))))
    assert "commercial use: NOT allowed (inswapper_128)" in item.toolTip()
