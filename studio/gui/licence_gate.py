"""The commercial-safe switch in the window: pickers grey out what the persona's policy refuses.

The job itself refuses such a model (studio/core/licence_policy.py, through the JobContext's
store); this only shows it before the user asks: the choice is disabled and its tooltip says why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from studio.core.licence_policy import policy_for
from studio.core.models import ModelStore

#: what a greyed choice's label ends with
NOT_SAFE = " — not commercial-safe"


def persona_store(store: ModelStore, project: Any) -> ModelStore:
    """`store` as the open persona's jobs see it (restricted when it is set to commercial-safe)."""
    return store.restricted(policy_for(project.persona)) if project is not None else store


def grey_out(combo: QComboBox, index: int, reason: str) -> None:
    """Disable one choice of a combo box, saying why in its label and tooltip."""
    item = combo.model().item(index)  # type: ignore[attr-defined] - a QStandardItemModel
    if item is None:
        return
    item.setEnabled(False)
    if not item.text().endswith(NOT_SAFE):
        item.setText(item.text() + NOT_SAFE)
    combo.setItemData(index, reason[:1].upper() + reason[1:] + ".", Qt.ItemDataRole.ToolTipRole)


def grey_refused(combo: QComboBox, store: ModelStore, model_of: dict[Any, str] | None = None) -> int:
    """Grey out every choice whose model the restricted `store` refuses; `model_of` maps a choice's
    data to its catalogue id (default: the data is the id). Returns how many were greyed."""
    n = 0
    if store.policy is None:
        return 0
    ids = {e.id for e in store.entries()}
    for i in range(combo.count()):
        data = combo.itemData(i)
        mid = (model_of or {}).get(data, data)
        if isinstance(mid, str) and mid in ids:
            reason = store.refusal_reason(mid)
            if reason:
                grey_out(combo, i, reason)
                n += 1
    return n
