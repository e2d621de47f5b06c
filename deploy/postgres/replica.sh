#!/bin/sh
# The streaming replica: on an empty data directory, a base backup of the primary with a
# replication slot (-C -S) and standby settings (-R); then PostgreSQL in hot standby.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup -h postgres -U replicator -D "$PGDATA" -R -X stream -C -S replica1; do
    echo "the primary is not ready for a base backup yet"; rm -rf "${PGDATA:?}"/*; sleep 3
  done
  chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on
