"""The deployment files read as the guide (docs/deploy.md) says they work: the compose file
against the Compose spec, the Dockerfile's order and user, nginx's limits against the app's
settings, the units against the Procfile, and every setting the guide names is real."""

from __future__ import annotations

import json
import os
import re
import shlex
from importlib import resources

import pytest
import yaml

from config import ROOT, Settings
from server.batch_files import UPLOAD_REQUEST_BYTES

DEPLOY = ROOT / "deploy"
APP_SERVICES = ("web1", "web2", "worker")
WEB_COMMAND = "gunicorn -c gunicorn.conf.py app:server"
WORKER_COMMAND = "celery -A worker worker --loglevel=INFO"
# settings being added by the Redis/Celery work, and compose's own
NAMES_ALSO_KNOWN = {"REDIS_URL", "POSTGRES_PASSWORD", "PROMETHEUS_MULTIPROC_DIR"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def _nginx(name: str) -> str:
    """The config without its comments."""
    text = (DEPLOY / "nginx" / name).read_text(encoding="utf-8")
    return re.sub(r"#[^\n]*", "", text)


def _size(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", text).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def _procfile_command(kind: str) -> str | None:
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{kind}:"):
            return line.split(":", 1)[1].strip()
    return None


def test_compose_file_fits_the_compose_spec(compose):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema not installed")
    try:
        vendored = resources.files("check_jsonschema") / "builtin_schemas" / "vendor"
        schema = json.loads((vendored / "compose-spec.json").read_text())
    except ModuleNotFoundError:
        if os.environ.get("CI") == "true":
            raise  # requirements-test.txt installs check-jsonschema
        pytest.skip("check-jsonschema (the Compose spec's schema) is not installed")
    jsonschema.validate(compose, schema)


def test_compose_runs_the_whole_stack_on_shared_stores(compose):
    services = compose["services"]
    assert {*APP_SERVICES, "postgres", "redis", "nginx"} <= set(services)
    for name in APP_SERVICES:
        service = services[name]
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert (
            env["FLIGHTDECK_AUTO_BUILD"] == "0"
        )  # the first build is a one-off command
        mounts = {v.split(":")[1]: v.split(":")[0] for v in service["volumes"]}
        assert mounts[env["FLIGHTDECK_ARTIFACTS"]] == "artifacts"  # one volume for all
        assert service["env_file"][0]["path"] == ".env"
        assert {"postgres", "redis"} <= set(service["depends_on"])
    assert " ".join(services["web1"]["command"]) == WEB_COMMAND
    worker = _procfile_command("worker") or WORKER_COMMAND
    assert " ".join(services["worker"]["command"]) == worker


def test_compose_keeps_secrets_in_an_uncommitted_env_file(compose):
    assert "SECRET_KEY" not in json.dumps(compose)  # only in deploy/.env
    assert "deploy/.env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    assert re.search(r"^SECRET_KEY=$", example, re.M)  # a blank to fill in, no default


def test_compose_nginx_serves_the_files_in_deploy(compose):
    nginx = compose["services"]["nginx"]
    for volume in nginx["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (DEPLOY / source).is_file(), source
    upstream = _nginx("flightdeck-upstream.compose.conf")
    hosts = re.findall(r"server\s+([\w.-]+):(\d+)", upstream)
    assert hosts == [("web1", "8050"), ("web2", "8050")]
    assert set(nginx["depends_on"]) == {"web1", "web2"}


def test_dockerfile_layers_user_and_healthcheck():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"^\s*#[^\n]*\n", "", text, flags=re.M).replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert re.fullmatch(r"FROM python:3\.1\d-slim(-\w+)?", lines[0])
    order = [line.split()[0] + " " + line.split()[1] for line in lines]
    requirements = order.index("COPY requirements.txt")
    install = next(i for i, line in enumerate(lines) if "-r requirements.txt" in line)
    everything = order.index("COPY --chown=root:root")
    assert requirements < install < everything  # code edits keep the pip layer
    user = next(line.split()[1] for line in lines if line.startswith("USER "))
    assert user.split(":")[0] not in ("0", "root")
    assert any("HEALTHCHECK" in line for line in lines)
    assert "/healthz" in (ROOT / "Dockerfile").read_text()
    command = json.loads(lines[-1].removeprefix("CMD "))
    assert " ".join(command) == WEB_COMMAND == _procfile_command("web")


def test_nginx_body_limits_match_the_app():
    site = _nginx("flightdeck.conf")
    server_limit = re.search(r"^\s{4}client_max_body_size\s+(\S+);", site, re.M)
    assert _size(server_limit.group(1)) == Settings().max_request_kb * 1024
    callback = re.search(r"location = /_dash-update-component \{([^}]*)\}", site)
    upload = re.search(r"client_max_body_size\s+(\S+);", callback.group(1))
    assert _size(upload.group(1)) >= UPLOAD_REQUEST_BYTES  # the Batch page's upload


def test_nginx_proxies_two_instances_with_their_headers():
    upstream = _nginx("flightdeck-upstream.conf")
    assert len(re.findall(r"^\s+server\s+127\.0\.0\.1:\d+", upstream, re.M)) == 2
    site = _nginx("flightdeck.conf")
    for header in ("Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP"):
        assert f"proxy_set_header {header} " in site
    assert "Upgrade" not in site  # no websockets
    assert re.search(r"location = /healthz \{[^}]*proxy_pass", site)
    assert re.search(r"location = /metrics \{\s*return 404;", site)
    assert "proxy_cache flightdeck_static;" in site


def _unit(name: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


@pytest.mark.parametrize(
    ("name", "command"),
    [("flightdeck-web@.service", WEB_COMMAND), ("flightdeck-worker.service", None)],
)
def test_units_run_the_procfile_commands_as_a_plain_user(name, command):
    unit = _unit(name)
    (exec_start,) = unit["ExecStart"]
    program, *args = shlex.split(exec_start)
    expected = command or _procfile_command("worker") or WORKER_COMMAND
    assert " ".join([program.rsplit("/", 1)[-1], *args]) == expected
    assert unit["User"] == ["flightdeck"]
    assert unit["EnvironmentFile"] == ["/etc/flightdeck/flightdeck.env"]
    assert unit["ProtectSystem"] == ["strict"]


def test_every_setting_the_guide_names_exists():
    known = (ROOT / "config.py").read_text() + (ROOT / "gunicorn.conf.py").read_text()
    known += (ROOT / "README.md").read_text()
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for source in (
        DEPLOY / "env.example",
        DEPLOY / "systemd" / "flightdeck.env.example",
    ):
        text += source.read_text(encoding="utf-8")
    pattern = r"\b(FLIGHTDECK_[A-Z_]+|[A-Z]+_URL|SECRET_KEY|SESSION_COOKIE_SECURE)\b"
    names = set(re.findall(pattern, text))
    unknown = {n for n in names if n not in known and n not in NAMES_ALSO_KNOWN}
    assert not unknown, f"docs/deploy.md names settings that do not exist: {unknown}"
    assert {"DATABASE_URL", "REDIS_URL", "FLIGHTDECK_ARTIFACTS"} <= names
