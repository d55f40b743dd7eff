"""Where background jobs run: a disk cache by default, Celery + Redis with REDIS_URL; the
worker module is inert on import and refuses to start without REDIS_URL."""

from __future__ import annotations

import subprocess
import sys

import dash
import pytest

from app import background_manager
from bench.server import ROOT
from config import Settings
from server import jobs
from server.safety import UnsafeSettings, local_settings
from tests.scale.redis_server import need_celery

REDIS = "redis://127.0.0.1:6399/2"  # never connected to: building the manager is lazy


def test_bgm001_without_redis_url_jobs_use_a_disk_cache_under_the_home(tmp_path):
    settings = Settings(home=tmp_path)
    assert settings.redis_url == ""
    manager = background_manager(settings)
    assert isinstance(manager, dash.DiskcacheManager)
    assert manager.handle.directory == str(tmp_path / "jobs")


def test_bgm002_redis_url_sends_jobs_to_celery_with_redis_as_queue_and_store(tmp_path):
    need_celery()
    manager = background_manager(Settings(home=tmp_path, redis_url=REDIS))
    assert isinstance(manager, dash.CeleryManager)
    celery = manager.handle
    assert celery.conf.broker_url == REDIS
    assert celery.conf.result_backend == REDIS
    assert celery.conf.accept_content == ["json"]
    assert not (tmp_path / "jobs").exists()


def test_bgm003_the_app_names_the_celery_app_its_workers_run(app_context):
    from app import create_app

    default = create_app(app_context.settings, context=app_context)
    assert jobs.celery_of(default) is None
    need_celery()
    settings = app_context.settings.with_overrides(redis_url=REDIS)
    app = create_app(settings, context=app_context)
    celery = jobs.celery_of(app)
    assert celery is not None and celery.conf.broker_url == REDIS
    tasks = [name for name in celery.tasks if name.startswith("background_callback_")]
    assert len(tasks) >= 2  # the batch scoring and the retrain


def test_bgm004_redis_url_is_read_from_the_environment_and_checked():
    assert Settings.from_env({"REDIS_URL": REDIS}).redis_url == REDIS
    assert Settings.from_env({}).redis_url == ""
    with pytest.raises(ValueError, match="REDIS_URL"):
        Settings.from_env({"REDIS_URL": "localhost:6379"})


def test_bgm005_local_runs_with_redis_need_the_workers_secret_key():
    with pytest.raises(UnsafeSettings, match="SECRET_KEY"):
        local_settings(Settings(redis_url=REDIS), user_count=0)
    kept = local_settings(Settings(redis_url=REDIS, secret_key="k" * 32), 0)
    assert kept.secret_key == "k" * 32


def _python(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "FLIGHTDECK_HOME": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bgm006_importing_the_worker_module_builds_nothing(tmp_path):
    done = _python("import worker; print('app' in vars(worker))", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert list(tmp_path.iterdir()) == []  # no data, model or database made


def test_bgm007_the_worker_refuses_to_start_without_redis_url(tmp_path):
    done = _python("import worker; worker.app", tmp_path)
    assert done.returncode == 1
    assert "REDIS_URL is not set" in done.stderr
    assert list(tmp_path.iterdir()) == []
