"""Scrutiny Desktop: an offline tool for independent scrutiny of safeguarding
children partnerships."""

__version__ = "0.1.0"

APP_NAME = "Scrutiny Desktop"
APP_SLUG = "scrutiny-desktop"
