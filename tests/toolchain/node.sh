#!/usr/bin/env bash
# Node.js $NODE_VERSION (the LTS line the plugin, tests and examples run on), from the official
# build the npm registry carries as package node-<os>-<arch>, cached in
# ~/.cache/pulumi-rocketmq/node-<version>/bin. Prints that bin dir on stdout, nothing else;
# put it first on PATH (env.sh does once it exists). A warm cache answers at once.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="$NODE_VERSION"
PART="node $version"
dir="$(part_dir node "$version")"
if part_done "$dir"; then
  echo "$dir/bin"
  exit 0
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) fail "node $version: no build for $(uname -s)" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fail "node $version: no build for $(uname -m)" ;;
esac

obtain_node() {
  local staging="$dir/download"
  rm -rf "$staging"
  mkdir -p "$staging"
  # npm checks the tarball against the registry's integrity hash.
  (cd "$staging" && npm pack --silent "node-$os-$arch@$version" >/dev/null)
  tar -xzf "$staging"/node-"$os-$arch"-*.tgz -C "$staging" package/bin/node package/LICENSE
  mkdir -p "$dir/bin"
  mv "$staging/package/bin/node" "$dir/bin/node"
  mv "$staging/package/LICENSE" "$dir/LICENSE"
  rm -rf "$staging"
}

log "node $version: obtaining node-$os-$arch@$version"
timed "$dir" "node-download" obtain_node
[ "$("$dir/bin/node" --version)" = "v$version" ] || fail "node does not report v$version"
mark_done "$dir"
echo "$dir/bin"
