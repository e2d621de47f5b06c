"""gunicorn's settings file, read from the working directory (the image's /app): with
PROMETHEUS_MULTIPROC_DIR set (docker-compose.yml's web), the workers' request metrics are summed
at /metrics/ (portal.core.metrics) from a folder emptied when gunicorn starts."""

import os
import shutil


def on_starting(server) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
