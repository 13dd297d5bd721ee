"""Every directory and bundled-resource lookup, frozen or not.

Bundled resources live in ``resources/`` at the top of a source checkout, in
``scrutiny_desktop/resources`` inside an installed wheel, and in
``<bundle>/resources`` inside a PyInstaller bundle.  User data goes where
platformdirs says it should on each system.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from scrutiny_desktop import APP_SLUG

_PACKAGE_DIR = Path(__file__).resolve().parent


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def resources_dir() -> Path:
    """The folder holding checklists/, fonts/, icons/ and schemas."""
    candidates = []
    if is_frozen():
        # _MEIPASS is set by PyInstaller's bootloader, so no stub knows it.
        candidates.append(Path(sys._MEIPASS) / "resources")  # type: ignore[attr-defined]
    candidates.append(_PACKAGE_DIR / "resources")  # installed wheel
    candidates.append(_PACKAGE_DIR.parent / "resources")  # source checkout / editable
    for path in candidates:
        if (path / "checklists").is_dir():
            return path
    raise FileNotFoundError(
        "The bundled resources folder is missing; reinstall Scrutiny Desktop."
    )


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def bundled_checklists_dir() -> Path:
    return resource("checklists")


def fonts_dir() -> Path:
    return resource("fonts")


def icons_dir() -> Path:
    return resource("icons")


def dictionaries_dir() -> Path:
    """The bundled spelling dictionary (en_GB.aff/.dic) and the project's own words."""
    return resource("dictionaries")


def migrations_dir() -> Path:
    return _PACKAGE_DIR / "storage" / "migrations"


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_SLUG, appauthor=False, roaming=True))


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_SLUG, appauthor=False, roaming=True))


def user_state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_SLUG, appauthor=False))


def user_templates_dir() -> Path:
    """Where a user drops extra checklist templates (``*.toml``)."""
    return user_data_dir() / "checklists"


def default_documents_dir() -> Path:
    return Path(platformdirs.user_documents_dir()) / "Scrutiny Desktop"


def settings_file() -> Path:
    return user_config_dir() / "settings.json"


def state_file() -> Path:
    return user_state_dir() / "state.json"


def personal_dictionary_file() -> Path:
    """Words the user added to the spelling dictionary, one a line (UTF-8)."""
    return user_config_dir() / "personal-dictionary.txt"


def managed_config_file() -> Path | None:
    """The system-wide settings file IT may provide (see docs/INSTALL.md)."""
    override = os.environ.get("SCRUTINY_DESKTOP_CONFIG")
    if override:
        return Path(override)
    if sys.platform.startswith("win"):
        base = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        return Path(base) / "ScrutinyDesktop" / "config.toml"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/ScrutinyDesktop/config.toml")
    # Every folder in XDG_CONFIG_DIRS is looked at (a desktop session may put
    # its own first), then /etc/xdg, the documented place.
    folders = platformdirs.site_config_dir(APP_SLUG, multipath=True).split(os.pathsep)
    candidates = [Path(f) / "config.toml" for f in folders if f]
    documented = Path("/etc/xdg") / APP_SLUG / "config.toml"
    for candidate in [*candidates, documented]:
        if candidate.exists():
            return candidate
    return documented
