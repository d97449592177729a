#!/usr/bin/env bash
# Sets up what is missing, builds the release (server + hydrated client, with .br/.gz
# copies of the client's files, which the server sends instead of compressing) and serves
# Setia on SQLite (data/setia.db, created and migrated on start) at SETIA_ADDR
# (default http://127.0.0.1:3000). On first start it offers to create the first admin
# and to fill the empty store with demo data (SETIA_DEMO=yes|no answers without asking).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source scripts/toolchain.sh
setia_toolchain
cargo leptos build --release --precompress
bin=${CARGO_TARGET_DIR:-target}/release/setia
export SETIA_SITE_ROOT=${SETIA_SITE_ROOT:-target/site}

first_start=false
if ! "$bin" has-admin 2>/dev/null; then
  first_start=true
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
if $first_start; then
  demo=${SETIA_DEMO:-}
  if [[ -z $demo && -t 0 ]]; then
    read -r -p "Fill the empty store with demo data (customers, orders, tiers)? [Y/n] " answer
    [[ ${answer:-y} =~ ^[Yy] ]] && demo=yes || demo=no
  fi
  if [[ $demo == yes ]]; then
    "$bin" demo-data || echo "(demo data skipped: the database is not empty)" >&2
  fi
fi
echo "Setia: http://${SETIA_ADDR:-127.0.0.1:3000}" >&2
exec "$bin" serve
