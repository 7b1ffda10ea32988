"""Waiting for what the app does in the background, such as listing the store again."""

import time


def eventually(check, timeout=10):
    """Ask ``check()`` until it is true, for at most ``timeout`` seconds; return its last answer."""
    deadline = time.monotonic() + timeout
    while not (answer := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return answer
