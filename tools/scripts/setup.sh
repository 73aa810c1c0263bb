#!/usr/bin/env bash
# Installs what this machine lacks (Debian packages), idempotently, then the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/../.."

has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

missing=()
has redis-server || missing+=(redis-server)
has clickhouse-server || has clickhouse || missing+=(clickhouse-server)
has clickhouse-client || has clickhouse || missing+=(clickhouse-client)
has kcat || missing+=(kcat)
# The console's browser test drives Debian's chromium headless (playwright-core, no bundled browser).
has chromium || missing+=(chromium)

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]} from Debian packages"
  $sudo apt-get update -qq
  # policy-rc.d may refuse to start the packaged services; we start our own instances anyway.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: redis-server, clickhouse-server, clickhouse-client, kcat and chromium already present"
fi

npm ci --no-audit --no-fund
echo "setup: done"
