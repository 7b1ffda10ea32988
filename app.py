"""Serve the image store: the everyday name of app-single-access.py.

python app.py [CONFIG.ini] [--host HOST] [--port PORT]
"""

import sys

from imagestore.commands.serve import main

if __name__ == "__main__":
    sys.exit(main(access="single"))
