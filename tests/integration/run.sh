#!/usr/bin/env bash
# The integration tier (`npm run test:integration`, after the build): the matrix files (the admin
# client with metadata copy, the transfer, the transfer through faults, a controller-mode failover)
# on every release of the version matrix, and the other files on the first release, in lanes that all run at once (one per
# release, one for the other files). Releases: ROCKETMQ_VERSIONS (comma or space separated), else
# ROCKETMQ_MATRIX_VERSIONS of tests/toolchain/versions.sh. Each lane's lines are prefixed with its
# name; the tier fails when any lane does. Extra arguments go to every mocha run (e.g. --grep).
# Lanes compile their TypeScript without type-checking it: `npm run build` type-checks the provider
# and every test once, where each lane doing it again cost 12 CPU-seconds of a busy machine.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/toolchain/versions.sh

read -r -a versions <<<"$(echo "${ROCKETMQ_VERSIONS:-$ROCKETMQ_MATRIX_VERSIONS}" | tr ',' ' ')"
[ "${#versions[@]}" -gt 0 ] || { echo "run.sh: ROCKETMQ_VERSIONS names no RocketMQ release" >&2; exit 1; }
matrix_files=(tests/integration/admin-operations.test.ts tests/integration/topicTransfer.test.ts tests/integration/transferFaults.test.ts tests/integration/controllerFailover.test.ts)
other_files=()
for file in tests/integration/*.test.ts; do
  [[ " ${matrix_files[*]} " == *" $file "* ]] || other_files+=("$file")
done

# Jars first, one release at a time: lanes never race to build the same cache dir.
for version in "${versions[@]}"; do
  bash tests/toolchain/rocketmq.sh "$version" >/dev/null || { echo "run.sh: RocketMQ $version jars could not be obtained" >&2; exit 1; }
done

lane() {  # lane NAME VERSION FILE...
  local name="$1" version="$2"; shift 2
  local start=$SECONDS status
  ROCKETMQ_VERSION="$version" ROCKETMQ_VERSIONS="$version" npx mocha -r ts-node/register/transpile-only --timeout 600000 "$@" "${mocha_args[@]}" 2>&1 | sed -u "s/^/[$name] /"
  status=${PIPESTATUS[0]}
  printf '[%s] lane finished: exit %s after %ss\n' "$name" "$status" "$((SECONDS - start))"
  return "$status"
}

mocha_args=("$@")
pids=()
lane "other files, ${versions[0]}" "${versions[0]}" "${other_files[@]}" & pids+=($!)
for version in "${versions[@]}"; do
  lane "$version" "$version" "${matrix_files[@]}" & pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit "$failed"
