"""The .scrutiny document: engine, ORM models, safe open/create/copy, migrations."""

from scrutiny_desktop.storage.document import (
    APPLICATION_ID,
    FORMAT_VERSION,
    SUFFIX,
    Document,
    create_document,
    inspect,
    open_document,
    save_copy,
)

__all__ = [
    "APPLICATION_ID",
    "FORMAT_VERSION",
    "SUFFIX",
    "Document",
    "create_document",
    "inspect",
    "open_document",
    "save_copy",
]
