"""Run one of Flightdeck's command-line tools as a user would: `python -m MODULE ...`."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from config import ROOT


def module_runner(
    module: str, home: Path, timeout: float = 120
) -> Callable[..., subprocess.CompletedProcess]:
    """A function running `python -m module *args` on `home`, with a bare environment."""
    base = {"PATH": "/usr/bin:/bin", "HOME": str(home), "FLIGHTDECK_HOME": str(home)}

    def run(
        *args: str, stdin: str = "", env: dict | None = None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env={**base, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
