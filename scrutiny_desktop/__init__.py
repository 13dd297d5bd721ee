"""Scrutiny Desktop: an offline tool for independent scrutiny of safeguarding
children partnerships."""

import os

__version__ = "0.1.0"

# No third-party pydantic plugin may hook into how checklists and settings are
# validated; this also spares every start a scan of all installed packages' metadata.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

APP_NAME = "Scrutiny Desktop"
APP_SLUG = "scrutiny-desktop"
