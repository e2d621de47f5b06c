#!/usr/bin/env bash
# Serves the portal on http://127.0.0.1:8000 with its Celery worker and beat and a localstripe
# server. With no Redis reachable, Celery runs eagerly inside the web process, and this says so.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
if "$BIN/python" - "$REDIS_URL" <<'PY' 2>/dev/null
import sys

import redis

redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
PY
then
  echo "Redis отвечает ($REDIS_URL): запускаю веб-сервер, Celery worker, beat и localstripe."
  procfile=Procfile.dev
else
  echo "Redis не отвечает ($REDIS_URL): Celery работает в режиме eager — задачи выполняются"
  echo "внутри веб-сервера, периодические задачи (beat) не запускаются."
  unset REDIS_URL
  procfile=Procfile.eager
fi
echo "Портал: http://127.0.0.1:8000  (демо-входы — в README.md)"
exec "$BIN/honcho" -f "$procfile" start
