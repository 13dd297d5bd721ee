"""The window fits common laptop screens: at 1366 by 768, at 1280 by 720 and at 150 %
on 1920 by 1080 (simulated by a font 1.5 times larger in a 1280 by 720 window), every
page keeps its primary actions and the status bar inside the window, and the
window opens on-screen and no larger than the screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QWidget

from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.settings import AppState, Settings
from scrutiny_desktop.ui import main_window as mw
from scrutiny_desktop.ui.main_window import MainWindow
from tests.helpers import make_document, make_signed

SIZES = [
    pytest.param(QSize(1366, 768), 1.0, id="1366x768"),
    pytest.param(QSize(1280, 720), 1.0, id="1280x720"),
    pytest.param(QSize(1280, 720), 1.5, id="150%-on-1920x1080"),
]

LONG = ("The scrutiny arrangements are set out in the published arrangements and in the "
        "scrutineer's terms of reference. ") * 30


@pytest.fixture
def font_scale(qapp):
    """``font_scale(1.5)``: the application font that much larger, for this test only."""
    original = qapp.font()

    def scale(factor: float) -> None:
        font = qapp.font()
        font.setPointSizeF(font.pointSizeF() * factor)
        qapp.setFont(font)

    yield scale
    qapp.setFont(original)


def settle(qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(10)


def assert_fits(window: MainWindow, size: QSize, page: str, *widgets: QWidget) -> None:
    assert window.width() <= size.width() and window.height() <= size.height(), \
        f"{page}: the window is {window.size()}, larger than {size}"
    area = window.rect()
    for widget in (*widgets, window.statusBar()):
        label = widget.accessibleName() or type(widget).__name__
        assert widget.isVisible(), f"{page}: {label} is not visible"
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        assert area.contains(rect), f"{page}: {label} at {rect} is outside the window {area}"


@pytest.mark.parametrize(("size", "scale"), SIZES)
def test_every_page_keeps_its_actions_and_the_status_bar_in_view(
        make_window, qtbot, tmp_path, new_doc_path, font_scale, size, scale):
    font_scale(scale)
    with assessments.open_assessment(new_doc_path) as doc:
        first = assessments.question_ids(doc)[0]
        answers.set_judgement(doc, first, "reasonable")
        answers.set_findings(doc, first, LONG)
    signed = make_document(tmp_path / "signed" / "signed.scrutiny")
    make_signed(signed)

    window = make_window(state=AppState(recent=[str(new_doc_path), str(signed)],
                                        library_folders=[str(tmp_path)]))
    window.resize(size)
    settle(qtbot)
    home = window.home
    assert_fits(window, size, "home", home.new_button, home.open_button, home.library_button)

    assert window.open_path(new_doc_path)
    settle(qtbot)
    page = window.assessment.page
    assert_fits(window, size, "question page", page.previous_button, page.next_button)

    window.show_summary()
    settle(qtbot)
    assert window.stack.currentWidget() is window.summary_page
    assert_fits(window, size, "summary page", window.summary_page.back, window.summary_page.ready_button)

    window.show_ready()
    settle(qtbot)
    assert window.stack.currentWidget() is window.ready
    assert_fits(window, size, "ready to sign off", window.ready.back, window.ready.sign)

    window.library_actions.window.resize(size)
    window.library_actions.show_library()
    qtbot.waitUntil(lambda: window.library.table.model().rowCount() == 2, timeout=5000)
    settle(qtbot)
    library = window.library
    library_window = window.library_actions.window
    for widget in (library.add_button, library.refresh_button, library.open_button):
        rect = QRect(widget.mapTo(library_window, QPoint(0, 0)), widget.size())
        assert widget.isVisible() and library_window.rect().contains(rect), \
            f"library: {widget.accessibleName()} at {rect} is outside {library_window.rect()}"
    library_window.close()

    window.user_settings.scrutineer_name = window.settings.scrutineer_name = "Chris Chair"
    assert window.open_path(signed)
    settle(qtbot)
    assert_fits(window, size, "chair's question page", page.previous_button, page.next_button)
    window.show_review()
    settle(qtbot)
    assert window.stack.currentWidget() is window.review_page
    assert_fits(window, size, "partnership response", window.review_page.back,
                window.review_page.countersign)
    window.close()


# -- where the window opens ----------------------------------------------------------------

def pretend_screen(monkeypatch, area: QRect) -> None:
    monkeypatch.setattr(mw, "available_area", lambda near=None: QRect(area))


def fresh_window(qtbot, state: AppState | None = None) -> MainWindow:
    window = MainWindow(Settings(), state or AppState())
    qtbot.addWidget(window)
    return window


def remembered(qtbot, rect: QRect) -> AppState:
    """App state remembering a window with this geometry (as closing it saves it)."""
    window = fresh_window(qtbot)
    window.setGeometry(rect)
    return AppState(window_geometry=bytes(window.saveGeometry().toBase64().data()).decode())


@pytest.mark.parametrize("area", [QRect(0, 0, 1366, 728), QRect(0, 0, 1280, 680)])
def test_first_start_on_a_laptop_screen_is_maximised(qtbot, monkeypatch, area):
    pretend_screen(monkeypatch, area)
    window = fresh_window(qtbot)
    window.place_on_screen()
    assert window.windowState() & Qt.WindowState.WindowMaximized
    assert area.contains(window.geometry())  # the size it takes when un-maximised


def test_first_start_on_a_large_screen_is_centred_and_fits(qtbot, monkeypatch):
    area = QRect(0, 0, 2560, 1400)
    pretend_screen(monkeypatch, area)
    window = fresh_window(qtbot)
    window.place_on_screen()
    assert not window.windowState() & Qt.WindowState.WindowMaximized
    geometry = window.geometry()
    assert area.contains(geometry)
    assert geometry.width() == round(2560 * 0.85) and geometry.height() == round(1400 * 0.85)
    assert abs(geometry.center().x() - area.center().x()) <= 2


def test_first_start_on_a_mid_sized_screen_keeps_at_least_the_default_size(qtbot, monkeypatch):
    area = QRect(0, 0, 1600, 860)
    pretend_screen(monkeypatch, area)
    window = fresh_window(qtbot)
    window.place_on_screen()
    assert not window.windowState() & Qt.WindowState.WindowMaximized
    assert area.contains(window.geometry())
    assert window.width() >= mw.DEFAULT_SIZE.width() and window.height() >= mw.DEFAULT_SIZE.height()


def test_a_window_remembered_on_a_big_monitor_opens_maximised_on_a_laptop(qtbot, monkeypatch):
    state = remembered(qtbot, QRect(2600, 300, 2400, 1350))
    area = QRect(0, 0, 1366, 728)
    pretend_screen(monkeypatch, area)
    window = fresh_window(qtbot, state)
    window.place_on_screen()
    assert window.windowState() & Qt.WindowState.WindowMaximized
    assert area.contains(window.geometry())


def test_a_remembered_window_off_the_current_screen_is_moved_onto_it(qtbot, monkeypatch):
    state = remembered(qtbot, QRect(10, 40, 600, 400))
    area = QRect(1920, 0, 2560, 1400)  # the only screen now is to the right
    pretend_screen(monkeypatch, area)
    window = fresh_window(qtbot, state)
    window.place_on_screen()
    assert not window.windowState() & Qt.WindowState.WindowMaximized
    assert area.contains(window.geometry())
    assert window.size() == QSize(600, 400)


def test_clamping_shrinks_and_moves_a_rectangle_into_the_area():
    area = QRect(0, 0, 1366, 728)
    rect = mw.clamped(QRect(2600, -300, 2400, 1350), area)
    assert area.contains(rect)
    assert rect.width() <= 1366 and rect.height() <= 728
    assert mw.clamped(QRect(100, 100, 800, 500), area) == QRect(100, 100, 800, 500)
