#!/usr/bin/env bash
# `npm test`: every tier. The build type-checks the provider and every test; the unit tier runs
# first and fails fast. Then the integration tier (RocketMQ on loopback ports it picks itself) and
# the end-to-end tier (the sandbox cluster), one after the other: each runs its files in lanes at
# once already, and both tiers together put two dozen JVMs on the cores, where real clients time out
# (and started while two integration lanes still ran, their brokers' ports, which the kernel hands
# out from its ephemeral range, were taken by other sockets while a test restarted a broker). Each
# line is prefixed with its tier; the command fails when any tier fails, after both have run.
set -uo pipefail
cd "$(dirname "$0")/.."

npm run build && npm run toolchain || exit 1
npm run mocha:unit || exit 1

run_tier() {  # run_tier NAME: npm run mocha:NAME, its lines prefixed, its exit code kept
  local name="$1" start=$SECONDS
  npm run --silent "mocha:$name" 2>&1 | sed -u "s/^/[$name] /"
  local rc=${PIPESTATUS[0]}
  printf '[%s] exit %s after %ss\n' "$name" "$rc" "$((SECONDS - start))"
  return "$rc"
}
failed=()
run_tier integration || failed+=(integration)
run_tier e2e || failed+=(e2e)
if [ ${#failed[@]} -gt 0 ]; then
  echo "failing tiers: ${failed[*]}" >&2
  exit 1
fi
