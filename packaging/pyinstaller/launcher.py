"""Entry point frozen into the PyInstaller bundle (see build.spec).

The same script backs every executable in the bundle: ``scrutiny-desktop``
(console: the command line and the GUI) and, on Windows, ``ScrutinyDesktop.exe``
(windowed: the GUI only, no console window).
"""

import os
import sys

# A windowed Windows executable has no console: sys.stdout and sys.stderr are
# None, and any print() (``--version``, an ``error:`` line) would raise.  Send
# that output nowhere instead; IT and scripts use the console executable.
for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115

from scrutiny_desktop.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
