#!/usr/bin/env bash
# The end-to-end tier (`npm run mocha:e2e`): every tests/e2e file against one sandbox cluster, in
# four lanes that run at once: while one waits (pods starting, brokers registering, consumers
# catching up), the others work; each file has its own namespaces and stacks, so lanes never touch
# each other's objects. The sandbox is started once, here, and kept for every lane
# (PULUMI_ROCKETMQ_KEEP_SANDBOX), then stopped unless it ran before.
# The lanes are balanced by the seconds each file took in full runs and single runs (controller
# failover in both modes, with its proxy producer and the operations after a failover, about 580;
# examples 373; broker scaling 311; turning auth on and off about 400; the RocketMQ 5 example 250;
# transfers 227; TLS and auth about 200 each; runtime changes 192; the root program 186; least
# privilege 180; the proxy 164; the plugin archive 131; the SDKs 108; day two 100; upgrade 78; the
# rest under 50), then by a full four-lane run (1145, 1289, 1073 and 1346 s), after which the plugin
# archive moved from the fourth lane to the third and the port-forward file from the second to the
# first; a file not listed runs in the fourth lane.
# Each lane's lines are prefixed with its name; the tier fails when any lane does. Extra arguments
# go to every mocha run (e.g. --grep). Lanes compile their TypeScript without type-checking it: `npm
# run build` type-checks it once.
set -uo pipefail
cd "$(dirname "$0")/../.."

first_lane=(tests/e2e/controller.test.ts tests/e2e/exampleRocketmq5.test.ts tests/e2e/badInput.test.ts tests/e2e/inputNature.test.ts tests/e2e/sandbox.test.ts tests/e2e/admin-portforward.test.ts)
second_lane=(tests/e2e/examples.test.ts tests/e2e/brokerScaling.test.ts tests/e2e/mainProgram.test.ts tests/e2e/upgrade.test.ts tests/e2e/unreachableCluster.test.ts)
third_lane=(tests/e2e/authRolling.test.ts tests/e2e/topicTransfer.test.ts tests/e2e/brokerRuntime.test.ts tests/e2e/sdk.test.ts tests/e2e/pluginArchive.test.ts)
fourth_lane=()
for file in tests/e2e/*.test.ts; do
  [[ " ${first_lane[*]} ${second_lane[*]} ${third_lane[*]} " == *" $file "* ]] || fourth_lane+=("$file")
done
sandbox() { bash tests/sandbox/sandbox.sh "$@"; }
if ! sandbox status >/dev/null 2>&1; then
  trap 'sandbox down >/dev/null 2>&1 || true' EXIT
fi
sandbox up >/dev/null || { echo "run.sh: the sandbox did not start" >&2; exit 1; }
export PULUMI_ROCKETMQ_KEEP_SANDBOX=1

lane() {  # lane NAME FILE...
  local name="$1" start=$SECONDS status
  shift
  npx mocha -r ts-node/register/transpile-only --timeout 1800000 "$@" "${mocha_args[@]}" 2>&1 | sed -u "s/^/[$name] /"
  status=${PIPESTATUS[0]}
  printf '[%s] lane finished: exit %s after %ss\n' "$name" "$status" "$((SECONDS - start))"
  return "$status"
}

mocha_args=("$@")
lane "lane 1" "${first_lane[@]}" & first=$!
lane "lane 2" "${second_lane[@]}" & second=$!
lane "lane 3" "${third_lane[@]}" & third=$!
lane "lane 4" "${fourth_lane[@]}" & fourth=$!
failed=0
wait "$first" || failed=1
wait "$second" || failed=1
wait "$third" || failed=1
wait "$fourth" || failed=1
exit "$failed"
