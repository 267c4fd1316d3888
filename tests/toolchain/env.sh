# Environment for anything that uses the toolchain: `source tests/toolchain/env.sh`.
# Puts the cached binaries first on PATH and points Pulumi at a home of its own, so nothing of the
# user's ~/.pulumi is read or changed and the engine finds the plugins installed by the toolchain.
# Only exports variables; it builds nothing (run `npm run toolchain` for that).

_toolchain_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$_toolchain_dir/versions.sh"
export NODE_VERSION PULUMI_VERSION PULUMI_YAML_VERSION KUBERNETES_PROVIDER_VERSION KUBERNETES_VERSION ETCD_VERSION

export PULUMI_ROCKETMQ_CACHE="${PULUMI_ROCKETMQ_CACHE:-$HOME/.cache/pulumi-rocketmq}"
export TOOLCHAIN_NODE_BIN="$PULUMI_ROCKETMQ_CACHE/node-$NODE_VERSION/bin"
export TOOLCHAIN_PULUMI_BIN="$PULUMI_ROCKETMQ_CACHE/pulumi-$PULUMI_VERSION/bin"
export TOOLCHAIN_KUBERNETES_BIN="$PULUMI_ROCKETMQ_CACHE/kubernetes-$KUBERNETES_VERSION/bin"
export TOOLCHAIN_ETCD_BIN="$PULUMI_ROCKETMQ_CACHE/etcd-$ETCD_VERSION/bin"
# Not on PATH: the engine runs the copy installed in PULUMI_HOME; benchmarks start it directly.
export TOOLCHAIN_KUBERNETES_PLUGIN_BIN="$PULUMI_ROCKETMQ_CACHE/pulumi-kubernetes-$KUBERNETES_PROVIDER_VERSION/bin"

case ":$PATH:" in
  *":$TOOLCHAIN_PULUMI_BIN:"*) ;;
  *) export PATH="$TOOLCHAIN_PULUMI_BIN:$TOOLCHAIN_KUBERNETES_BIN:$TOOLCHAIN_ETCD_BIN:$PATH" ;;
esac
# The pinned Node.js, once obtained, comes first: the nodejs language host and the plugin's
# launcher run the `node` they find on PATH.
if [ -x "$TOOLCHAIN_NODE_BIN/node" ]; then
  case ":$PATH:" in
    "$TOOLCHAIN_NODE_BIN:"*) ;;
    *) export PATH="$TOOLCHAIN_NODE_BIN:$PATH" ;;
  esac
fi

export PULUMI_HOME="${PULUMI_ROCKETMQ_PULUMI_HOME:-$PULUMI_ROCKETMQ_CACHE/pulumi-home}"
# No update checks and no telemetry: only package registries are reachable.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

unset _toolchain_dir
