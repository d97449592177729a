#!/usr/bin/env bash
# Installs a Rust toolchain that can build wasm32-unknown-unknown on a machine where
# `rustup target add wasm32-unknown-unknown` cannot download anything, plus wasm-bindgen,
# cargo-leptos and a wasm-opt that works. Idempotent: a second run only checks. Run as root.
#
# Route: Debian's rustc-web/cargo-web (a second, newer rustc shipped for browser builds)
# with its own library source (rust-web-src); std for wasm32 is compiled once from that
# source with -Zbuild-std and installed into the compiler's sysroot; lld-22 serves as
# rust-lld. Afterwards `source /opt/rust-web/env.sh` puts that cargo/rustc first on PATH.
#
# Usage: install-wasm-toolchain.sh [WASM_BINDGEN_VERSION]
#   WASM_BINDGEN_VERSION must equal the wasm-bindgen crate version in Cargo.lock
#   (default: read from ./Cargo.lock when present, else 0.2.130).
# Env: CARGO_LEPTOS_VERSION (default 0.3.11), BINARYEN_VERSION (npm package, default 132.0.0),
#   SETIA_WASM_PREFIX (default /opt/rust-web);
#   NO_PREBUILT=1 ignores prebuilt binaries; WASM_TOOLS_PREBUILT names a folder holding them
#   (default: bin/ next to this script).
# Adapted from the workspace's shared tool of the same name; this copy lets the project set
# itself up on a machine that has only the project.
set -euo pipefail

PREFIX=${SETIA_WASM_PREFIX:-/opt/rust-web}
SHIM=$PREFIX/bin
TOOLS=$PREFIX/cargo-home
# Prebuilt cargo-leptos / wasm-bindgen, when a folder of them is at hand (saves ~20 min of
# `cargo install`); without one, both are built from crates.io.
PREBUILT=${WASM_TOOLS_PREBUILT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bin}
LEPTOS_VERSION=${CARGO_LEPTOS_VERSION:-0.3.11}
BINARYEN_VERSION=${BINARYEN_VERSION:-132.0.0}
log() { printf '[wasm-toolchain] %s\n' "$*" >&2; }

wb_version=${1:-}
if [[ -z $wb_version && -f Cargo.lock ]]; then
  wb_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
fi
wb_version=${wb_version:-0.2.130}

# 1. Debian packages: compiler, cargo, library source, linker, and the rustfmt and clippy of
#    that compiler (rustup's clippy cannot check crates another rustc built: error E0514).
need_apt=()
for p in rustc-web cargo-web rust-web-src libstd-rust-web-dev lld-22 rustfmt-web rust-web-clippy; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
if ((${#need_apt[@]})); then
  log "apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
SYSROOT=$(/usr/bin/rustc --print sysroot)
HOST=$(/usr/bin/rustc -vV | awk '/^host:/{print $2}')
RUST_VERSION=$(/usr/bin/rustc --version)
log "compiler: $RUST_VERSION (sysroot $SYSROOT)"

# 2. Shim dir: Debian's cargo/rustc/rustdoc, rustfmt and clippy ahead of rustup's proxies.
mkdir -p "$SHIM" "$TOOLS/bin" "$PREFIX/logs"
for t in cargo rustc rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver; do ln -sfn "/usr/bin/$t" "$SHIM/$t"; done
export PATH=$SHIM:$TOOLS/bin:$PATH

# 3. rust-lld for the wasm linker flavour.
LLD_DIR=$SYSROOT/lib/rustlib/$HOST/bin
mkdir -p "$LLD_DIR"
[[ -x $LLD_DIR/rust-lld ]] || ln -sfn /usr/bin/ld.lld-22 "$LLD_DIR/rust-lld"

# 4. std (+ libtest, for `cargo test --target wasm32-unknown-unknown`) for wasm32, built from
#    Debian's library source; rebuilt when the compiler changes. The build is reproducible:
#    same compiler and probe, same bytes, so target dirs stay valid from machine to machine.
WASM_LIB=$SYSROOT/lib/rustlib/wasm32-unknown-unknown/lib
wasm_std_ok() {  # (never `-o /dev/null`: rustc renames its output over that path)
  local d rc=0; d=$(mktemp -d)
  echo 'pub fn f() -> String { format!("{}", 1) }' | rustc --target wasm32-unknown-unknown \
    --crate-type lib --crate-name probe --emit metadata --out-dir "$d" - 2>/dev/null || rc=$?
  rm -rf "$d"; ((rc == 0)) && compgen -G "$WASM_LIB/libtest-*.rlib" >/dev/null
}
if ! wasm_std_ok; then
  log "building std for wasm32-unknown-unknown (about 30 s, log: $PREFIX/logs/std.log)"
  t=$SECONDS
  [[ -d $SYSROOT/lib/rustlib/src/rust/library/std ]] || { log "rust-web-src is not under $SYSROOT"; exit 1; }
  work=$(mktemp -d)
  mkdir -p "$work/src"
  printf '[package]\nname = "probe"\nversion = "0.0.0"\nedition = "2021"\n[lib]\ncrate-type = ["cdylib"]\n[profile.release]\npanic = "abort"\n' >"$work/Cargo.toml"
  echo '#[no_mangle] pub extern "C" fn probe() -> u32 { 7 }' >"$work/src/lib.rs"
  (cd "$work" && CARGO_TARGET_DIR=$work/target RUSTC_BOOTSTRAP=1 cargo build --release \
     --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort,test >"$PREFIX/logs/std.log" 2>&1) ||
    { tail -30 "$PREFIX/logs/std.log" >&2; exit 1; }
  deps=$work/target/wasm32-unknown-unknown/release/deps
  mkdir -p "$WASM_LIB"
  for f in "$WASM_LIB"/*.rlib; do [[ -e $deps/${f##*/} ]] || rm -f "$f"; done  # older compiler's
  for f in "$deps"/*.rlib; do  # copy + rename: builds running meanwhile never see half a file
    cp "$f" "$WASM_LIB/.${f##*/}"
    mv -f "$WASM_LIB/.${f##*/}" "$WASM_LIB/${f##*/}"
  done
  rm -rf "$work"
  wasm_std_ok || { log "std for wasm32 still unusable after the build"; exit 1; }
  log "std for wasm32 installed in $WASM_LIB ($((SECONDS - t)) s)"
fi

# 5. wasm-bindgen and cargo-leptos (no_downloads: takes wasm-bindgen/wasm-opt from PATH): the
#    prebuilt binary from bin/ next to this script when its version matches, else cargo install.
has() { [[ $("$1" --version 2>/dev/null) == "$(basename "$1") $2" ]]; }
prebuilt() {  # prebuilt <binary> <version>
  [[ -z ${NO_PREBUILT:-} ]] && has "$PREBUILT/$1" "$2" || return 1
  install -m755 "$PREBUILT/$1" "$TOOLS/bin/$1"
  log "$1 $2: copied the prebuilt binary"
}
build() {  # build <crate> <version> [cargo install args]
  local crate=$1 version=$2 logf=$PREFIX/logs/$1.log t=$SECONDS; shift 2
  log "cargo install $crate $version (log: $logf)"
  if ! cargo install --root "$TOOLS" --force --locked "$crate" --version "=$version" "$@" >"$logf" 2>&1; then
    log "--locked failed ($(grep -m1 '^error' "$logf" || true)); resolving dependencies afresh"
    cargo install --root "$TOOLS" --force "$crate" --version "=$version" "$@" >>"$logf" 2>&1 ||
      { tail -30 "$logf" >&2; exit 1; }
  fi
  log "$crate $version installed ($((SECONDS - t)) s)"
}
if ! has "$TOOLS/bin/wasm-bindgen" "$wb_version"; then
  prebuilt wasm-bindgen "$wb_version" || build wasm-bindgen-cli "$wb_version"
fi
if ! has "$TOOLS/bin/cargo-leptos" "$LEPTOS_VERSION"; then
  prebuilt cargo-leptos "$LEPTOS_VERSION" || build cargo-leptos "$LEPTOS_VERSION" --features no_downloads
fi

# 6. wasm-opt >= 116. Debian's binaryen 108 points wasm-bindgen's externref table export at
#    the function table, so the page never hydrates ("WebAssembly.Table.set(): Argument 1 is
#    invalid for table"). binaryen's npm build (a node script) installs in seconds; without
#    npm, the wasm-opt crate builds a native binaryen 116 (about 6 minutes).
wasm_opt_v=$("$TOOLS/bin/wasm-opt" --version 2>/dev/null | awk '{print $3}' || true)
if ((${wasm_opt_v:-0} < 116)); then
  if command -v npm >/dev/null; then
    log "npm install binaryen@$BINARYEN_VERSION (wasm-opt)"
    npm install --prefix "$PREFIX/binaryen" --no-audit --no-fund "binaryen@$BINARYEN_VERSION" \
      >"$PREFIX/logs/binaryen.log" 2>&1 || { tail "$PREFIX/logs/binaryen.log" >&2; exit 1; }
    ln -sfn "$PREFIX/binaryen/node_modules/binaryen/bin/wasm-opt" "$TOOLS/bin/wasm-opt"
  else
    build wasm-opt 0.116.1
  fi
fi

cat >"$PREFIX/env.sh" <<ENV
# Source me: Debian's wasm-capable Rust first on PATH, plus wasm-bindgen, cargo-leptos, wasm-opt.
export PATH=$SHIM:$TOOLS/bin:\$PATH
ENV
log "ready: source $PREFIX/env.sh ($RUST_VERSION; $(wasm-bindgen --version); $(cargo-leptos --version); $(wasm-opt --version); $(cargo clippy --version))"
