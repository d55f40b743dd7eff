"""Starting the app with something broken says what is wrong, not a traceback."""

from __future__ import annotations

import subprocess
import sys

from config import ROOT


def _start(env_overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "FLIGHTDECK_HOME": str(tmp_path / "home"),
        "FLIGHTDECK_AUTO_BUILD": "0",
        "PORT": "8099",
        **env_overrides,
    }
    return subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_model_is_a_clear_message(tmp_path):
    result = _start({}, tmp_path)
    assert result.returncode == 1
    assert "python -m model.train" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_spec_is_a_clear_message(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text(
        'name = "x"\n[source]\npath = "x.csv"\n[target]\ncolumn = "y"\ntask = "ranking"\n'
    )
    result = _start({"FLIGHTDECK_SPEC": str(spec)}, tmp_path)
    assert result.returncode == 1
    assert "task 'ranking'" in result.stderr and "Traceback" not in result.stderr
