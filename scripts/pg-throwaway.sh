#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, from the installed PostgreSQL binaries.
#   scripts/pg-throwaway.sh start DIR PORT   -> prints the admin URL (postgres://…/postgres)
#   scripts/pg-throwaway.sh stop DIR
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
set -euo pipefail

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
    [[ -x $d/initdb ]] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

BIN=$(find_bin) || {
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "[pg] installing PostgreSQL (apt)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    BIN=$(find_bin)
  else
    echo "[pg] no PostgreSQL binaries found: install PostgreSQL, or set TEST_DATABASE_URL" >&2
    exit 1
  fi
}

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd=${1:?start|stop}
dir=${2:?data directory}
case "$cmd" in
  start)
    port=${3:?port}
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown -R postgres "$dir" 2>/dev/null || true
    [[ $(id -u) -eq 0 ]] && id postgres >/dev/null 2>&1 && chown postgres "$dir"
    if [[ ! -f $dir/data/PG_VERSION ]]; then
      as_pg "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null || { tail -20 "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [[ -f $dir/data/postmaster.pid ]] && as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
