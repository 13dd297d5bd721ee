"""User settings and app state, kept as small JSON files in platformdirs folders.

``settings.json`` holds what a person chooses in Preferences; ``state.json``
holds what the app remembers by itself (recent documents, window layout, the
last question per document).  Neither is ever stored inside a document, so a
chair opening someone else's file changes nothing in it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scrutiny_desktop import paths
from scrutiny_desktop.atomic import atomic_write

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
RECENT_LIMIT = 12
#: The text sizes Preferences offer, in per cent of the platform's default font.
TEXT_SIZES = (90, 100, 115, 130, 150)
#: The longest inactivity lock Preferences and IT may set, in minutes (0 = never).
MAX_LOCK_MINUTES = 240


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    scrutineer_name: str = ""
    scrutineer_role: str = ""
    #: The chair who last reviewed on this computer (Assessment > Review as chair…):
    #: offered next time, never taken from the scrutineer's name.
    chair_name: str = ""
    chair_role: str = ""
    documents_dir: str = ""
    protective_marking: str = DEFAULT_MARKING
    organisation_name: str = ""
    organisation_logo: str = ""
    signoff_statement: str = ""
    template_folders: list[str] = Field(default_factory=list)
    #: The signing certificate (.p12) offered first (IT may set a default path).
    signing_key: str = ""
    #: CA certificates (PEM or DER files) whose certificates count as trusted, and
    #: SHA-256 certificate fingerprints trusted as they are (pinned).  IT's come first.
    trusted_issuers: list[str] = Field(default_factory=list)
    pinned_fingerprints: list[str] = Field(default_factory=list)
    #: Hide the window's content after this many minutes without use (0 = never).
    lock_after_minutes: int = Field(default=0, ge=0, le=MAX_LOCK_MINUTES)
    #: The application's text size, in per cent of the platform default (one of TEXT_SIZES).
    text_size: int = 100

    @field_validator("protective_marking")
    @classmethod
    def _marking(cls, v: str) -> str:
        return " ".join(v.split())[:80]

    @field_validator("text_size")
    @classmethod
    def _text_size(cls, v: int) -> int:
        if v not in TEXT_SIZES:
            raise ValueError(f"text size must be one of {', '.join(map(str, TEXT_SIZES))}")
        return v

    def documents_folder(self) -> Path:
        return Path(self.documents_dir).expanduser() if self.documents_dir else paths.default_documents_dir()

    def extra_template_folders(self) -> list[Path]:
        return [Path(p).expanduser() for p in self.template_folders]


class DocumentState(BaseModel):
    """Where a person was in one document; kept by path, valid only for the same
    assessment (``uid``), so a new file at an old path starts afresh."""

    model_config = ConfigDict(extra="ignore")

    question_id: str = ""
    splitter: list[int] = Field(default_factory=list)
    uid: str = ""


class AppState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    recent: list[str] = Field(default_factory=list)
    documents: dict[str, DocumentState] = Field(default_factory=dict)
    window_geometry: str = ""
    guidance_expanded: bool = True
    library_folders: list[str] = Field(default_factory=list)
    #: Whether the person has changed the library's folders (until then the library
    #: offers the documents folder); and where the library window was last.
    library_folders_chosen: bool = False
    library_geometry: str = ""
    #: The signing certificate last used (remembered, never its passphrase).
    signing_key: str = ""

    def add_recent(self, path: Path) -> None:
        key = str(Path(path).resolve())
        self.recent = [key] + [p for p in self.recent if p != key]
        del self.recent[RECENT_LIMIT:]

    def remove_recent(self, path: Path | str) -> None:
        key = str(path)
        self.recent = [p for p in self.recent if p != key]

    def document(self, path: Path) -> DocumentState:
        return self.documents.get(str(Path(path).resolve()), DocumentState())

    def set_document(self, path: Path, state: DocumentState) -> None:
        self.documents[str(Path(path).resolve())] = state


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict) -> None:
    """Write atomically (:func:`scrutiny_desktop.atomic.atomic_write`: a unique temporary
    name, fsync, replace, folder fsync) so a crash never leaves half a settings file, and
    two windows saving at once never write into each other's temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as fh:
        fh.write(json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))


def load_settings() -> Settings:
    data = _read_json(paths.settings_file())
    try:
        return Settings.model_validate(data)
    except ValidationError:
        # A hand-edited file with a bad value: keep the good values.
        good = {}
        for key, value in data.items():
            with contextlib.suppress(ValidationError):
                Settings.model_validate({key: value})
                good[key] = value
        return Settings.model_validate(good)


def save_settings(settings: Settings) -> None:
    """Write only what the person chose, so managed defaults can change later."""
    _write_json(paths.settings_file(), settings.model_dump(mode="json", exclude_unset=True))


def load_state() -> AppState:
    try:
        return AppState.model_validate(_read_json(paths.state_file()))
    except ValidationError:
        return AppState()


def save_state(state: AppState) -> None:
    _write_json(paths.state_file(), state.model_dump(mode="json"))


# -- settings managed by IT ------------------------------------------------------

#: The environment variable that names the managed config file instead of the
#: per-system place (see paths.managed_config_file and docs/INSTALL.md).
CONFIG_ENV = "SCRUTINY_DESKTOP_CONFIG"

MANAGEABLE = ("protective_marking", "organisation_name", "organisation_logo", "documents_dir",
              "signing_key", "lock_after_minutes")
#: Lists IT provides that come before the user's own (never replaced by them).
MANAGED_LISTS = ("template_folders", "trusted_issuers", "pinned_fingerprints")
SETTING_LABELS = {
    "protective_marking": "protective marking",
    "organisation_name": "organisation name",
    "organisation_logo": "organisation logo",
    "documents_dir": "documents folder",
    "template_folders": "template folders",
    "signing_key": "signing certificate",
    "trusted_issuers": "trusted certificate issuers",
    "pinned_fingerprints": "pinned certificate fingerprints",
    "lock_after_minutes": "inactivity lock",
}


class ManagedConfig(BaseModel):
    """``config.toml`` from IT (see docs/INSTALL.md).  Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    protective_marking: str | None = None
    organisation_name: str | None = None
    organisation_logo: str | None = None
    documents_dir: str | None = None
    template_folders: list[str] = Field(default_factory=list)
    #: Default path of the signing certificate (.p12/.pfx) IT issued.
    signing_key: str | None = None
    #: CA certificate files (PEM or DER) whose certificates are trusted signers.
    trusted_issuers: list[str] = Field(default_factory=list)
    #: SHA-256 fingerprints of signing certificates trusted as they are.
    pinned_fingerprints: list[str] = Field(default_factory=list)
    #: Minutes without use before the window hides its content (0 = never).
    lock_after_minutes: int | None = Field(default=None, ge=0, le=MAX_LOCK_MINUTES)
    #: New assessments are encrypted with a passphrase unless the person turns it off.
    encrypt_by_default: bool = False
    #: Every new assessment must be encrypted with a passphrase (the choice is not offered).
    require_encryption: bool = False
    #: Settings a user may NOT change (the others are defaults they may override).
    locked: list[Literal["protective_marking", "organisation_name", "organisation_logo",
                         "documents_dir", "signing_key", "lock_after_minutes"]] = Field(
        default_factory=list)

    def provided(self) -> set[str]:
        out = {k for k in MANAGEABLE if getattr(self, k) is not None}
        out.update(k for k in MANAGED_LISTS if getattr(self, k))
        return out


@dataclass(frozen=True)
class Managed:
    config: ManagedConfig
    path: Path | None
    error: str = ""  # one line naming the file and the setting, if the file is bad

    @property
    def locked(self) -> set[str]:
        return set(self.config.locked)

    def describe(self) -> list[str]:
        out = []
        for key in sorted(self.config.provided()):
            how = "set by your organisation" if key in self.locked or key in MANAGED_LISTS \
                else "default from your organisation"
            out.append(f"{SETTING_LABELS[key]} ({how})")
        if self.config.require_encryption:
            out.append("encryption of new assessments (required by your organisation)")
        elif self.config.encrypt_by_default:
            out.append("encryption of new assessments (on by default, from your organisation)")
        return out


def load_managed() -> Managed:
    """Read the managed config; a bad file gives safe defaults and an error line.

    No file at the usual per-system place is fine (IT has installed none).  But
    a file named by ``SCRUTINY_DESKTOP_CONFIG`` was asked for on purpose, so if
    it does not exist that is an error: IT's settings are not being applied.
    """
    path = paths.managed_config_file()
    if path is None:
        return Managed(ManagedConfig(), None)
    if not path.exists():
        if os.environ.get(CONFIG_ENV):
            return Managed(ManagedConfig(), path,
                           f"{CONFIG_ENV} names {path}, which does not exist; "
                           "using the built-in defaults")
        return Managed(ManagedConfig(), None)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return Managed(ManagedConfig(), path, f"{path}: not a UTF-8 text file; using the built-in defaults")
    except tomllib.TOMLDecodeError as exc:
        return Managed(ManagedConfig(), path,
                       f"{path}: TOML syntax error: {exc}; using the built-in defaults")
    except OSError as exc:
        return Managed(ManagedConfig(), path,
                       f"{path}: cannot be read ({exc.strerror}); using the built-in defaults")
    try:
        return Managed(ManagedConfig.model_validate(data), path)
    except ValidationError as exc:
        from scrutiny_desktop.checklist.loader import format_loc

        err = exc.errors()[0]
        where = format_loc(tuple(err["loc"])) or "(top level)"
        msg = "unknown setting" if err["type"] == "extra_forbidden" else err["msg"]
        return Managed(ManagedConfig(), path,
                       f"{path}: setting '{where}': {msg}; using the built-in defaults")


def effective(user: Settings, managed: Managed) -> Settings:
    """The settings in force: the user's choices over IT's defaults, IT's locks over both."""
    data = user.model_dump()
    chosen = user.model_fields_set
    cfg = managed.config
    for key in MANAGEABLE:
        value = getattr(cfg, key)
        if value is None:
            continue
        if key in cfg.locked or key not in chosen:
            data[key] = value
    for key in MANAGED_LISTS:
        data[key] = list(getattr(cfg, key)) + list(getattr(user, key))
    return Settings.model_validate(data)


def current_settings() -> Settings:
    """The settings in force for a command: the user's, with IT's applied."""
    return effective(load_settings(), load_managed())
