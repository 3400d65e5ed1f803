#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the cluster-mode tests: initdb in a temp
# folder (as the `postgres` user when run as root), listening on loopback
# only, trust auth. Prints the connection URL. `scripts/pg-scratch.sh stop DIR`
# stops it and removes DIR.
#   start: scripts/pg-scratch.sh start [PORT]  -> prints DIR and URL
set -euo pipefail
# The server outlives this script: it must not inherit descriptors of
# whoever started us (a test runner waiting on them would never return).
for fd in $(ls /proc/$$/fd 2>/dev/null); do
  if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[[ -x "$bin/initdb" ]] || { echo "pg-scratch: PostgreSQL server binaries not found (Debian package postgresql)" >&2; exit 2; }
as_pg() { if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
case "${1:-start}" in
  start)
    port=${2:-55432}
    dir=$(mktemp -d /tmp/stampede-pg.XXXXXX)
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    as_pg "'$bin/initdb' -D '$dir/data' -A trust -U postgres >'$dir/initdb.log' 2>&1"
    printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nmax_connections = 200\n" "$port" "$dir" \
      | as_pg "cat >> '$dir/data/postgresql.conf'"
    as_pg "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w start </dev/null >/dev/null 2>&1"
    echo "$dir"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=$2
    as_pg "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
    rm -rf "$dir"
    ;;
  restart)
    dir=$2
    as_pg "'$bin/pg_ctl' -D '$dir/data' -m fast -w restart </dev/null >/dev/null 2>&1"
    ;;
  stop-server)
    # Stops the server but keeps its data (fault tests start it again).
    as_pg "'$bin/pg_ctl' -D '$2/data' -m fast -w stop >/dev/null"
    ;;
  start-server)
    as_pg "'$bin/pg_ctl' -D '$2/data' -l '$2/server.log' -w start </dev/null >/dev/null 2>&1"
    ;;
  *) echo "usage: $0 start [PORT] | stop DIR | restart DIR | stop-server DIR | start-server DIR" >&2; exit 2 ;;
esac
