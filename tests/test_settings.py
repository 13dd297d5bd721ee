"""User settings, app state and the settings IT manages."""

from __future__ import annotations

import json

from scrutiny_desktop import paths
from scrutiny_desktop.settings import (
    AppState,
    Settings,
    effective,
    load_managed,
    load_settings,
    load_state,
    save_settings,
    save_state,
)


def write_config(tmp_path, monkeypatch, text: str):
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SCRUTINY_DESKTOP_CONFIG", str(config))
    return config


def test_settings_round_trip_and_only_chosen_values_are_saved():
    """Preferences survive a restart, and untouched fields stay unset so IT defaults can apply."""
    s = Settings()
    s.scrutineer_name = "Ann Jones"
    save_settings(s)
    saved = json.loads(paths.settings_file().read_text())
    assert saved == {"scrutineer_name": "Ann Jones"}
    assert load_settings().scrutineer_name == "Ann Jones"


def test_a_bad_value_in_settings_keeps_the_good_ones():
    """A hand-edited settings file with one bad value loses only that value."""
    paths.settings_file().parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file().write_text(json.dumps({"scrutineer_name": "Ann", "template_folders": 5}))
    s = load_settings()
    assert s.scrutineer_name == "Ann" and s.template_folders == []


def test_state_remembers_recent_files_most_recent_first(tmp_path):
    """The recent list puts the last opened first, without duplicates."""
    st = AppState()
    a, b = tmp_path / "a.scrutiny", tmp_path / "b.scrutiny"
    st.add_recent(a)
    st.add_recent(b)
    st.add_recent(a)
    save_state(st)
    assert load_state().recent == [str(a.resolve()), str(b.resolve())]


def test_managed_defaults_apply_unless_the_user_chose_and_locks_always_win(tmp_path, monkeypatch):
    """IT's defaults fill in what the user has not chosen; locked settings override the user."""
    write_config(tmp_path, monkeypatch, """
protective_marking = "OFFICIAL"
organisation_name = "Northshire Council"
template_folders = ["/srv/templates"]
locked = ["protective_marking"]
""")
    managed = load_managed()
    assert managed.error == ""
    user = Settings()
    user.protective_marking = "SECRET"
    user.organisation_name = "My own"
    eff = effective(user, managed)
    assert eff.protective_marking == "OFFICIAL"  # locked
    assert eff.organisation_name == "My own"  # user chose
    assert effective(Settings(), managed).organisation_name == "Northshire Council"
    assert str(eff.extra_template_folders()[0]) == "/srv/templates"
    assert any(d == "protective marking (set by your organisation)" for d in managed.describe())


def test_broken_managed_config_names_file_and_setting_and_falls_back(tmp_path, monkeypatch):
    """A bad config.toml gives one line naming the file and setting, and safe defaults."""
    config = write_config(tmp_path, monkeypatch, 'locked = ["protective_marking", "colour"]\n')
    managed = load_managed()
    assert str(config) in managed.error and "locked[1]" in managed.error
    assert "\n" not in managed.error
    assert effective(Settings(), managed).protective_marking == "OFFICIAL-SENSITIVE"
    write_config(tmp_path, monkeypatch, 'protective_marking = "x\n')
    assert "TOML syntax error" in load_managed().error and "line 1" in load_managed().error
    write_config(tmp_path, monkeypatch, 'favourite_colour = "blue"\n')
    assert "favourite_colour" in load_managed().error and "unknown setting" in load_managed().error


def test_missing_managed_config_is_fine(tmp_path, monkeypatch):
    """No config.toml at the usual place means no managed settings and no error."""
    monkeypatch.delenv("SCRUTINY_DESKTOP_CONFIG", raising=False)
    monkeypatch.setattr(paths, "managed_config_file", lambda: tmp_path / "etc" / "config.toml")
    managed = load_managed()
    assert managed.error == "" and managed.describe() == [] and managed.path is None
    monkeypatch.setenv("SCRUTINY_DESKTOP_CONFIG", "")  # empty counts as unset
    assert load_managed().error == ""


def test_a_missing_file_named_by_the_environment_variable_is_an_error(tmp_path, monkeypatch):
    """SCRUTINY_DESKTOP_CONFIG asks for one file on purpose: if it is not there, IT's
    settings are not applied, and that is said (the built-in defaults are used)."""
    missing = tmp_path / "x" / "config.toml"
    monkeypatch.setenv("SCRUTINY_DESKTOP_CONFIG", str(missing))
    managed = load_managed()
    assert managed.error == (f"SCRUTINY_DESKTOP_CONFIG names {missing}, which does not exist; "
                             "using the built-in defaults")
    assert managed.path == missing and managed.describe() == []
    assert effective(Settings(), managed).protective_marking == "OFFICIAL-SENSITIVE"


def test_linux_managed_config_is_found_in_any_xdg_config_dir(tmp_path, monkeypatch):
    """IT's file in /etc/xdg-style folders is found even when a session lists another folder
    first (the Linux lookup; CI runs on Linux)."""
    monkeypatch.delenv("SCRUTINY_DESKTOP_CONFIG", raising=False)
    first, second = tmp_path / "xdg-session", tmp_path / "xdg"
    (second / "scrutiny-desktop").mkdir(parents=True)
    config = second / "scrutiny-desktop" / "config.toml"
    config.write_text('organisation_name = "Northshire Council"\n')
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{first}:{second}")
    assert paths.managed_config_file() == config
    assert load_managed().config.organisation_name == "Northshire Council"


def test_command_line_pdf_uses_the_managed_marking(tmp_path, monkeypatch, new_doc_path):
    """A PDF exported from the command line carries IT's locked protective marking."""
    from pypdf import PdfReader

    from scrutiny_desktop import cli

    write_config(tmp_path, monkeypatch, 'protective_marking = "OFFICIAL"\nlocked = ["protective_marking"]\n')
    out = tmp_path / "summary.pdf"
    assert cli.main(["export", str(new_doc_path), "--pdf", str(out)]) == 0
    first_page = PdfReader(out).pages[0].extract_text()
    assert "OFFICIAL" in first_page and "OFFICIAL-SENSITIVE" not in first_page


def test_about_lists_the_encryption_settings_it_set():
    from scrutiny_desktop.settings import Managed, ManagedConfig

    assert Managed(ManagedConfig(require_encryption=True), None).describe() == [
        "encryption of new assessments (required by your organisation)"]
    assert Managed(ManagedConfig(encrypt_by_default=True), None).describe() == [
        "encryption of new assessments (on by default, from your organisation)"]
    assert Managed(ManagedConfig(), None).describe() == []
