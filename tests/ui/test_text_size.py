"""The text-size preference scales the application font from the platform default,
at once when Preferences are saved, is remembered, and still lets the window fit a
1366 by 768 screen at 130 %."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel

from scrutiny_desktop import paths
from scrutiny_desktop.settings import TEXT_SIZES, Settings, load_settings, save_settings
from scrutiny_desktop.ui import app as app_module
from scrutiny_desktop.ui.text_size import apply_text_size, remember_default_font, scaled_font
from tests.ui.helpers import find, run_modal
from tests.ui.test_screen_fit import assert_fits, settle


@pytest.fixture
def restore_font(qapp):
    """Put the application font back as it was after the test."""
    original = qapp.font()
    remember_default_font()
    yield
    qapp.setFont(original)


def size_of(font) -> float:
    return font.pointSizeF() if font.pointSizeF() > 0 else float(font.pixelSize())


def test_sizes_scale_from_the_platform_default_without_compounding(qapp, restore_font):
    base = size_of(remember_default_font())
    assert size_of(apply_text_size(130)) == pytest.approx(base * 1.3)
    assert size_of(qapp.font()) == pytest.approx(base * 1.3)
    assert size_of(apply_text_size(150)) == pytest.approx(base * 1.5)
    assert size_of(apply_text_size(100)) == pytest.approx(base)
    assert qapp.font().family() == remember_default_font().family()
    with pytest.raises(ValueError, match="not one of"):
        apply_text_size(120)


def test_choosing_130_in_preferences_enlarges_the_text_at_once_and_is_saved(
        make_window, qtbot, qapp, restore_font):
    window = make_window(settings=Settings())
    label = QLabel("Findings", window)  # a widget already on screen follows the change
    before = size_of(label.font())
    base = size_of(remember_default_font())

    def fill(dialog):
        combo = find(dialog, "Text size", QComboBox)
        assert combo.currentData() == 100
        assert [combo.itemData(i) for i in range(combo.count())] == list(TEXT_SIZES)
        combo.setCurrentIndex(combo.findData(130))
        qtbot.mouseClick(find(dialog, "Save preferences", QAbstractButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, window.preferences, fill)
    assert window.saved_store["settings"].text_size == 130
    assert size_of(qapp.font()) == pytest.approx(base * 1.3)
    qtbot.waitUntil(lambda: size_of(label.font()) > before)


def test_the_saved_size_is_applied_at_start_up(qtbot, qapp, restore_font):
    save_settings(Settings(text_size=115))
    assert json.loads(paths.settings_file().read_text(encoding="utf-8"))["text_size"] == 115
    assert load_settings().text_size == 115
    window = app_module.create_main_window()
    qtbot.addWidget(window)
    assert qapp.font() == scaled_font(115)
    assert size_of(qapp.font()) > size_of(remember_default_font())


def test_an_unknown_size_is_refused():
    with pytest.raises(ValidationError):
        Settings(text_size=120)
    assert Settings().text_size == 100


def test_at_130_percent_the_question_page_still_fits_1366_by_768(make_window, qtbot, new_doc_path,
                                                                  restore_font):
    apply_text_size(130)
    size = QSize(1366, 768)
    window = make_window()
    window.resize(size)
    assert window.open_path(new_doc_path)
    settle(qtbot)
    page = window.assessment.page
    assert_fits(window, size, "question page at 130 %", page.previous_button, page.next_button)
