"""Where the Dash background jobs (batch scoring, retrain) run, and where their state lives.

Without REDIS_URL: a process per job on this machine, its state in a disk cache under the
home (Dash's DiskcacheManager). With REDIS_URL: Celery workers (`celery -A worker worker`),
the queue and each job's progress and result in Redis (Dash's CeleryManager), so a job
outlives the web process that started it and any web process can report on it.
Celery is imported only when REDIS_URL is set.
"""

from __future__ import annotations

import dash
import diskcache

from config import Settings

JOB_EXPIRE_S = 3600  # a finished job's result and progress are kept this long
EXTENSION = "flightdeck_jobs"  # the app's manager, in its Flask server's extensions


def background_manager(settings: Settings):
    """Celery + Redis with REDIS_URL, else a disk cache under the home."""
    if settings.redis_url:
        return dash.CeleryManager(celery_app(settings.redis_url), expire=JOB_EXPIRE_S)
    return dash.DiskcacheManager(
        diskcache.Cache(str(settings.home / "jobs")), expire=JOB_EXPIRE_S
    )


def celery_app(redis_url: str):
    """A Celery app with Redis as broker and result store, for Dash's JSON job messages."""
    from celery import Celery

    celery = Celery("flightdeck", broker=redis_url, backend=redis_url)
    celery.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=JOB_EXPIRE_S,
        task_track_started=True,
        # A job runs for minutes: a worker takes one at a time, not a queue of them.
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
    )
    return celery


def celery_of(app: dash.Dash):
    """The Celery app whose workers run this Dash app's jobs (None without REDIS_URL)."""
    manager = app.server.extensions.get(EXTENSION)
    return manager.handle if isinstance(manager, dash.CeleryManager) else None
