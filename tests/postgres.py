"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, served on
127.0.0.1 at a free port with fsync off, one empty database per test, removed at the end.

Debian's server programs live in /usr/lib/postgresql/<version>/bin (not on the PATH);
`FLIGHTDECK_PG_BIN` names another folder. initdb refuses to run as root, so as root the
cluster belongs to the `postgres` OS user (runuser). Connections need a random password.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import random
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

ADMIN = "flightdeck"
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",  # TCP on loopback only: no socket in /var/run
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    # Far from UTC, so that any time read back in the server's zone shows in the tests.
    "timezone": "Pacific/Chatham",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server programs here, or the cluster would not start (says why)."""


def server_bin() -> Path:
    """The folder holding initdb and pg_ctl: FLIGHTDECK_PG_BIN, else the newest Debian
    version, else the PATH's."""
    candidates = [os.environ.get("FLIGHTDECK_PG_BIN", "")]
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(versions, key=lambda p: int(Path(p).parent.name), reverse=True)
    on_path = shutil.which("initdb")
    candidates.append(str(Path(on_path).resolve().parent) if on_path else "")
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise PostgresUnavailable(
        "no PostgreSQL server programs (initdb, pg_ctl) found; install Debian's "
        "`postgresql` (scripts/test.sh does) or set FLIGHTDECK_PG_BIN"
    )


PORTS = range(55432, 55500)  # this project's PostgreSQL ports on a shared machine


def free_port() -> int:
    """A port of PORTS nobody listens on now, tried in random order."""
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise PostgresUnavailable(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


class PostgresCluster:
    """One cluster in a temporary folder; `database()` hands out empty databases."""

    def __init__(self, bin_dir: Path, port: int | None = None):
        self.bin_dir = bin_dir
        self.port = port or free_port()
        self.password = secrets.token_hex(16)
        self.root = Path(tempfile.mkdtemp(prefix="flightdeck-pg-"))
        self.data = self.root / "data"
        self._names = itertools.count(1)
        self._running = False

    def _as_owner(self) -> list[str]:
        """As root, run the server programs as `postgres` (initdb refuses root)."""
        if os.geteuid() != 0:
            return []
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresUnavailable(
                "running as root with no `postgres` user"
            ) from exc
        os.chown(self.root, owner.pw_uid, owner.pw_gid)
        for path in self.root.iterdir():
            os.chown(path, owner.pw_uid, owner.pw_gid)
        return ["runuser", "-u", "postgres", "--"]

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        argv = [*self._as_owner(), str(self.bin_dir / program), *args]
        try:
            done = subprocess.run(
                argv, cwd=self.root, capture_output=True, text=True, timeout=timeout
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"{program} did not run: {exc}") from exc
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise PostgresUnavailable(f"{program} failed: {' / '.join(tail)}")

    def start(self) -> PostgresCluster:
        """initdb, then start the server and wait until it accepts connections."""
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            ADMIN,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        pwfile.unlink()
        options = " ".join(f"-c {k}={v!r}" for k, v in SERVER_SETTINGS.items())
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            f"-p {self.port} {options}",
            "-w",
            "start",
        )
        self._running = True
        return self

    def url(self, name: str = "postgres") -> str:
        return (
            f"postgresql+psycopg://{ADMIN}:{self.password}@127.0.0.1:{self.port}/{name}"
        )

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            self.url().replace("+psycopg", ""), autocommit=True
        ) as connection:
            connection.execute(sql)

    def database(self) -> str:
        """A new empty database's URL."""
        name = f"test_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop a database from database(), ending any connection still open to it."""
        name = url.rsplit("/", 1)[1]
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Stop the server at once (nothing in it is kept) and remove the folder."""
        try:
            if self._running:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            self._running = False
            shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(attempts: int = 3) -> PostgresCluster:
    """A started cluster, or PostgresUnavailable saying why not (its folder removed).
    Tried again on another port: another process may take the free one first."""
    for attempt in range(attempts):
        cluster = PostgresCluster(server_bin())
        try:
            return cluster.start()
        except PostgresUnavailable:
            cluster.stop()
            if attempt == attempts - 1:
                raise
        except BaseException:
            cluster.stop()
            raise
    raise AssertionError("unreachable")
