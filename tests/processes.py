"""The app's scripts run as users run them: separate processes on free ports."""

import os
import subprocess
import sys
import tempfile
import time

import requests
from emulators import PROJECT_ROOT, free_port


def clean_environment(**variables):
    """This machine's environment without any storage settings, plus ``variables``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "AZURE_", "IMAGESTORE_"))
    }
    return {**env, **variables}


class RunningApp:
    """A script serving on a free port, stopped at the end of the test."""

    def __init__(self, *args, script, cwd=PROJECT_ROOT, **variables):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / script), *args, "--port", str(self.port)],
            cwd=cwd,
            env=clean_environment(**variables),
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
            text=True,
        )
        self.wait_until_serving()

    def output(self):
        self.stderr.seek(0)
        return self.stderr.read()

    def wait_until_serving(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                requests.get(f"{self.url}/healthz", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError(f"{self.url} did not answer within {timeout} s")

    def stop(self):
        """Stop the process; return what it wrote to stderr."""
        self.process.terminate()
        self.process.wait(timeout=10)
        return self.output()
