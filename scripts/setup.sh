# Sourced by scripts/serve and scripts/test: installs what this machine is missing and skips what is
# there, so a second run starts at once. Everything comes from crates.io, npm or Debian; Trunk never
# downloads anything (Trunk.toml: offline = true, tools pinned and found on PATH).
#
#   setup_begin          toolchain, then (in the background) the cargo-built tools, then apt, npm, cargo fetch
#   wait_tool NAME       waits for one cargo-built tool (trunk or wasm-bindgen) and checks its version
# The split lets scripts/test run other checks while trunk (≈14 min, mostly on one core) builds.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
LOGS="$ROOT/target/logs"
mkdir -p "$LOGS"

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION="$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)"
declare -A INSTALL_PIDS=()

log() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else log "need root (or sudo) to run: $*"; return 1; fi
}

has_version() { command -v "$1" >/dev/null && "$1" --version 2>/dev/null | grep -qF " $2"; }

ensure_rust() {
  # rust-toolchain.toml pins the toolchain with clippy, rustfmt and the wasm32 target.
  rustup toolchain install >/dev/null
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
}

check_pins() {
  local trunk_pin
  trunk_pin="$(sed -n 's/^wasm_bindgen = "\(.*\)"$/\1/p' Trunk.toml)"
  if [ "$trunk_pin" != "$WASM_BINDGEN_VERSION" ]; then
    log "Trunk.toml pins wasm-bindgen $trunk_pin but Cargo.lock has $WASM_BINDGEN_VERSION: make them equal"
    return 1
  fi
}

start_cargo_tools() {
  if ! has_version trunk "$TRUNK_VERSION"; then
    log "building trunk $TRUNK_VERSION in the background (about 14 min on 2 cores, once): $LOGS/install-trunk.log"
    cargo install --locked "trunk@$TRUNK_VERSION" >"$LOGS/install-trunk.log" 2>&1 &
    INSTALL_PIDS[trunk]=$!
  fi
  if ! has_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
    # Not --locked: its lockfile names a webpki-roots release the reachable index lacks.
    log "building wasm-bindgen-cli $WASM_BINDGEN_VERSION in the background (about 4 min, once): $LOGS/install-wasm-bindgen.log"
    cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" >"$LOGS/install-wasm-bindgen.log" 2>&1 &
    INSTALL_PIDS[wasm-bindgen]=$!
  fi
}

ensure_apt() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  # A concurrent apt run elsewhere can lose downloaded .debs midway; one retry fixes it.
  as_root apt-get install -y -qq "${missing[@]}" >/dev/null || { sleep 5; as_root apt-get install -y -qq "${missing[@]}" >/dev/null; }
}

ensure_npm() {
  # Installed versions must equal package.json's pins (binaryen's wasm-opt, playwright-core).
  if node -e '
    const pins = require("./package.json").devDependencies;
    for (const [name, version] of Object.entries(pins)) {
      if (require(`./node_modules/${name}/package.json`).version !== version) process.exit(1);
    }' 2>/dev/null; then return 0; fi
  log "installing npm packages (binaryen, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
}

setup_begin() {
  ensure_rust
  check_pins
  start_cargo_tools
  ensure_apt
  ensure_npm
  cargo fetch --locked -q   # Trunk's offline mode passes --offline to cargo
}

wait_tool() {
  local name="$1" version
  case "$name" in
    trunk) version="$TRUNK_VERSION" ;;
    wasm-bindgen) version="$WASM_BINDGEN_VERSION" ;;
    *) log "unknown tool $name"; return 1 ;;
  esac
  if [ -n "${INSTALL_PIDS[$name]:-}" ]; then
    log "waiting for $name to finish building"
    if ! wait "${INSTALL_PIDS[$name]}"; then
      tail -n 25 "$LOGS/install-$name.log"
      log "cargo install of $name failed (log above)"
      return 1
    fi
    unset "INSTALL_PIDS[$name]"
  fi
  has_version "$name" "$version" || { log "$name $version is not on PATH"; return 1; }
  # Trunk's release builds also need wasm-opt at the pinned version (npm binaryen 132).
  [ "$name" != trunk ] || wasm-opt --version | grep -q 'version_132' || { log "wasm-opt version_132 is not on PATH"; return 1; }
}
