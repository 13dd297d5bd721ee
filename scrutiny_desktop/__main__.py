"""``python -m scrutiny_desktop`` runs the command line."""

import sys

from scrutiny_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
