#!/usr/bin/env bash
# Every test: unit and HTTP integration tests on SQLite and PostgreSQL, the schema
# parity test, the release build (server + hydrated wasm), and the browser tests in
# Chromium on both databases. Sets up what is missing first (see scripts/toolchain.sh).
# PostgreSQL: a throwaway cluster from the installed binaries, or TEST_DATABASE_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source scripts/toolchain.sh
setia_toolchain
step() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)" >&2; }

if [[ -z ${TEST_DATABASE_URL:-} ]]; then
  pgdir=$(mktemp -d /tmp/setia-pg.XXXXXX)
  chmod 755 "$pgdir"
  pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  step "PostgreSQL: throwaway cluster on port $pgport"
  TEST_DATABASE_URL=$(scripts/pg-throwaway.sh start "$pgdir" "$pgport")
  export TEST_DATABASE_URL
  trap 'scripts/pg-throwaway.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
fi

step "unit and integration tests (SQLite + PostgreSQL)"
cargo test --workspace --exclude setia-frontend --locked

step "release build: server + hydrated client"
cargo leptos build --release

step "browser tests on SQLite"
scripts/e2e.sh sqlite
step "browser tests on PostgreSQL"
scripts/e2e.sh postgres "$TEST_DATABASE_URL"
step "all tests passed"
