"""The Celery app whose workers run Flightdeck's background jobs when REDIS_URL is set.

    celery -A worker worker --loglevel=INFO      # the Procfile's `worker:` line

Importing this module does nothing. `worker.app`, which `celery -A worker` asks for, builds
the Dash app from the environment on first access, as `app:server` does for gunicorn (the
same settings and refusals), so the worker registers each background callback (batch
scoring, retrain) as a task, and hands Celery the app those tasks are registered on.
"""

from __future__ import annotations

import sys

from threadpoolctl import threadpool_limits

import app as web  # inert on import too: `web.app` is built on first access
from config import Settings
from server.jobs import celery_of


def celery_from_env():
    """The Celery app of the Dash app that the environment describes."""
    if not Settings.from_env().redis_url:
        print(
            "flightdeck worker: cannot start: REDIS_URL is not set (without it jobs "
            "run in the web app's own processes and need no worker)",
            file=sys.stderr,
            flush=True,
        )
        raise SystemExit(1)
    # One thread (OpenMP, BLAS) here and in the pool's processes forked from here: a
    # retrain hung in scikit-learn's OpenMP in a child forked after its threads started,
    # and with two threads it took 24 s against 3.8 s with one on cores the web shares.
    # More jobs at once: `--concurrency`.
    threadpool_limits(limits=1)
    return celery_of(web.app)


def __getattr__(name: str):
    """`worker.app` (and `worker.celery`) for `celery -A worker`, built on first access."""
    if name in ("app", "celery"):
        built = celery_from_env()
        globals().update(app=built, celery=built)
        return built
    raise AttributeError(name)
