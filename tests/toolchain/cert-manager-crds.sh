#!/usr/bin/env bash
# Obtains cert-manager's CustomResourceDefinitions (deploy/crds of the Go module
# github.com/cert-manager/cert-manager) and caches them in
# ~/.cache/pulumi-rocketmq/cert-manager-crds-<version>. Prints that dir on stdout, nothing else.
# Tests apply them to the sandbox's API server to check the Certificate objects the provider makes,
# and cert-manager-controller.sh's controller acts on them.
#
# usage: tests/toolchain/cert-manager-crds.sh [version]   (default CERT_MANAGER_VERSION of versions.sh)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.sh"
version="${1:-$CERT_MANAGER_VERSION}"
cache_root="${PULUMI_ROCKETMQ_CACHE:-$HOME/.cache/pulumi-rocketmq}"
target="$cache_root/cert-manager-crds-$version"

if [[ -f "$target/.complete" ]]; then
  echo "$target"
  exit 0
fi

module_dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/cert-manager/cert-manager@v$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[[ -d "$module_dir/deploy/crds" ]] || { echo "cert-manager-crds.sh: no deploy/crds in github.com/cert-manager/cert-manager@v$version" >&2; exit 1; }
rm -rf "$target.partial"
mkdir -p "$target.partial"
cp "$module_dir"/deploy/crds/*.yaml "$target.partial/"
chmod u+w "$target.partial"/*.yaml
rm -rf "$target"
mv "$target.partial" "$target"
touch "$target/.complete"
echo "$target"
