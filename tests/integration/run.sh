#!/usr/bin/env bash
# The integration tier (`npm run test:integration`, after the build): every file on the first release
# of the version matrix, and the matrix files (the admin client with metadata copy, the transfer, the
# transfer through faults) once more on each other release, each release in a lane of its own, all
# lanes at once: the tests mostly wait on brokers and consumers, so the lanes share the cores well.
# Releases: ROCKETMQ_VERSIONS (comma or space separated), else ROCKETMQ_MATRIX_VERSIONS of
# tests/toolchain/versions.sh. Each lane's lines are prefixed with its release; the tier fails when
# any lane does. Extra arguments go to every mocha run (e.g. --grep).
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/toolchain/versions.sh

read -r -a versions <<<"$(echo "${ROCKETMQ_VERSIONS:-$ROCKETMQ_MATRIX_VERSIONS}" | tr ',' ' ')"
[ "${#versions[@]}" -gt 0 ] || { echo "run.sh: ROCKETMQ_VERSIONS names no RocketMQ release" >&2; exit 1; }
matrix_files=(tests/integration/admin-operations.test.ts tests/integration/topicTransfer.test.ts tests/integration/transferFaults.test.ts)

# Jars first, one release at a time: lanes never race to build the same cache dir.
for version in "${versions[@]}"; do
  bash tests/toolchain/rocketmq.sh "$version" >/dev/null || { echo "run.sh: RocketMQ $version jars could not be obtained" >&2; exit 1; }
done

lane() {  # lane VERSION FILE...
  local version="$1"; shift
  local start=$SECONDS status
  ROCKETMQ_VERSIONS="$version" npx mocha -r ts-node/register --timeout 600000 "$@" "${mocha_args[@]}" 2>&1 | sed -u "s/^/[$version] /"
  status=${PIPESTATUS[0]}
  printf '[%s] lane finished: exit %s after %ss\n' "$version" "$status" "$((SECONDS - start))"
  return "$status"
}

mocha_args=("$@")
pids=()
lane "${versions[0]}" 'tests/integration/**/*.test.ts' & pids+=($!)
for version in "${versions[@]:1}"; do
  lane "$version" "${matrix_files[@]}" & pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit "$failed"
