"""The installed Qt bindings must not lose references to ``None``.

PySide6-Essentials 6.12.0 on Python 3.11 dropped one reference per call on many
methods that return nothing; the app aborted after about 140 judgement changes.
These tests run the same probe that ``self-test`` runs.
"""

from __future__ import annotations

import subprocess
import sys

from scrutiny_desktop.ui import qtprobe


def test_qt_methods_that_return_nothing_keep_none_alive(qapp):
    """20,000 calls of each method leave ``sys.getrefcount(None)`` where it was."""
    result = qtprobe.probe(20_000)
    assert result.calls == 20_000, result.describe()
    assert result.ok, result.describe()
    assert {"QRadioButton.setChecked", "QLabel.setText", "QTreeWidgetItem.setHidden",
            "QTreeWidgetItem.setData(None)"} <= set(result.methods)


def test_probe_runs_on_its_own_and_reports_the_versions():
    """The child-process form (what a broken binding would abort in) exits 0 and says so."""
    out = subprocess.run([sys.executable, "-m", "scrutiny_desktop.ui.qtprobe", "20000"],
                         capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no reference to None lost" in out.stdout
    assert "PySide6 6." in out.stdout


def test_probe_stops_at_a_leaking_call_before_python_could_abort(qapp, monkeypatch):
    """A binding that loses a reference per call is caught in the first round."""
    import ctypes

    lost = [0]

    def leaky(_i: int) -> None:
        # Simulate the 6.12.0 bug: drop a reference to None (and remember to
        # give it back afterwards so this test leaves Python sound).
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(None))
        lost[0] += 1

    monkeypatch.setattr(qtprobe, "_calls", lambda: [("Fake.setChecked", leaky)])
    try:
        result = qtprobe.probe(20_000)
    finally:
        for _ in range(lost[0]):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    assert not result.ok
    assert result.leaking == "Fake.setChecked"
    assert result.calls <= qtprobe.ROUND
    assert "loses references to None" in result.describe()
