"""Serve the image store, opening the CShelve database once and sharing it.

python app-shared-access.py [CONFIG.ini] [--host HOST] [--port PORT]
"""

import sys

from imagestore.commands.serve import main

if __name__ == "__main__":
    sys.exit(main(access="shared"))
