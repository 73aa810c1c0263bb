#!/bin/sh
# Container entry: runs the app named by APP (gateway, sessionizer, aggregator, detector, notifier)
# as PID 1 (exec), so SIGTERM reaches it and it drains within SHUTDOWN_TIMEOUT_MS. The node flags
# are NODE_FLAGS of libs/launcher/src/app-process.ts (a unit test keeps them equal).
set -eu
cd "$(dirname "$0")/../.."
if [ -z "${APP:-}" ]; then
  echo "APP is not set: expected one of: $(ls apps | tr '\n' ' ')" >&2
  exit 64
fi
if [ ! -f "apps/$APP/src/main.ts" ]; then
  echo "APP=$APP: no such app; expected one of: $(ls apps | tr '\n' ' ')" >&2
  exit 64
fi
exec node --max-semi-space-size=64 -r ./tools/register.js "apps/$APP/src/main.ts"
