#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the LSP's PostgreSQL tests and prints
# its URL (source it or eval its output). Installs Debian's postgresql when missing.
# Usage: eval "$(bash .ci/postgres.sh start)"; ...; bash .ci/postgres.sh stop
set -euo pipefail
PORT="${ETRID_PG_PORT:-55432}"
DIR="${ETRID_PG_DIR:-/tmp/etrid-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    if [ -z "$BIN" ] || [ ! -x "$BIN/pg_ctl" ]; then
      if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
      else
        echo "postgresql is not installed and we are not root" >&2; exit 1
      fi
      BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    fi
    # A server that does not come up (a busy port, a slow first start) is retried on the next
    # ports; each failure prints the server's own log, so a CI tail says why.
    for attempt in 1 2 3; do
      if [ -f "$DIR/postmaster.pid" ]; then
        as_pg "$BIN/pg_ctl" -D "$DIR" -m immediate stop >/dev/null 2>&1 || true
      fi
      rm -rf "$DIR"
      mkdir -p "$DIR"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
      if as_pg "$BIN/initdb" -D "$DIR" -U etrid --auth=trust -E UTF8 >"$DIR.initdb.log" 2>&1 &&
        as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 120 \
          -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off" start >/dev/null &&
        as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U etrid etrid_test; then
        echo "export ETRID_TEST_POSTGRES_URL=postgres://etrid@127.0.0.1:$PORT/etrid_test"
        exit 0
      fi
      echo "PostgreSQL did not start on port $PORT (attempt $attempt); initdb and server said:" >&2
      tail -n 20 "$DIR.initdb.log" "$DIR/server.log" >&2 2>/dev/null || true
      PORT=$((PORT + 1))
    done
    echo "PostgreSQL could not be started" >&2
    exit 1
    ;;
  stop)
    [ -n "$BIN" ] && as_pg "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
