# shellcheck shell=bash
# Sourced by run.sh and test.sh: makes sure cargo can build the server and the
# wasm client, and that cargo-leptos, wasm-bindgen and wasm-opt are on PATH.
#
# Two routes, picked automatically:
#  1. rustup (a normal machine): the toolchain pinned in rust-toolchain.toml (with the
#     wasm32 target, rustfmt and clippy), then `cargo install cargo-leptos` if missing
#     (cargo-leptos fetches wasm-bindgen and wasm-opt itself).
#  2. offline route (machines that reach only package registries, where rustup's
#     downloads fail or hang): Debian's rustc-web with std for wasm32 built from its
#     source, see scripts/install-wasm-toolchain.sh. Everything is then built by that
#     rustc; rust-toolchain.toml does not apply to its cargo. rustup's proxies (cargo fmt,
#     cargo clippy when Debian's are not installed) get an installed toolchain through
#     RUSTUP_TOOLCHAIN when the pinned one is not installed.
# SETIA_TOOLCHAIN=rustup|debian forces a route. SETIA_RUSTUP_TIMEOUT (seconds, default
# 300) limits rustup's toolchain download.

_setia_log() { printf '[setia setup] %s\n' "$*" >&2; }
_setia_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SETIA_CARGO_LEPTOS_VERSION=0.3.11
SETIA_WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$_setia_root/Cargo.lock")
# The toolchain rust-toolchain.toml pins, e.g. 1.96.
SETIA_RUST_CHANNEL=$(sed -n 's/^channel *= *"\([^"]*\)".*/\1/p' "$_setia_root/rust-toolchain.toml" 2>/dev/null)

# `timeout SECONDS CMD...` (exit 124 when the time ran out), also where coreutils' is missing (macOS).
_setia_timeout() {
  local limit=$1 pid watchdog rc=0
  shift
  if command -v timeout >/dev/null; then
    timeout "$limit" "$@"
    return
  fi
  "$@" &
  pid=$!
  (for ((i = 0; i < limit; i++)); do sleep 1 && kill -0 "$pid" 2>/dev/null || exit 0; done && kill "$pid") >/dev/null 2>&1 &
  watchdog=$!
  wait "$pid" || rc=$?
  kill "$watchdog" 2>/dev/null
  ((rc == 143)) && rc=124
  return "$rc"
}

# rustup run from the project folder, never downloading anything (RUSTUP_AUTO_INSTALL=0,
# rustup >= 1.28) and never for long: for questions about what is installed.
_setia_rustup_local() { (cd "$_setia_root" && RUSTUP_AUTO_INSTALL=0 _setia_timeout 20 rustup "$@"); }

# What a failed command's log says went wrong: its first `error` line (else its last line),
# plus the two lines after cargo's "Caused by:" (cargo's error line alone rarely says why).
_setia_first_error() {
  local line cause
  line=$(grep -m1 -iE '^(error|fatal)' "$1" 2>/dev/null || true)
  [[ -n $line ]] || line=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -1)
  cause=$(awk '/^Caused by:/{c=1; next} c && NF {sub(/^ +/, ""); printf "%s%s", (n++ ? " " : ""), $0; if (n == 2) exit}' "$1" 2>/dev/null)
  printf '%s' "${line:-no output}${cause:+ (caused by: $cause)}"
}

_setia_debian_ready() {
  [[ -f /opt/rust-web/env.sh ]] || return 1
  (source /opt/rust-web/env.sh && compgen -G "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib" >/dev/null &&
    cargo-leptos --version >/dev/null 2>&1 && wasm-bindgen --version 2>/dev/null | grep -q "$SETIA_WASM_BINDGEN_VERSION" &&
    [[ -x /opt/rust-web/bin/cargo-clippy && -x /opt/rust-web/bin/cargo-fmt ]])
}

# RUSTUP_TOOLCHAIN set by _setia_rustup_for_tools (in this shell or a parent) is
# dropped; one set by the user is kept and then wins over rust-toolchain.toml.
_setia_forget_tools_toolchain() {
  if [[ -n ${SETIA_TOOLS_TOOLCHAIN:-} && ${RUSTUP_TOOLCHAIN:-} == "$SETIA_TOOLS_TOOLCHAIN" ]]; then
    unset RUSTUP_TOOLCHAIN
  fi
  unset SETIA_TOOLS_TOOLCHAIN
}

# On the offline route cargo is Debian's, but `cargo fmt` / `cargo clippy` may still reach
# rustup's proxies in ~/.cargo/bin, which read rust-toolchain.toml: with the pinned
# toolchain not installed they fail (or, on a machine allowing auto-install, try to
# download it). Point them at an installed toolchain with rustfmt and clippy instead.
_setia_rustup_for_tools() {
  command -v rustup >/dev/null || return 0
  _setia_forget_tools_toolchain
  [[ -n $SETIA_RUST_CHANNEL && -z ${RUSTUP_TOOLCHAIN:-} ]] || return 0
  _setia_rustup_local which --toolchain "$SETIA_RUST_CHANNEL" rustfmt >/dev/null 2>&1 &&
    _setia_rustup_local which --toolchain "$SETIA_RUST_CHANNEL" cargo-clippy >/dev/null 2>&1 && return 0
  local candidates t chosen=""
  # The default toolchain first, then stable, then any other installed one.
  candidates=$(
    _setia_rustup_local default 2>/dev/null | awk '{print $1}'
    echo stable
    _setia_rustup_local toolchain list 2>/dev/null | awk '{print $1}'
  )
  for t in $candidates; do
    if _setia_rustup_local which --toolchain "$t" rustfmt >/dev/null 2>&1 &&
      _setia_rustup_local which --toolchain "$t" cargo-clippy >/dev/null 2>&1; then
      chosen=$t
      break
    fi
  done
  # Debian's cargo runs the cargo-fmt / cargo-clippy found first: ~/.cargo/bin's proxies,
  # unless install-wasm-toolchain.sh put Debian's in /opt/rust-web/bin.
  local debian_lint="cargo fmt/clippy use Debian's rustfmt-web/rust-web-clippy"
  if [[ ! -x /opt/rust-web/bin/cargo-clippy || ! -x /opt/rust-web/bin/cargo-fmt ]]; then
    debian_lint="cargo fmt/clippy use it; its clippy cannot check crates Debian's rustc built (E0514): sudo scripts/install-wasm-toolchain.sh adds Debian's"
  fi
  if [[ -z $chosen ]]; then
    _setia_log "rustup has neither toolchain $SETIA_RUST_CHANNEL (pinned by rust-toolchain.toml) nor another with rustfmt and clippy: rustup's cargo fmt/clippy will fail here"
    return 0
  fi
  export RUSTUP_TOOLCHAIN=$chosen SETIA_TOOLS_TOOLCHAIN=$chosen
  _setia_log "RUSTUP_TOOLCHAIN=$chosen for rustup's proxies: toolchain $SETIA_RUST_CHANNEL pinned by rust-toolchain.toml is not installed in rustup and the offline route does not download it ($debian_lint)"
}

_setia_use_debian() {
  if ! _setia_debian_ready; then
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    _setia_log "installing the offline wasm toolchain (Debian rustc-web; about a minute with prebuilt tools, ~20 min without)"
    (cd "$_setia_root" && $sudo bash scripts/install-wasm-toolchain.sh "$SETIA_WASM_BINDGEN_VERSION") || {
      _setia_log "scripts/install-wasm-toolchain.sh failed (its last lines are above)"
      return 1
    }
  fi
  # shellcheck disable=SC1091
  source /opt/rust-web/env.sh
  _setia_rustup_for_tools
  export SETIA_TOOLCHAIN=debian
}

# Why the rustup route failed, for the message that announces the switch.
_setia_rustup_failure=""

# Whether the rustup route is set up; when not, _setia_rustup_unready says what is missing.
_setia_rustup_unready=""
_setia_rustup_ready() {
  command -v rustup >/dev/null || { _setia_rustup_unready="rustup is not installed"; return 1; }
  local targets toolchain=${SETIA_RUST_CHANNEL:-stable}
  # A RUSTUP_TOOLCHAIN of the user's wins over rust-toolchain.toml, as it does for rustup.
  [[ -n ${RUSTUP_TOOLCHAIN:-} && ${RUSTUP_TOOLCHAIN:-} != "${SETIA_TOOLS_TOOLCHAIN:-}" ]] && toolchain=$RUSTUP_TOOLCHAIN
  _setia_rustup_unready="rustup has no toolchain $toolchain"
  _setia_rustup_local which --toolchain "$toolchain" rustc >/dev/null 2>&1 || return 1
  _setia_rustup_unready="rustup's $toolchain has no wasm32-unknown-unknown target"
  targets=$(_setia_rustup_local target list --installed --toolchain "$toolchain" 2>/dev/null) || return 1
  grep -qx 'wasm32-unknown-unknown' <<<"$targets" || return 1
  _setia_rustup_unready="cargo-leptos $SETIA_CARGO_LEPTOS_VERSION is not installed for rustup's cargo"
  (cd "$_setia_root" && RUSTUP_AUTO_INSTALL=0 _setia_timeout 20 cargo leptos --version 2>/dev/null) | grep -q "$SETIA_CARGO_LEPTOS_VERSION" || return 1
  _setia_rustup_unready=""
}

# Installs the toolchain rust-toolchain.toml pins, with its targets and components.
_setia_rustup_install_pinned() {
  local limit=${SETIA_RUSTUP_TIMEOUT:-300} log rc=0 version cmd
  version=$(rustup --version 2>/dev/null | awk '{print $2}')
  # rustup >= 1.28 installs the active toolchain with `rustup toolchain install`; older
  # ones install a toolchain file's toolchain on first use (`rustup show`).
  if awk -F. '{ exit !($1 > 1 || ($1 == 1 && $2 >= 28)) }' <<<"${version:-0}"; then
    cmd="rustup toolchain install"
  else
    cmd="rustup show"
  fi
  _setia_log "$cmd: toolchain $SETIA_RUST_CHANNEL pinned by rust-toolchain.toml ($limit s limit)"
  log=$(mktemp)
  # shellcheck disable=SC2086
  (cd "$_setia_root" && _setia_timeout "$limit" $cmd) >"$log" 2>&1 || rc=$?
  cat "$log" >&2
  if ((rc != 0)) || ! _setia_rustup_local which --toolchain "$SETIA_RUST_CHANNEL" rustc >/dev/null 2>&1; then
    if ((rc == 124)); then
      _setia_rustup_failure="'$cmd' (toolchain $SETIA_RUST_CHANNEL) did not finish within $limit s (rustup's download hangs or is slow here; SETIA_RUSTUP_TIMEOUT sets the limit)"
    else
      _setia_rustup_failure="'$cmd' (toolchain $SETIA_RUST_CHANNEL) failed: $(_setia_first_error "$log")"
    fi
    # An interrupted install can leave a toolchain folder that rustup takes for installed.
    (cd "$_setia_root" && _setia_timeout 60 rustup toolchain uninstall "$SETIA_RUST_CHANNEL") >/dev/null 2>&1 || true
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

_setia_use_rustup() {
  command -v rustup >/dev/null || { _setia_rustup_failure="rustup is not installed"; return 1; }
  # A toolchain this script chose for the offline route must not steer the rustup route.
  _setia_forget_tools_toolchain
  local log rc targets
  if [[ -n $SETIA_RUST_CHANNEL && -z ${RUSTUP_TOOLCHAIN:-} ]] &&
    ! _setia_rustup_local which --toolchain "$SETIA_RUST_CHANNEL" rustc >/dev/null 2>&1; then
    _setia_rustup_install_pinned || return 1
  fi
  targets=$(_setia_rustup_local target list --installed 2>&1) || {
    _setia_rustup_failure="'rustup target list --installed' failed: $(head -1 <<<"$targets")"
    return 1
  }
  if ! grep -qx 'wasm32-unknown-unknown' <<<"$targets"; then
    _setia_log "rustup target add wasm32-unknown-unknown (90 s limit)"
    log=$(mktemp)
    rc=0
    (cd "$_setia_root" && _setia_timeout 90 rustup target add wasm32-unknown-unknown) >"$log" 2>&1 || rc=$?
    cat "$log" >&2
    if ((rc == 124)); then
      _setia_rustup_failure="'rustup target add wasm32-unknown-unknown' did not finish within 90 s (rustup's download hangs or is slow here)"
    elif ((rc != 0)); then
      _setia_rustup_failure="'rustup target add wasm32-unknown-unknown' failed: $(_setia_first_error "$log")"
    fi
    rm -f "$log"
    ((rc == 0)) || return 1
  fi
  if ! (cd "$_setia_root" && cargo leptos --version 2>/dev/null) | grep -q "$SETIA_CARGO_LEPTOS_VERSION"; then
    local rustc_version
    rustc_version=$(cd "$_setia_root" && rustc --version 2>/dev/null)
    _setia_log "cargo install cargo-leptos $SETIA_CARGO_LEPTOS_VERSION with $rustc_version (several minutes, once)"
    log=$(mktemp)
    (cd "$_setia_root" && cargo install --locked cargo-leptos --version "=$SETIA_CARGO_LEPTOS_VERSION") 2>&1 | tee "$log" >&2
    rc=${PIPESTATUS[0]}
    if ((rc != 0)); then
      _setia_rustup_failure="'cargo install --locked cargo-leptos --version =$SETIA_CARGO_LEPTOS_VERSION' with $rustc_version failed: $(_setia_first_error "$log")"
      rm -f "$log"
      return 1
    fi
    rm -f "$log"
  fi
  export SETIA_TOOLCHAIN=rustup
}

setia_toolchain() {
  command -v cargo >/dev/null || [[ -x /usr/bin/cargo ]] || [[ -f /opt/rust-web/env.sh ]] || {
    _setia_log "no Rust toolchain: install one from https://rustup.rs and run this again"
    return 1
  }
  local why
  _setia_rustup_failure=""
  case "${SETIA_TOOLCHAIN:-auto}" in
    rustup) why="SETIA_TOOLCHAIN=rustup" && _setia_use_rustup ;;
    debian) why="SETIA_TOOLCHAIN=debian" && _setia_use_debian ;;
    *)
      # A route already set up wins; otherwise rustup is tried first and the
      # offline route taken when any step of it fails (the message says which).
      if _setia_rustup_ready; then
        why="set up already" && _setia_use_rustup
      elif _setia_debian_ready; then
        why="set up already in /opt/rust-web, and the rustup route is not: $_setia_rustup_unready"
        _setia_use_debian
      elif _setia_use_rustup; then
        why="installed now"
      else
        why="the rustup route failed (see above)"
        _setia_log "the rustup route failed: $_setia_rustup_failure; using the offline route"
        _setia_use_debian
      fi
      ;;
  esac || {
    _setia_log "could not set up a wasm-capable toolchain${_setia_rustup_failure:+: $_setia_rustup_failure}"
    return 1
  }
  _setia_log "toolchain: $SETIA_TOOLCHAIN, $why ($(cd "$_setia_root" && rustc --version))"
}
