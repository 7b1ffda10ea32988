"""The app's scripts run as users run them: separate processes on free ports."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from emulators import PROJECT_ROOT, free_port, wait_until_answering


def clean_environment(**variables):
    """This machine's environment without any storage settings, plus ``variables``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "AZURE_", "IMAGESTORE_"))
    }
    return {**env, **variables}


IMAGESTORE = Path(sys.executable).parent / "imagestore"


def run_imagestore(*args, variables, command=(str(IMAGESTORE),), timeout=300):
    """Run the ``imagestore`` command as operators do; return its exit code and what it said."""
    done = subprocess.run(
        [*command, *args], cwd=PROJECT_ROOT, env=clean_environment(**variables),
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    return done.returncode, done.stderr


class RunningApp:
    """A script serving on a free port, stopped at the end of the test.

    ``script="gunicorn"`` runs gunicorn with ``args`` instead, bound to the free port, as the
    README's production command and the benchmark do; ``script="imagestore"`` runs the
    ``imagestore`` command (``args`` begin with ``serve``). ``python`` is the interpreter
    (an installed copy's), and ``wrapper`` a command that runs it, such as ``faketime``;
    ``ready`` is the path that answers once it serves (the store's under a host app's prefix).
    """

    def __init__(
        self,
        *args,
        script,
        cwd=PROJECT_ROOT,
        python=sys.executable,
        wrapper=(),
        ready="/healthz",
        **variables,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stderr = tempfile.TemporaryFile(mode="w+")
        if script == "gunicorn":
            command = ["-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", *args]
        elif script == "imagestore":
            command = ["-m", "imagestore", *args, "--port", str(self.port)]
        else:
            command = [str(PROJECT_ROOT / script), *args, "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*wrapper, str(python), *command],
            cwd=cwd,
            env=clean_environment(**variables),
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
            text=True,
        )
        wait_until_answering(f"{self.url}{ready}", self.process, self.output, timeout=30)

    def output(self):
        self.stderr.seek(0)
        return self.stderr.read()

    def stop(self):
        """Stop the process; return what it wrote to stderr."""
        self.process.terminate()
        self.process.wait(timeout=10)
        return self.output()
