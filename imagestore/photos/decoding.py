"""A memory budget for decoding: how many pixels the process decodes at once.

A 651 KB PNG can hold 49 megapixels, 200 MB once decoded, and a handful of
them sent at once would take gigabytes. Every decode asks the budget for its
pixels first, across all requests of the process, and waits its turn while
others hold the budget; after ``wait`` seconds it gives up with ``Busy``
(answered 503 with ``Retry-After``). An image larger than the whole budget
still goes through, alone.
"""

import ctypes
import ctypes.util
import threading
import time
from contextlib import contextmanager

from ..state import current

RETRY_AFTER_SECONDS = 5
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 1 << 20


class Busy(Exception):
    """The budget stayed taken for longer than a request may wait."""

    retry_after = RETRY_AFTER_SECONDS

    def __init__(self):
        super().__init__(
            f"the server is busy decoding other large images; try again in {self.retry_after} seconds"
        )


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
                    raise Busy()
                self._freed.wait(left)
            self._in_use += wanted
        try:
            yield
        finally:
            with self._freed:
                self._in_use -= wanted
                self._freed.notify_all()


def pixel_budget(settings):
    """This app's budget of pixels decoding at once, from its settings."""
    give_freed_pixels_back()
    return PixelBudget(settings["DECODE_PIXELS"], settings["DECODE_WAIT"])


def give_freed_pixels_back():
    """Have glibc hand a decoded image's memory back to the system when it is freed.

    Pillow holds pixels in blocks of 16 MB. glibc's malloc maps such blocks
    on their own at first, but after the first is freed it raises its
    threshold and serves the next from the heap of the thread, which keeps
    them: every request thread that once decoded a large image would hold
    its memory for good, and the budget would bound nothing. A fixed
    threshold keeps every block of 1 MB or more mapped on its own.
    """
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    libc = ctypes.CDLL(libc_name)
    if hasattr(libc, "mallopt"):
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)


def budget():
    """This app's budget; ask for it within a request, hand it to threads that decode."""
    return current().pixel_budget


def decoding(pixels):
    """Hold ``pixels`` of this app's budget while the block decodes. :raise Busy:"""
    return budget().decoding(pixels)
