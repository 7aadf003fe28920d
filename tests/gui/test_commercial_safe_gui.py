"""The commercial-safe switch in the window: the persona card's checkbox saves it, and the pickers
grey out what its jobs would refuse, with the reason in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt

from studio.core.paths import resources_dir
from studio.core.project import Project
from studio.gui.licence_gate import NOT_SAFE


def test_the_switch_greys_non_commercial_choices_with_the_reason(window, persona_project):
    window.open_project(persona_project)
    lib = window.panel("library")
    card = lib.card
    assert card.commercial_safe.isEnabled() and not card.commercial_safe.isChecked()
    voice = window.panel("voice")
    amy = voice.voice.findData("piper-en_US-amy-medium")
    assert amy >= 0 and voice.voice.model().item(amy).isEnabled()
    tools = window.panel("faces").tools
    assert tools.swap_button.isEnabled()

    card.commercial_safe.setChecked(True)  # the user's click
    assert window.session.project.persona.commercial_safe is True
    with Project.open(persona_project, read_only=True) as p:  # saved with the persona
        assert p.persona.commercial_safe is True

    voice.refresh()
    amy = voice.voice.findData("piper-en_US-amy-medium")
    item = voice.voice.model().item(amy)
    assert not item.isEnabled() and item.text().endswith(NOT_SAFE)
    tip = voice.voice.itemData(amy, Qt.ItemDataRole.ToolTipRole)
    assert "non-commercial" in tip and "'Mara' is set to commercial-safe" in tip
    joe = voice.voice.findData("piper-en_US-joe-medium")
    assert voice.voice.model().item(joe).isEnabled()  # CC0 voice: commercial use allowed

    assert not tools.swap_button.isEnabled() and "buffalo_l-rec is non-commercial" in tools.swap_button.toolTip()
    assert tools.swap(resources_dir() / "demo" / "portrait.jpg") is None  # refused, no job

    stills = window.panel("stills")
    stills.refresh()
    combo = stills.checkpoint
    browse = [i for i in range(combo.count()) if str(combo.itemData(i)).startswith("\x00browse")]
    assert browse and all(not combo.model().item(i).isEnabled() for i in browse)
    assert "licence is not known" in combo.itemData(browse[0], Qt.ItemDataRole.ToolTipRole)
    sdxl = combo.findData("sdxl-base-1.0")
    assert combo.model().item(sdxl).isEnabled()  # OpenRAIL++-M: commercial use allowed

    card.commercial_safe.setChecked(False)
    voice.refresh()
    assert voice.voice.model().item(voice.voice.findData("piper-en_US-amy-medium")).isEnabled()
    assert tools.swap_button.isEnabled()
