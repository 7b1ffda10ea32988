"""Debian's Chromium, driven by Playwright, as the browser tests use it."""

from contextlib import contextmanager

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@contextmanager
def launched():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Console:
    """What the page said: console messages and uncaught errors."""

    def __init__(self, page):
        self.messages = []
        self.errors = []
        page.on("console", self._said)
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))

    def _said(self, message):
        self.messages.append(message.text)
        if message.type == "error":
            self.errors.append(message.text)

    def csp_violations(self):
        return [text for text in self.messages if "Content Security Policy" in text]


@pytest.fixture(params=["in-memory", "aws"])
def one_local_one_cloud(request):
    """The backend of a browser test, overriding conftest's four: one local, one cloud. What the
    page does in a browser is the same in either access mode and on any backend."""
    return request.param


@pytest.fixture
def access_of_the_backend(backend):
    """The access mode of a browser test: single on the local backend, shared on the cloud one."""
    return "single" if backend == "in-memory" else "shared"
