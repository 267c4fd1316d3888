#!/usr/bin/env bash
# The main job: deploy the example cluster of the root Pulumi.yaml with `pulumi up` (or tear it down).
# Uses the cluster of $KUBECONFIG when set, otherwise starts the local sandbox.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
action=${1:-up}
stack=${ROCKETMQ_STACK:-dev}
state_dir=${PULUMI_ROCKETMQ_STATE:-$HOME/.cache/pulumi-rocketmq/state}
sandbox_marker="$state_dir/$stack.sandbox"

say() { printf '==> %s\n' "$*" >&2; }

say "obtaining the toolchain (pulumi CLI, plugins, kube binaries, RocketMQ jars)"
bash tests/toolchain/all.sh >&2
# shellcheck source=/dev/null
source tests/toolchain/env.sh

mkdir -p "$state_dir"
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE-local-example-stack}
export PULUMI_SKIP_UPDATE_CHECK=true
pulumi login --cloud-url "file://$state_dir" >&2

case "$action" in
up)
    if [ -z "${KUBECONFIG:-}" ]; then
        say "no KUBECONFIG set: starting the local sandbox cluster"
        bash tests/sandbox/sandbox.sh up >&2
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
    npm run --silent build
    pulumi stack select --create "$stack" --non-interactive >&2
    pulumi up --yes --non-interactive --stack "$stack"
    say "outputs"
    pulumi stack output --json --stack "$stack"
    ;;
down)
    if [ -z "${KUBECONFIG:-}" ] && [ -f "$sandbox_marker" ]; then
        KUBECONFIG=$(bash tests/sandbox/sandbox.sh kubeconfig)
        export KUBECONFIG
    fi
    npm run --silent build
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
