#!/usr/bin/env bash
# Sets up what is missing, builds the release (server + hydrated client) and serves
# Setia on SQLite (data/setia.db, created and migrated on start) at SETIA_ADDR
# (default http://127.0.0.1:3000). Offers to create the first admin.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source scripts/toolchain.sh
setia_toolchain
cargo leptos build --release
bin=${CARGO_TARGET_DIR:-target}/release/setia
export SETIA_SITE_ROOT=${SETIA_SITE_ROOT:-target/site}

if ! "$bin" has-admin 2>/dev/null; then
  if [[ -n ${SETIA_ADMIN_EMAIL:-} && -n ${SETIA_ADMIN_PASSWORD:-} ]]; then
    "$bin" create-admin --email "$SETIA_ADMIN_EMAIL"
  elif [[ -t 0 ]]; then
    read -r -p "No admin yet. Email for the first admin: " email
    "$bin" create-admin --email "$email"
  else
    echo "No admin yet. Create one with: $bin create-admin --email you@store.example" >&2
    echo "(or run this script with SETIA_ADMIN_EMAIL and SETIA_ADMIN_PASSWORD set)" >&2
  fi
fi
echo "Setia: http://${SETIA_ADDR:-127.0.0.1:3000}" >&2
exec "$bin" serve
