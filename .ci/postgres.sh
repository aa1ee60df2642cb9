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
    if [ -f "$DIR/postmaster.pid" ]; then
      as_pg "$BIN/pg_ctl" -D "$DIR" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
    as_pg "$BIN/initdb" -D "$DIR" -U etrid --auth=trust -E UTF8 >/dev/null
    as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off" start >/dev/null
    as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U etrid etrid_test
    echo "export ETRID_TEST_POSTGRES_URL=postgres://etrid@127.0.0.1:$PORT/etrid_test"
    ;;
  stop)
    [ -n "$BIN" ] && as_pg "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
