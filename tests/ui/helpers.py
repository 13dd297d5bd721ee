"""Helpers for driving the real window the way a keyboard or screen-reader user
would (plain functions; fixtures live in tests/ui/conftest.py): controls are found
by their accessible names, and modal dialogs are filled in while they run."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget


def find(root: QWidget, name: str, cls=QWidget, visible: bool = True):
    """The one widget under ``root`` with this accessible name."""
    hits = [w for w in root.findChildren(cls) if w.accessibleName() == name
            and (w.isVisible() or not visible)]
    assert hits, f"no visible control named {name!r}"
    assert len(hits) == 1, f"{len(hits)} controls named {name!r}"
    return hits[0]


def run_modal(qtbot, action, fill):
    """Start ``action`` (which opens a modal dialog) and let ``fill`` drive the dialog."""
    done = {"ran": False, "error": None}

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, poll)
            return
        try:
            fill(dialog)
        except Exception as exc:  # noqa: BLE001 - re-raised below, outside the event loop
            done["error"] = exc
            dialog.reject()
        done["ran"] = True

    QTimer.singleShot(0, poll)
    action()
    assert done["ran"], "the dialog never appeared"
    if done["error"]:
        raise done["error"]


def fill_new_assessment(qtbot, tmp_path, name="walk"):
    """A ``fill`` for ``run_modal`` that completes the New assessment dialog and creates
    ``tmp_path/<name>.scrutiny``."""
    def fill(dialog):
        qtbot.keyClicks(find(dialog, "Partnership", QLineEdit),
                        "Northshire Safeguarding Children Partnership")
        qtbot.keyClicks(find(dialog, "Area", QLineEdit), "Northshire")
        qtbot.keyClicks(find(dialog, "Period covered", QLineEdit), "2025-26")
        location = find(dialog, "Save as", QLineEdit)
        location.setText(str(tmp_path / f"{name}.scrutiny"))
        location.textEdited.emit(location.text())
        create = find(dialog, "Create", QAbstractButton)
        assert create.isEnabled()
        qtbot.mouseClick(create, Qt.MouseButton.LeftButton)
    return fill
