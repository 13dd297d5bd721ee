"""The PySide6 user interface.  The only package that imports Qt.

The layers beneath it are imported here, before any module of this package
imports PySide6.  Once PySide6 is loaded, it looks at every module imported after
it (its ``__feature__`` support reads each one's source to see whether it uses
PySide6): SQLAlchemy, pydantic and our own services are some 400 modules, and
reading them cost about 70 ms of every start.  Imported first, they are never
looked at.  A module missing from this list breaks nothing, it is only read (and
``tests/test_layers.py`` names it).
"""

import scrutiny_desktop.checklist.marks
import scrutiny_desktop.services.answers
import scrutiny_desktop.services.assessments
import scrutiny_desktop.services.encryption
import scrutiny_desktop.services.evidence
import scrutiny_desktop.services.integrity
import scrutiny_desktop.services.library
import scrutiny_desktop.services.progress
import scrutiny_desktop.services.recommendations
import scrutiny_desktop.services.review
import scrutiny_desktop.services.signoff
import scrutiny_desktop.services.summary
import scrutiny_desktop.settings
import scrutiny_desktop.spelling  # noqa: F401
