"""Debian's Chromium, driven by Playwright, as the browser tests use it."""

from contextlib import contextmanager

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
