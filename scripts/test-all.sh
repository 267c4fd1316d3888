#!/usr/bin/env bash
# `npm test`: every tier. The build type-checks the provider and every test; the unit tier runs
# first and fails fast. Then the integration tier (RocketMQ on loopback ports it picks itself,
# four lanes) and the end-to-end tier (the sandbox cluster, two lanes). Started together, the two
# tiers put two dozen JVMs on the cores, where real clients time out; one after the other, the
# cores sat half idle while the integration tier's last two lanes finished (30% busy over their
# last 200 s). So the end-to-end tier starts once two integration lanes have finished. Each line
# is prefixed with its tier; the command fails when any tier fails, after both have run.
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

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
{ run_tier integration; echo $? >"$scratch/integration.rc"; } | tee "$scratch/integration.log" &
until [ -f "$scratch/integration.rc" ] || [ "$(grep -c 'lane finished' "$scratch/integration.log")" -ge 2 ]; do
  sleep 5
done
failed=()
run_tier e2e || failed+=(e2e)
wait
[ "$(cat "$scratch/integration.rc")" = 0 ] || failed+=(integration)
if [ ${#failed[@]} -gt 0 ]; then
  echo "failing tiers: ${failed[*]}" >&2
  exit 1
fi
