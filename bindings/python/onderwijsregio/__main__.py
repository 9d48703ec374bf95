"""python -m onderwijsregio: the command line (see onderwijsregio.cli)."""
from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
