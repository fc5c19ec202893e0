#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: `initdb` in a folder of its own, listening on a loopback port only
# (and a Unix socket inside that folder), with one password-protected role and database.
#
#   .ci/pg-cluster.sh start DIR [PORT]   initdb in DIR (which must not exist yet), start, print the URL on stdout
#   .ci/pg-cluster.sh stop DIR           stop the cluster and delete DIR
#   .ci/pg-cluster.sh bin                print the folder of initdb/pg_ctl it would use (or say why there is none)
#
# PORT defaults to a free one the system picks. PG_BIN names the folder of initdb/pg_ctl (default: the newest
# /usr/lib/postgresql/*/bin, or what is on PATH). As root, the server runs as the `postgres` user (PostgreSQL refuses
# to run as root).
set -euo pipefail

command="${1:-}"
dir="${2:-}"
if [ -z "$command" ] || { [ -z "$dir" ] && [ "$command" != bin ]; }; then
  echo "usage: $0 start DIR [PORT] | stop DIR | bin" >&2
  exit 2
fi

if [ -z "${PG_BIN:-}" ]; then
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$PG_BIN" ]; then PG_BIN="$(dirname "$(command -v initdb || echo /nonexistent/initdb)")"; fi
fi
if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
  echo "no initdb/pg_ctl in $PG_BIN: install PostgreSQL (Debian: apt-get install postgresql) or set PG_BIN" >&2
  exit 1
fi

# As the cluster's owner: root hands the commands to `postgres`.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
  bin)
    echo "$PG_BIN"
    ;;
  start)
    if [ -e "$dir" ]; then
      echo "$dir already exists: give a new folder" >&2
      exit 1
    fi
    port="${3:-}"
    if [ -z "$port" ]; then
      port="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
    fi
    mkdir -p "$dir"
    chmod 700 "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    password="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    printf '%s\n' "$password" >"$dir/pwfile"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir/pwfile"; fi
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U salon --pwfile="$dir/pwfile" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
    # Loopback only; the socket lives in the folder, not in /var/run. fsync off: a throwaway cluster for tests.
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_owner env PGPASSWORD="$password" "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U salon -d postgres \
      -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE salon OWNER salon" >/dev/null
    echo "postgresql://salon:$password@127.0.0.1:$port/salon"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start DIR [PORT] | stop DIR | bin" >&2
    exit 2
    ;;
esac
