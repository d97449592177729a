#!/usr/bin/env bash
# Every test: the format and lint checks, unit and HTTP integration tests on SQLite and PostgreSQL, the schema
# parity test, the release build (server + hydrated wasm, precompressed) and the wasm's
# size budget (SETIA_WASM_BR_BUDGET bytes brotli-compressed, default 1,200,000), and the
# browser tests in Chromium on both databases. Sets up what is missing first (see
# scripts/toolchain.sh).
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

step "format and lints: cargo fmt --check, clippy with warnings as errors"
cargo fmt --all --check
cargo clippy --workspace --exclude setia-frontend --all-targets --locked -- -D warnings

step "unit and integration tests (SQLite + PostgreSQL)"
cargo test --workspace --exclude setia-frontend --locked

step "release build: server + hydrated client (+ .br/.gz copies of the site's files)"
cargo leptos build --release --precompress

# The hydrate wasm's size as browsers download it: brotli, as the server sends pkg/ files.
step "bundle budget: the hydrate wasm, brotli-compressed"
budget=${SETIA_WASM_BR_BUDGET:-1200000}
# Where cargo-leptos writes the site: site-root in Cargo.toml (relative to the workspace).
site_root=$(awk -F'"' '/^site-root *=/{print $2; exit}' Cargo.toml)
for wasm in "${site_root:-target/site}"/pkg/*.wasm; do
  [[ -f $wasm ]] || { echo "no wasm under ${site_root:-target/site}/pkg: did the release build run?" >&2; exit 1; }
  if [[ -f $wasm.br ]]; then # written by --precompress (brotli quality 11)
    br_bytes=$(($(wc -c <"$wasm.br")))
  else
    if ! command -v brotli >/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      echo "no $wasm.br: installing Debian's brotli to measure" >&2
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq brotli >/dev/null
    fi
    command -v brotli >/dev/null || { echo "no $wasm.br and no brotli command to measure $wasm" >&2; exit 1; }
    br_bytes=$(($(brotli -c -q 11 "$wasm" | wc -c)))
  fi
  raw_bytes=$(($(wc -c <"$wasm")))
  if ((br_bytes > budget)); then
    echo "FAILED: ${wasm##*/} is $br_bytes bytes brotli-compressed ($raw_bytes uncompressed), over the budget of $budget bytes by $((br_bytes - budget))" >&2
    exit 1
  fi
  echo "${wasm##*/}: $br_bytes bytes brotli-compressed ($raw_bytes uncompressed), within the budget of $budget bytes" >&2
done

step "browser tests on SQLite"
scripts/e2e.sh sqlite
step "browser tests on PostgreSQL"
scripts/e2e.sh postgres "$TEST_DATABASE_URL"
step "all tests passed"
