# Shared by the .ci scripts: progress messages and idempotent installs of what a fresh
# machine lacks. Everything comes from rustup, crates.io, Debian or npm.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
# One build per run: incremental caches only cost disk here.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The wasm-bindgen CLI must equal the crate version in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock"
}

install_build_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "Adding the wasm32 target to Rust"
    rustup target add wasm32-unknown-unknown
  fi
  local want; want="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    step "Installing wasm-bindgen CLI $want from crates.io (about 5 minutes, once)"
    # --force: a CLI whose binary is gone but whose install record remains is reinstalled.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
  command -v brotli >/dev/null || { step "Installing Debian's brotli (precompressed bundle)"; apt_install brotli; }
}

install_test_tools() {
  command -v chromium >/dev/null || { step "Installing Debian's chromium for browser tests"; apt_install chromium; }
  install_node
  command -v psql >/dev/null || { step "Installing PostgreSQL"; apt_install postgresql postgresql-client; }
  # Tests make RSA key pairs for service-account and certificate assertions.
  command -v openssl >/dev/null || { step "Installing openssl"; apt_install openssl; }
  # A real IMAP server for the password-account tests (started by the tests themselves).
  [ -x /usr/sbin/dovecot ] || { step "Installing Debian's dovecot-imapd"; apt_install dovecot-imapd; }
  # README's "configure from code" script, which a test runs as written, uses curl and jq.
  command -v curl >/dev/null || { step "Installing curl"; apt_install curl; }
  command -v jq >/dev/null || { step "Installing jq"; apt_install jq; }
  install_smtp_server
  install_end2end_modules
}

# A real SMTP server for the mail tests: aiosmtpd from PyPI, in a virtual environment under
# target/tools (the tests start it themselves, server/tests/integration/common/smtp.rs).
AIOSMTPD_VERSION=1.4.6
install_smtp_server() {
  local venv="$CARGO_TARGET_DIR/tools/aiosmtpd-$AIOSMTPD_VERSION"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
    step "Installing aiosmtpd $AIOSMTPD_VERSION from PyPI (once)"
    command -v python3 >/dev/null || apt_install python3
    # Debian's python3 makes virtual environments only with python3-venv: try, then install.
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      apt_install python3-venv
      python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install -q "aiosmtpd==$AIOSMTPD_VERSION"
  fi
}

install_node() {
  command -v node >/dev/null || { step "Installing Node.js"; apt_install nodejs npm; }
}

# end2end/'s npm packages: playwright-core (browser tests), oidc-provider (the peer),
# standardwebhooks (the independent check of webhook signatures) and axe-core (accessibility
# of the pages, checked in the browser tests).
install_end2end_modules() {
  if [ ! -d end2end/node_modules/playwright-core ] || [ ! -d end2end/node_modules/oidc-provider ] \
    || [ ! -d end2end/node_modules/standardwebhooks ] \
    || [ ! -d end2end/node_modules/axe-core ]; then
    step "Installing end2end's tools from npm (playwright-core, oidc-provider, standardwebhooks, axe-core)"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The benchmark's tools: Debian's wrk (the load) and chromium (the first visit), Node with
# npm's oidc-provider (the peer), and npm's binaryen for wasm-opt (Debian's is too old for
# current rustc output).
install_bench_tools() {
  command -v wrk >/dev/null || { step "Installing Debian's wrk"; apt_install wrk; }
  command -v chromium >/dev/null || { step "Installing Debian's chromium for the first-visit figure"; apt_install chromium; }
  install_node
  command -v gzip >/dev/null || apt_install gzip
  # The Direct API scenario's stand-in is HTTPS under an authority openssl makes.
  command -v openssl >/dev/null || { step "Installing Debian's openssl"; apt_install openssl; }
  install_end2end_modules
  local tools="$CARGO_TARGET_DIR/tools"
  if [ ! -x "$tools/node_modules/.bin/wasm-opt" ]; then
    step "Installing wasm-opt (npm binaryen) for the release bundle"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error binaryen@132.0.0
  fi
  export PATH="$tools/node_modules/.bin:$PATH"
}

# Tests make and drop their own databases on the local server; install it when missing
# (.ci/run calls this before the test tools are installed), start it when it is down.
ensure_postgres() {
  command -v pg_ctlcluster >/dev/null || { step "Installing PostgreSQL"; apt_install postgresql postgresql-client; }
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    step "Starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
}

# Integration tests drop their databases; a test killed midway leaves one behind.
drop_stale_test_databases() {
  psql -h 127.0.0.1 -U postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'linkgate\_test\_%'" 2>/dev/null |
    while read -r db; do psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true; done || true
}

# Builds the hydration bundle (wasm + JS) and the stylesheet into target/site, the way
# cargo-leptos would, with the pinned wasm-bindgen CLI and nothing downloaded.
build_site() {
  local profile="${1:-dev}" dir="debug"
  [ "$profile" = "release" ] && dir="wasm-release"
  step "Building the dashboard bundle (wasm, $profile)"
  if [ "$profile" = "release" ]; then
    cargo build -p app --lib --target wasm32-unknown-unknown --features hydrate --profile wasm-release
  else
    cargo build -p app --lib --target wasm32-unknown-unknown --features hydrate
  fi
  local site="$CARGO_TARGET_DIR/site"
  mkdir -p "$site/pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$site/pkg" --out-name linkgate \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$dir/app.wasm"
  if [ "$profile" = "release" ] && command -v wasm-opt >/dev/null; then
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      -o "$site/pkg/linkgate_bg.wasm" "$site/pkg/linkgate_bg.wasm"
  fi
  cp style/main.css "$site/pkg/linkgate.css"
  cp -r public/. "$site/"
  fingerprint_pkg "$site/pkg" "$profile"
}

# Gives the bundle content-hashed names (linkgate.<hash>.js/.wasm/.css, listed in hash.txt,
# which the server reads) so browsers may keep them for a year, and writes brotli and gzip
# copies beside them for the server to send by Accept-Encoding (docs/performance.md).
fingerprint_pkg() {
  local pkg="$1" profile="$2" quality=11
  [ "$profile" = "release" ] || quality=5 # a dev wasm is large; its compression need not be best
  rm -f "$pkg"/linkgate.*.js* "$pkg"/linkgate.*.wasm* "$pkg"/linkgate.*.css* "$pkg/hash.txt"
  : >"$pkg/hash.txt.new"
  local kind from hash
  for kind in js wasm css; do
    case "$kind" in
      js) from="$pkg/linkgate.js" ;;
      wasm) from="$pkg/linkgate_bg.wasm" ;;
      css) from="$pkg/linkgate.css" ;;
    esac
    hash="$(sha256sum "$from" | cut -c1-20)"
    mv "$from" "$pkg/linkgate.$hash.$kind"
    gzip -9 -k -f "$pkg/linkgate.$hash.$kind"
    brotli -q "$quality" -k -f "$pkg/linkgate.$hash.$kind"
    echo "$kind: $hash" >>"$pkg/hash.txt.new"
  done
  mv "$pkg/hash.txt.new" "$pkg/hash.txt"
}
