"""App instances as a multi-instance deployment runs them: each gunicorn with the Procfile's
command on its own port and its own FLIGHTDECK_HOME (processed data, score cache), all on
one DATABASE_URL, one REDIS_URL and one FLIGHTDECK_ARTIFACTS folder, behind a live nginx
with the shipped site (tests/nginx.py). Used by tests/scale/test_two_instances.py and
bench/two_instances.py.
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import sys
from pathlib import Path

from bench.server import HOST, Server
from tests.nginx import LiveNginx

PORTS = range(8500, 8600)  # this workplace's ports for the instances and nginx
GUNICORN = ["-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"]


def free_port_in(ports: range = PORTS, taken: tuple[int, ...] = ()) -> int:
    """A port of `ports` nobody listens on now (and not in `taken`), tried at random."""
    for port in random.sample(ports, len(ports)):
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


def instance_home(source: Path, target: Path) -> Path:
    """What one instance keeps for itself: the processed data and the score cache."""
    for part in ("data", "cache"):
        if (Path(source) / part).exists():
            shutil.copytree(Path(source) / part, Path(target) / part)
    return Path(target)


class Instance(Server):
    """`gunicorn -c gunicorn.conf.py app:server` on 127.0.0.1:`port` and one home."""

    def __init__(self, name: str, home: Path, port: int, shared: dict, workers: int):
        env = {
            "FLIGHTDECK_HOME": str(home),
            "FLIGHTDECK_AUTH": "on",
            "BIND_HOST": HOST,
            "WEB_CONCURRENCY": str(workers),
            "FLIGHTDECK_TRUSTED_PROXIES": "1",  # nginx in front, as deploy/ sets it
            **shared,
        }
        super().__init__(name, [sys.executable, *GUNICORN], env, home / "server.log")
        self.port, self.base = port, f"http://{HOST}:{port}"
        self.env["PORT"] = str(port)

    def answered_ids(self) -> set[str]:
        """Request ids of every request this instance answered (its JSON access log)."""
        found = set()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            if line.startswith("{") and '"request_id"' in line:
                try:
                    found.add(json.loads(line)["request_id"])
                except (ValueError, KeyError):
                    continue
        return found


class Fleet:
    """`count` instances (each `workers` gunicorn workers) and nginx in front of them.

    `shared` is the environment every instance gets: DATABASE_URL, REDIS_URL,
    FLIGHTDECK_ARTIFACTS, SECRET_KEY and so on. Use it as a context manager.
    """

    def __init__(
        self,
        nginx: str,
        folder: Path,
        source_home: Path,
        shared: dict,
        count: int = 2,
        workers: int = 1,
    ):
        self.folder = Path(folder)
        taken: list[int] = []
        self.instances = []
        for index in range(count):
            taken.append(free_port_in(taken=tuple(taken)))
            home = instance_home(source_home, self.folder / f"home-{index}")
            self.instances.append(
                Instance(f"web{index}", home, taken[-1], shared, workers)
            )
        port = free_port_in(taken=tuple(taken))
        (self.folder / "nginx").mkdir(parents=True, exist_ok=True)
        self.nginx = LiveNginx(nginx, self.folder / "nginx", port, taken)

    @property
    def url(self) -> str:
        return self.nginx.url

    def __enter__(self) -> Fleet:
        try:
            for instance in self.instances:
                instance.__enter__()
            for instance in self.instances:
                instance.wait_ready(timeout=180)
            self.nginx.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.nginx.stop()
        for instance in self.instances:
            instance.stop()
