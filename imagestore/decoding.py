"""A memory budget for decoding: how many pixels the process decodes at once.

A 651 KB PNG can hold 49 megapixels, 200 MB once decoded, and a handful of
them sent at once would take gigabytes. Every decode asks the budget for its
pixels first, across all requests of the process, and waits its turn while
others hold the budget; after ``wait`` seconds it gives up with ``Busy``
(answered 503 with ``Retry-After``). An image larger than the whole budget
still goes through, alone.
"""

import threading
import time
from contextlib import contextmanager

from flask import current_app


class Busy(Exception):
    """The budget stayed taken for longer than a request may wait."""

    def __init__(self, retry_after):
        super().__init__(f"the server is decoding other large images; try again in {retry_after} seconds")
        self.retry_after = retry_after


class PixelBudget:
    def __init__(self, pixels, wait):
        self.pixels = pixels
        self.wait = wait
        self._in_use = 0
        self._freed = threading.Condition()

    @contextmanager
    def decoding(self, pixels):
        """Hold ``pixels`` of the budget (at most all of it) while the block decodes."""
        wanted = min(pixels, self.pixels)
        deadline = time.monotonic() + self.wait
        with self._freed:
            while self._in_use + wanted > self.pixels:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Busy(retry_after=max(1, round(self.wait)))
                self._freed.wait(left)
            self._in_use += wanted
        try:
            yield
        finally:
            with self._freed:
                self._in_use -= wanted
                self._freed.notify_all()


EXTENSION_KEY = "imagestore.decoding"


def init_app(app):
    app.extensions[EXTENSION_KEY] = PixelBudget(app.config["DECODE_PIXELS"], app.config["DECODE_WAIT"])


def budget():
    """This app's budget; ask for it within a request, hand it to threads that decode."""
    return current_app.extensions[EXTENSION_KEY]


def decoding(pixels):
    """Hold ``pixels`` of this app's budget while the block decodes. :raise Busy:"""
    return budget().decoding(pixels)
