#!/usr/bin/env bash
# The main job: deploy the example cluster of the root Pulumi.yaml with `pulumi up` (or tear it down).
# Uses the cluster of $KUBECONFIG when set, otherwise starts the local sandbox.
#
# It takes what the machine has and builds only what is missing:
# - Node.js 22 or later on PATH runs the plugin; otherwise the pinned one is obtained (a download).
# - a `pulumi` on PATH at PULUMI_VERSION or later (tests/toolchain/versions.sh) is used with the
#   YAML language host beside it; otherwise the CLI and that one host are built, no other host.
# - the kubernetes plugin: the one installed in the toolchain's PULUMI_HOME, else `pulumi plugin
#   install` (a download), else built from source.
# - etcd, the Kubernetes binaries, the node agent and the RocketMQ jars only when the sandbox is
#   needed, that is when no KUBECONFIG is set.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
action=${1:-up}
stack=${ROCKETMQ_STACK:-dev}
state_dir=${PULUMI_ROCKETMQ_STATE:-$HOME/.cache/pulumi-rocketmq/state}
sandbox_marker="$state_dir/$stack.sandbox"
toolchain=tests/toolchain
export PULUMI_ROCKETMQ_CACHE="${PULUMI_ROCKETMQ_CACHE:-$HOME/.cache/pulumi-rocketmq}"

say() { printf '==> %s\n' "$*" >&2; }
# shellcheck source=../tests/toolchain/versions.sh
source "$toolchain/versions.sh"

# Each step's wall time, printed at the end: where a cold run spends its time.
timings=()
step() {  # step LABEL COMMAND...
  local label="$1" start=$SECONDS; shift
  "$@"
  timings+=("$(printf '%-44s %4ss' "$label" "$((SECONDS - start))")")
}
report_timings() {
  [ "${#timings[@]}" -gt 0 ] || return 0
  say "time per step"
  printf '    %s\n' "${timings[@]}" >&2
}
trap report_timings EXIT

# "v3.274.0" or "3.274.0" at or above the wanted version?
version_at_least() {  # version_at_least HAVE WANT
  local have="${1#v}" want="$2"
  have="${have%%[-+]*}"
  [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1)" = "$want" ]
}

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

obtain_node() {
  if [ "$(node_major)" -ge 22 ]; then
    say "node $(node --version) on PATH runs the plugin"
  else
    say "node on PATH is older than 22: obtaining node $NODE_VERSION"
    PATH="$(bash "$toolchain/node.sh"):$PATH"
  fi
}

# The pulumi CLI the job runs: the user's when supported, else the toolchain's (built if missing).
user_pulumi=""
choose_pulumi() {
  local found
  found="$(command -v pulumi || true)"
  case "$found" in
    "$PULUMI_ROCKETMQ_CACHE"/*) found="" ;;  # the toolchain's own, put on PATH by env.sh
  esac
  if [ -n "$found" ] && version_at_least "$("$found" version 2>/dev/null || echo v0)" "$PULUMI_VERSION"; then
    user_pulumi="$found"
    say "using $found ($("$found" version))"
    if [ ! -x "$(dirname "$found")/pulumi-language-yaml" ] && ! command -v pulumi-language-yaml >/dev/null; then
      say "no pulumi-language-yaml beside it or on PATH: building that host"
      bash "$toolchain/pulumi.sh" yaml >&2
    fi
  else
    [ -n "$found" ] && say "$found is older than $PULUMI_VERSION: using the toolchain's CLI"
    bash "$toolchain/pulumi.sh" cli yaml >&2
  fi
}

# Puts the chosen CLI first on PATH (env.sh puts the toolchain's there).
use_chosen_pulumi() {
  if [ -n "$user_pulumi" ]; then
    PATH="$(dirname "$user_pulumi"):$PATH"
    export TOOLCHAIN_PULUMI_CLI="$user_pulumi"
  fi
}

kubernetes_plugin_installed() {
  pulumi plugin ls 2>/dev/null | grep -Eq "^kubernetes +resource +$KUBERNETES_PROVIDER_VERSION "
}

obtain_kubernetes_plugin() {
  kubernetes_plugin_installed && return 0
  if [ -n "$user_pulumi" ] && pulumi plugin install resource kubernetes "$KUBERNETES_PROVIDER_VERSION" >&2 2>/dev/null; then
    return 0
  fi
  bash "$toolchain/kubernetes-plugin.sh" >&2
}

# The sandbox's own binaries, its node agent and the jars its pods run, in two lanes beside the
# rest of the job: Go compiles on every core, but downloads and the single-threaded links of one
# part overlap another's compile. Prints how long it took.
obtain_sandbox_parts() {
  local start=$SECONDS pids=() failed=0
  { bash "$toolchain/rocketmq.sh" >/dev/null && bash tests/sandbox/sandbox.sh build; } >&2 & pids+=($!)
  { bash "$toolchain/etcd.sh" && bash "$toolchain/kube.sh"; } >&2 & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" -eq 0 ] || { say "could not obtain the sandbox's parts (see above)"; return 1; }
  say "sandbox parts (etcd, kubernetes, node agent, jars) ready after $((SECONDS - start))s"
}

# Only the bundle the launcher runs: type checking is `npm test`'s job.
build_plugin() { node scripts/bundle.mjs >&2; }

prepare() {
  step "node" obtain_node
  step "pulumi CLI and YAML host" choose_pulumi
  # shellcheck source=../tests/toolchain/env.sh
  source "$toolchain/env.sh"
  use_chosen_pulumi
  step "kubernetes plugin $KUBERNETES_PROVIDER_VERSION" obtain_kubernetes_plugin
  mkdir -p "$state_dir"
  export PULUMI_BACKEND_URL="file://$state_dir"
  export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE-local-example-stack}
}

case "$action" in
up)
    sandbox_parts=""
    if [ -z "${KUBECONFIG:-}" ]; then
        say "no KUBECONFIG set: obtaining the sandbox's parts beside the rest"
        obtain_sandbox_parts & sandbox_parts=$!
    fi
    prepare
    if [ -n "$sandbox_parts" ]; then
        step "waiting for the sandbox's parts" wait "$sandbox_parts"
        say "starting the local sandbox cluster"
        step "sandbox up" bash tests/sandbox/sandbox.sh up >&2
        KUBECONFIG=$(bash tests/sandbox/sandbox.sh kubeconfig)
        export KUBECONFIG
        touch "$sandbox_marker"
    fi
    if [ -f "$sandbox_marker" ]; then
        # The sandbox's node runs RocketMQ from its Maven jars; no reachable registry carries the
        # dashboard, so the console stays off there. On a real cluster it is on.
        say "the sandbox cannot run the dashboard image: deploying without the console"
        pulumi stack select --create "$stack" --non-interactive >&2
        pulumi config set consoleEnabled false --stack "$stack" >&2
    fi
    say "deploying into the cluster of $KUBECONFIG"
    say "building the provider plugin"
    step "plugin bundle" build_plugin
    pulumi stack select --create "$stack" --non-interactive >&2
    step "pulumi up" pulumi up --yes --non-interactive --stack "$stack"
    say "outputs"
    pulumi stack output --json --stack "$stack"
    ;;
down)
    prepare
    if [ -z "${KUBECONFIG:-}" ] && [ -f "$sandbox_marker" ]; then
        KUBECONFIG=$(bash tests/sandbox/sandbox.sh kubeconfig)
        export KUBECONFIG
    fi
    build_plugin
    if pulumi stack select "$stack" --non-interactive >&2 2>/dev/null; then
        pulumi destroy --yes --non-interactive --stack "$stack"
    fi
    if [ -f "$sandbox_marker" ]; then
        say "stopping the sandbox this job started"
        bash tests/sandbox/sandbox.sh down >&2
        rm -f "$sandbox_marker"
    fi
    ;;
*)
    echo "usage: main-job.sh up|down" >&2
    exit 2
    ;;
esac
