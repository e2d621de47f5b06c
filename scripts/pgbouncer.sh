#!/usr/bin/env bash
# PgBouncer in transaction mode on 127.0.0.1:6432 in front of the local PostgreSQL (Debian's
# package), for CI's second pass of the tests that pooling can break. PgBouncer refuses to run as
# root, so it runs as `postgres`. Usage: scripts/pgbouncer.sh start|stop
set -euo pipefail
DIR="${PGBOUNCER_DIR:-/tmp/portal-pgbouncer}"
PORT="${PGBOUNCER_PORT:-6432}"

case "${1:-}" in
start)
  mkdir -p "$DIR"
  cat >"$DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=5432 timezone=UTC
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 40
ignore_startup_parameters = extra_float_digits,options
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
INI
  echo '"postgres" ""' >"$DIR/userlist.txt"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$DIR"
    su postgres -s /bin/sh -c "pgbouncer -d '$DIR/pgbouncer.ini'"
  else
    pgbouncer -d "$DIR/pgbouncer.ini"
  fi
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p "$PORT" -q && exit 0
    sleep 0.5
  done
  echo "PgBouncer did not start: $(tail -n 5 "$DIR/pgbouncer.log")" >&2
  exit 1
  ;;
stop)
  [ -f "$DIR/pgbouncer.pid" ] && kill "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null || true
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
