"""Serve the image store, opening the CShelve database around every request.

python app-single-access.py [CONFIG.ini] [--host HOST] [--port PORT]
"""

import sys

from imagestore.commands.serve import main

if __name__ == "__main__":
    sys.exit(main(access="single"))
