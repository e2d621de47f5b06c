"""gunicorn's settings file, read from the working directory (the image's /app).

- Logs: gunicorn's own lines (errors, and the access log) go through the portal's LOGGING, so
  they are JSON in production and masked like every other line (portal.core.logging).
- Metrics: with PROMETHEUS_MULTIPROC_DIR set (docker-compose.yml's web), the workers' request
  metrics are summed at /metrics/ (portal.core.metrics) from a folder emptied at start.
"""

import os
import shutil


def _logconfig() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    from django.conf import settings

    config = dict(settings.LOGGING)
    through_root = {"level": "INFO", "handlers": [], "propagate": True}
    config["loggers"] = {
        **config.get("loggers", {}),
        "gunicorn.error": through_root,
        "gunicorn.access": through_root,
    }
    return config


logconfig_dict = _logconfig()


def on_starting(server) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
