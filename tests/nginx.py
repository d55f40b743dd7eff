"""A live nginx on loopback with the shipped site (deploy/nginx/flightdeck.conf), in front of
the instances a test or the bench names: used by tests/integration/test_deploy_linters.py,
tests/scale/test_two_instances.py and bench/two_instances.py.

The site file is kept as shipped except its `listen` lines (a loopback port instead of 80);
the upstream file lists the given ports instead of 8051 and 8052. Every path nginx writes
(pid, logs, cache, temp) is in the given folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.server import stop_process
from config import ROOT

DEPLOY_NGINX = ROOT / "deploy" / "nginx"
SHIPPED_PORTS = ("127.0.0.1:8051", "127.0.0.1:8052")


def find_nginx() -> str | None:
    """nginx's path (the PATH, then /usr/sbin, Debian's place for it), or None."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def site_files() -> tuple[str, str]:
    """(upstream, site) as shipped."""
    return (
        (DEPLOY_NGINX / "flightdeck-upstream.conf").read_text(),
        (DEPLOY_NGINX / "flightdeck.conf").read_text(),
    )


def upstream_for(ports: list[int], upstream: str) -> str:
    """The shipped upstream file with `ports` on loopback as its servers."""
    first, second = SHIPPED_PORTS
    lines = []
    for line in upstream.splitlines(keepends=True):
        if first in line:
            lines += [line.replace(first, f"127.0.0.1:{port}") for port in ports]
        elif second not in line:
            lines.append(line)
    return "".join(lines)


def site_on(port: int, site: str) -> str:
    """The shipped site listening on 127.0.0.1:`port` instead of port 80."""
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    return site.replace("listen [::]:80;", "")


def nginx_conf(folder: Path, upstream: str, site: str) -> Path:
    """A main nginx.conf in `folder` around the site, every path of its own."""
    for part in ("cache", "logs", "temp"):
        (folder / part).mkdir(exist_ok=True)
    (folder / "upstream.conf").write_text(
        upstream.replace("/var/cache/nginx/flightdeck", str(folder / "cache"))
    )
    (folder / "site.conf").write_text(site)
    temp = folder / "temp"
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{user}pid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\n"
        "events {}\nhttp {\n"
        f"  access_log {folder}/logs/access.log;\n"
        + "".join(
            f"  {kind}_temp_path {temp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {folder}/upstream.conf;\n  include {folder}/site.conf;\n}}\n"
    )
    return conf


def wait_for(url: str, timeout: float = 10) -> None:
    """Until `url` answers (any status but a refused connection)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nginx did not answer {url}")


class LiveNginx:
    """nginx (foreground, its own folder) with the shipped site before `backends`."""

    def __init__(self, binary: str, folder: Path, port: int, backends: list[int]):
        self.folder, self.port = Path(folder), port
        self.url = f"http://127.0.0.1:{port}"
        upstream, site = site_files()
        self.conf = nginx_conf(
            self.folder, upstream_for(backends, upstream), site_on(port, site)
        )
        self.argv = [binary, "-c", str(self.conf), "-p", str(self.folder)]
        self.proc: subprocess.Popen | None = None

    def start(self, ready_path: str = "/healthz") -> LiveNginx:
        self._stderr = open(self.folder / "logs" / "stderr.log", "w")
        self.proc = subprocess.Popen(
            [*self.argv, "-g", "daemon off;"], stderr=self._stderr
        )
        wait_for(self.url + ready_path)
        return self

    def error_log(self) -> str:
        path = self.folder / "logs" / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_process(self.proc)
        self._stderr.close()
        self.proc = None
