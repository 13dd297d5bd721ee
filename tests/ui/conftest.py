"""Fixtures for driving the real window the way a keyboard or screen-reader
user would (the helpers that find controls by accessible name and fill in
modal dialogs are in tests/ui/helpers.py)."""

from __future__ import annotations

import pytest

from scrutiny_desktop.settings import AppState, Settings
from scrutiny_desktop.ui.main_window import MainWindow


class Recorder:
    """Stands in for the window's prompts and records what they were asked."""

    def __init__(self, confirm_answer: bool = True):
        self.errors: list[tuple[str, str]] = []
        self.infos: list[tuple[str, str]] = []
        self.markings: list[str] = []
        self.confirms: list[tuple[str, str]] = []
        self.confirm_answer = confirm_answer
        self.opened: list = []


@pytest.fixture
def make_window(qtbot, monkeypatch):
    """Build a MainWindow with a short autosave delay and recorded prompts."""
    saved = {"settings": None, "state": None}

    def build(settings: Settings | None = None, state: AppState | None = None,
              delay_ms: int = 50, retry_ms: int = 100):
        settings = settings or Settings(scrutineer_name="Ann Jones",
                                        scrutineer_role="Independent scrutineer")
        state = state or AppState()
        window = MainWindow(settings, state, autosave_delay_ms=delay_ms, autosave_retry_ms=retry_ms,
                            save_settings=lambda s: saved.__setitem__("settings", s),
                            save_state=lambda s: saved.__setitem__("state", s))
        rec = Recorder()
        window.show_error = lambda title, text: rec.errors.append((title, text))
        window.show_info = lambda title, text: rec.infos.append((title, text))
        window.ask_marking = lambda default: rec.markings.append(default) or default

        def confirm(title, text):
            rec.confirms.append((title, text))
            return rec.confirm_answer

        window.confirm = confirm
        window.open_external = lambda path: rec.opened.append(path)
        window.resize(1366, 768)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.recorder = rec
        window.saved_store = saved
        return window

    return build
