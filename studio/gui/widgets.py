"""Small shared widgets: labels with a theme role, an empty-state message, a flow of tiles, a gallery
of tiles that explains itself when empty, the card a page's form sits on."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class WrapLabel(QLabel):
    """A word-wrapped label that asks for the height its lines need at its width. Layouts give a
    wrapped QLabel only its one-line minimum when space is short, cutting the last lines off (a
    banner's last line, an empty state's, a verdict on an export tile); with this the page scrolls
    instead (see PageHolder)."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        # Qt's height-for-width can ask for a line more than it draws: keep the text at the top
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def _fit(self) -> None:
        if self.width() <= 0:
            return
        m = self.contentsMargins()
        width = self.width() - m.left() - m.right() - 2 * self.margin()
        # the lines plain text takes (QLabel's own height-for-width adds the text document's margins
        # when the text is selectable, a line's worth too much)
        need = (self.fontMetrics().boundingRect(QRect(0, 0, max(width, 1), 100000),
                                                int(Qt.TextFlag.TextWordWrap), self.text()).height()
                + m.top() + m.bottom() + 2 * self.margin()) if self.text() else 0
        if need != self.minimumHeight():
            self.setMinimumHeight(need)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        self._fit()


def label(text: str, role: str = "", wrap: bool = False) -> QLabel:
    """A QLabel styled by the theme role ('title', 'heading', 'muted', 'empty', 'badge-good'...)."""
    w = WrapLabel(text) if wrap else QLabel(text)
    if role:
        w.setProperty("role", role)
    return w


class ElidedLabel(QLabel):
    """One line of text cut with "…" to the width it is given (the whole text in its tooltip):
    a long job title must not push the buttons beside it out of a narrow dock."""

    def __init__(self, text: str = "", role: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        if role:
            self.setProperty("role", role)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.full_text = ""
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, max(self.width(), 40))
        super().setText(shown)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        self._elide()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance(self.full_text) + 4, super().sizeHint().height())


def set_role(widget: QWidget, role: str) -> None:
    """Change a widget's theme role and re-polish it so the style follows (nothing when it already
    has that role: the jobs dock sets every row's roles each second, and re-polishing is costly)."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def button(text: str, role: str = "", icon=None, tip: str = "") -> QPushButton:
    b = QPushButton(text)
    if role:
        b.setProperty("role", role)
    if icon is not None:
        b.setIcon(icon)
    if tip:
        b.setToolTip(tip)
    return b


class _FormScroll(QScrollArea):
    """A scroll area that asks for its form's whole height (QScrollArea caps its hint at 24 lines),
    so a footer under it sits right below the form when there is room."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        w = self.widget()
        hint = super().sizeHint()
        return QSize(hint.width(), w.sizeHint().height() + 2 * self.frameWidth()) if w is not None else hint


def scrolling(widget: QWidget) -> QScrollArea:
    """`widget` (of fixed width) in a frameless vertical scroll area: a form keeps its natural
    height and scrolls when the window is short, instead of squashing its rows."""
    # Minimum, not Preferred: a resizable scroll area shrinks a shrinkable widget to the viewport,
    # squeezing each row below its size hint until some later re-layout lets them grow again
    widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)
    scroll = _FormScroll()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFixedWidth(widget.width() + 12)
    return scroll


class EmptyState(QWidget):
    """A centred explanation of what to do when there is nothing to show yet."""

    def __init__(self, text: str, action: QPushButton | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        # a plain wrapped label: an empty state may be cut in a very short window, but must not make
        # the page taller (that scrolled the page's run button out of sight)
        self.text = QLabel(text)
        self.text.setProperty("role", "empty")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.text)
        if action is not None:
            lay.addWidget(action, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)


def form_card(heading: str, width: int) -> tuple[QFrame, QVBoxLayout]:
    """The fixed-width card a page's form sits on, with its heading; (card, its column) — pass the
    card to form_with_footer() (or scrolling()) once filled."""
    box = QFrame()
    box.setProperty("role", "card")
    box.setFixedWidth(width)
    col = QVBoxLayout(box)
    col.setContentsMargins(14, 12, 14, 12)
    col.addWidget(label(heading, "heading"))
    return box, col


def form_with_footer(card: QFrame, action: QPushButton) -> tuple[QWidget, QLabel]:
    """A page's form card scrolling above a footer that never scrolls: the run button (and the
    status line under it) stay in sight however short the window is — at 1280x720 with the timeline
    dock open, a button at the end of the card was below the fold. Returns (column, status)."""
    column = QWidget()
    lay = QVBoxLayout(column)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(6)
    lay.addWidget(scrolling(card))  # as tall as the form, less (scrolling) when the window is short
    foot = QFrame()
    foot.setProperty("role", "card")
    foot.setFixedWidth(card.width())
    foot_lay = QVBoxLayout(foot)
    foot_lay.setContentsMargins(14, 8, 14, 8)
    foot_lay.addWidget(action)
    status = label("", "muted", wrap=True)
    foot_lay.addWidget(status)
    lay.addWidget(foot)
    lay.addStretch(1)
    column.setFixedWidth(card.width() + 12)
    return column, status


class TileGallery(QWidget):
    """Tiles flowing in a scroll area, or an EmptyState saying what to do when there are none."""

    def __init__(self, empty_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.host = QWidget()
        self.flow = FlowLayout(self.host)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.host)
        lay.addWidget(self.scroll, 1)
        self.empty = EmptyState(empty_text)
        lay.addWidget(self.empty, 1)

    def set_tiles(self, tiles: list[QWidget]) -> None:
        """Replace the tiles (the old ones are deleted) and show the empty state when there are none."""
        self.flow.clear()
        for t in tiles:
            self.flow.addWidget(t)
        self.scroll.setVisible(bool(tiles))
        self.empty.setVisible(not tiles)

    def tiles(self) -> list[QWidget]:
        return [self.flow.itemAt(i).widget() for i in range(self.flow.count())]


class FlowLayout(QLayout):
    """Lays tiles out left to right, wrapping to the next row (Qt's classic flow layout)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 10):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt API
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, i: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._layout(QRect(0, 0, width, 0), dry=True)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._layout(rect, dry=False)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def clear(self) -> None:
        while self._items:
            item = self._items.pop()
            if item.widget() is not None:
                item.widget().deleteLater()

    def _layout(self, rect: QRect, dry: bool) -> int:
        m = self.contentsMargins()
        r = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, row_h = r.x(), r.y(), 0
        gap = self.spacing()
        for item in self._items:
            hint = item.sizeHint()
            if item.hasHeightForWidth():  # a tile's wrapped labels need more than its size hint says
                hint.setHeight(max(hint.height(), item.heightForWidth(hint.width())))
            if x + hint.width() > r.right() and row_h > 0:
                x, y, row_h = r.x(), y + row_h + gap, 0
            if not dry:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            row_h = max(row_h, hint.height())
        return y + row_h - rect.y() + m.bottom()


class PageHolder(QScrollArea):
    """Holds a page of the window at the holder's size, but never below the page's minimum size:
    then it scrolls instead (a page taller than a 1280x720 window leaves it beside the timeline
    must not push the timeline dock below its lanes). Unlike a resizable QScrollArea it does not
    size the page by height-for-width, which grows a page with wrapped labels to its preferred
    height and scrolls even when everything fits."""

    def __init__(self, page: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidget(page)
        self.setWidgetResizable(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        page.installEventFilter(self)

    def fit(self) -> None:
        page = self.widget()
        need = page.minimumSizeHint().expandedTo(page.minimumSize())
        size = self.viewport().size()
        # a scroll bar in one direction takes room from the other
        if need.width() > self.width():
            size.setHeight(self.height() - self.horizontalScrollBar().sizeHint().height())
        if need.height() > self.height():
            size.setWidth(self.width() - self.verticalScrollBar().sizeHint().width())
        if need.width() <= self.width() and need.height() <= self.height():
            size = self.size()
        page.resize(max(size.width(), need.width()), max(size.height(), need.height()))

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        self.fit()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802, ANN001
        if obj is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.fit()
        return False
