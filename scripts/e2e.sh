#!/usr/bin/env bash
# Browser tests: serves the release build (`cargo leptos build --release --precompress`
# first, as test.sh does) on a fresh database, creates an admin, and runs Playwright in
# the system Chromium.
#   scripts/e2e.sh sqlite            # a fresh SQLite file
#   scripts/e2e.sh postgres URL      # a fresh database on the PostgreSQL server at URL
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/setia
[[ -x $bin ]] || { echo "[e2e] $bin missing: run cargo leptos build --release first" >&2; exit 1; }

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "[e2e] installing Debian chromium" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "[e2e] no Chromium at $chromium: install Debian's chromium or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi
# (Re)install when the lock file changed since the last install.
lock_sum=$(sha256sum end2end/package-lock.json | cut -d' ' -f1)
if [[ ! -x end2end/node_modules/.bin/playwright || $(cat end2end/node_modules/.setia-lock 2>/dev/null) != "$lock_sum" ]]; then
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >&2)
  echo "$lock_sum" >end2end/node_modules/.setia-lock
fi

work=$(mktemp -d /tmp/setia-e2e.XXXXXX)
case "$backend" in
  sqlite) db_url="sqlite://$work/setia.db" ;;
  postgres)
    admin_url=${2:?postgres needs the server URL}
    name="setia_e2e_$$_$RANDOM"
    psql "$admin_url" -qc "CREATE DATABASE $name" >/dev/null
    db_url="${admin_url%/*}/$name"
    ;;
  *) echo "usage: $0 sqlite | postgres URL" >&2; exit 2 ;;
esac
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL=$db_url SETIA_ADDR=127.0.0.1:$port SETIA_SITE_ROOT=${SETIA_SITE_ROOT:-target/site} SETIA_LOG=${SETIA_LOG:-warn}
# Every spec signs in from 127.0.0.1: the per-IP sign-in rate would throttle the suite.
export SETIA_SIGN_IN_PER_MINUTE=1000
export SETIA_E2E_URL=http://127.0.0.1:$port SETIA_E2E_ADMIN_EMAIL=admin@toko.test SETIA_E2E_ADMIN_PASSWORD='admin password 123'

"$bin" create-admin --email "$SETIA_E2E_ADMIN_EMAIL" --name "Ayu Admin" --password "$SETIA_E2E_ADMIN_PASSWORD" >/dev/null
# An admin API token, for the tests that seed a store through the REST API.
SETIA_E2E_TOKEN=$("$bin" token create --name e2e --scope admin 2>/dev/null)
export SETIA_E2E_TOKEN
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; cp "$work/server.log" /tmp/setia-e2e-last-server.log 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$SETIA_E2E_URL/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
echo "[e2e] Setia on $SETIA_E2E_URL ($backend)" >&2
(cd end2end && CHROMIUM_PATH=$chromium npx playwright test) || { echo "[e2e] server log:" >&2; tail -50 "$work/server.log" >&2; exit 1; }
