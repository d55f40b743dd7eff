"""gunicorn settings for Flightdeck; the Procfile runs `gunicorn -c gunicorn.conf.py app:server`.

Threaded workers (gthread) by default, so a few slow or half-open clients cannot tie up every
worker; the app is loaded once before forking (--preload) so workers share its pages and a
bad model or unsafe setting stops the start. Every value can be set from the environment.
"""

from __future__ import annotations

import gc
import glob
import os
import shutil
import tempfile


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(
            f"flightdeck: cannot start: {name} must be a whole number above 0"
        )
    return int(raw)


bind = [f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{_env_int('PORT', 8050)}"]
workers = _env_int("WEB_CONCURRENCY", 2)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = _env_int("GUNICORN_THREADS", 8)  # a thread per request still being read
timeout = _env_int("GUNICORN_TIMEOUT", 60)  # a worker silent this long is restarted
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
preload_app = True
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = 500

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
logger_class = "server.access_log.JsonAccessLogger"
# gunicorn 25+ opens a control socket in $HOME; two instances side by side would clash.
control_socket_disable = True


def _metrics_folder(given: str) -> str:
    """A fresh folder for the workers' Prometheus files (server/metrics.py adds them up).

    Set before the app (and prometheus_client) is imported: the client picks its
    multi-process mode when it loads. An operator's PROMETHEUS_MULTIPROC_DIR is kept but
    emptied, so counts from an earlier run are not added to this one.
    """
    folder = given or tempfile.mkdtemp(prefix="flightdeck-metrics-")
    os.makedirs(folder, exist_ok=True)
    for stale in glob.glob(os.path.join(folder, "*.db")):
        os.remove(stale)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    return folder


_GIVEN_METRICS_FOLDER = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
METRICS_FOLDER = _metrics_folder(_GIVEN_METRICS_FOLDER)


def on_exit(_server) -> None:
    """Remove the metrics folder this start made (not an operator's own)."""
    if not _GIVEN_METRICS_FOLDER:
        shutil.rmtree(METRICS_FOLDER, ignore_errors=True)


def child_exit(_server, worker) -> None:
    """A worker that ended: its gauges stop counting (its counters are kept)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def pre_fork(_server, _worker) -> None:
    """Collect the start-up garbage, then freeze what is left out of the collector.

    The workers share the preloaded app's memory until they write to it. A full collection
    in a worker writes to every object it tracks, so each worker would then hold a private
    copy of most of the app: with one full collection forced in each worker, the whole
    server's PSS was 1.49x a worker's RSS without this, 1.19x with it (bench/memory.py).
    """
    gc.collect()
    gc.freeze()
