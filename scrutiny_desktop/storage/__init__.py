"""The .scrutiny document: engine, ORM models, safe open/create/copy, migrations."""

from scrutiny_desktop.storage.document import Document, create_document, open_document, save_copy
from scrutiny_desktop.storage.fileformat import APPLICATION_ID, FORMAT_VERSION, SUFFIX, inspect

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
