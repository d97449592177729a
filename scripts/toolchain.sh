# shellcheck shell=bash
# Sourced by run.sh and test.sh: makes sure cargo can build the server and the
# wasm client, and that cargo-leptos, wasm-bindgen and wasm-opt are on PATH.
#
# Two routes, picked automatically:
#  1. rustup: `rustup target add wasm32-unknown-unknown` (a normal machine), then
#     `cargo install cargo-leptos` if missing (cargo-leptos fetches wasm-bindgen
#     and wasm-opt itself).
#  2. offline route (machines that reach only package registries, where the rustup
#     download hangs): Debian's rustc-web with std for wasm32 built from its source,
#     see scripts/install-wasm-toolchain.sh. Everything is then built by that rustc.
# SETIA_TOOLCHAIN=rustup|debian forces a route.

_setia_log() { printf '[setia setup] %s\n' "$*" >&2; }
_setia_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SETIA_CARGO_LEPTOS_VERSION=0.3.11
SETIA_WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$_setia_root/Cargo.lock")

_setia_debian_ready() {
  [[ -f /opt/rust-web/env.sh ]] || return 1
  (source /opt/rust-web/env.sh && compgen -G "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib" >/dev/null &&
    cargo-leptos --version >/dev/null 2>&1 && wasm-bindgen --version 2>/dev/null | grep -q "$SETIA_WASM_BINDGEN_VERSION")
}

_setia_use_debian() {
  if ! _setia_debian_ready; then
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    _setia_log "installing the offline wasm toolchain (Debian rustc-web; about a minute with prebuilt tools, ~20 min without)"
    (cd "$_setia_root" && $sudo bash scripts/install-wasm-toolchain.sh "$SETIA_WASM_BINDGEN_VERSION") || return 1
  fi
  # shellcheck disable=SC1091
  source /opt/rust-web/env.sh
  export SETIA_TOOLCHAIN=debian
}

# Why the rustup route failed, for the message that announces the switch.
_setia_rustup_failure=""

_setia_rustup_ready() {
  rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$' &&
    cargo leptos --version 2>/dev/null | grep -q "$SETIA_CARGO_LEPTOS_VERSION"
}

_setia_use_rustup() {
  command -v rustup >/dev/null || { _setia_rustup_failure="rustup is not installed"; return 1; }
  if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    _setia_log "rustup target add wasm32-unknown-unknown (90 s limit)"
    timeout 90 rustup target add wasm32-unknown-unknown >&2 || { _setia_rustup_failure="rustup could not download the wasm32 target"; return 1; }
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$SETIA_CARGO_LEPTOS_VERSION"; then
    _setia_log "cargo install cargo-leptos $SETIA_CARGO_LEPTOS_VERSION (several minutes, once)"
    cargo install --locked cargo-leptos --version "=$SETIA_CARGO_LEPTOS_VERSION" >&2 || {
      _setia_rustup_failure="cargo-leptos $SETIA_CARGO_LEPTOS_VERSION could not be installed with $(rustc --version 2>/dev/null) (its dependencies may need a newer rustc)"
      return 1
    }
  fi
  export SETIA_TOOLCHAIN=rustup
}

setia_toolchain() {
  command -v cargo >/dev/null || [[ -x /usr/bin/cargo ]] || [[ -f /opt/rust-web/env.sh ]] || {
    _setia_log "no Rust toolchain: install one from https://rustup.rs and run this again"
    return 1
  }
  case "${SETIA_TOOLCHAIN:-auto}" in
    rustup) _setia_use_rustup ;;
    debian) _setia_use_debian ;;
    *)
      # A route already set up wins; otherwise rustup is tried first and the
      # offline route taken when any step of it fails (the message says which).
      if _setia_rustup_ready; then
        _setia_use_rustup
      elif _setia_debian_ready; then
        _setia_use_debian
      else
        _setia_use_rustup || { _setia_log "the rustup route failed: $_setia_rustup_failure; using the offline route"; _setia_use_debian; }
      fi
      ;;
  esac || { _setia_log "could not set up a wasm-capable toolchain"; return 1; }
  _setia_log "toolchain: $SETIA_TOOLCHAIN ($(rustc --version))"
}
