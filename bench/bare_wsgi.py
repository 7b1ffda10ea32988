"""The baseline: the smallest WSGI app serving the same bytes from a dict, on the
same server the image store runs on (Werkzeug's threaded server).

    python bench/bare_wsgi.py FOLDER --port PORT
"""

import argparse
from pathlib import Path

from werkzeug.serving import run_simple


def make_app(images):
    def app(environ, start_response):
        data = images.get(environ["PATH_INFO"].removeprefix("/image/"))
        if data is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        start_response("200 OK", [("Content-Type", "image/jpeg"), ("Content-Length", str(len(data)))])
        return [data]

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    images = {path.name: path.read_bytes() for path in args.folder.iterdir() if path.is_file()}
    run_simple("127.0.0.1", args.port, make_app(images), threaded=True)
