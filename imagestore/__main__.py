"""``python -m imagestore``: the operator's command line (``commands``)."""

import sys

from .commands import main

sys.exit(main())
