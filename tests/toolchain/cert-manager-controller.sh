#!/usr/bin/env bash
# Builds cert-manager's controller for the sandbox from the Go module github.com/cert-manager/cert-manager
# (its controllers, wired by cert-manager-controller/main.go: cert-manager's cmd/controller module is
# not served) and caches it in ~/.cache/pulumi-rocketmq/cert-manager-controller-<version>-<hash of the
# wiring>/cert-manager-controller. Prints the binary's path on stdout, nothing else.
#
# usage: tests/toolchain/cert-manager-controller.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.sh"
source "$here/lib.sh"
src="$here/cert-manager-controller"
grep -q "github.com/cert-manager/cert-manager v$CERT_MANAGER_VERSION\$" "$src/go.mod" ||
  fail "cert-manager-controller/go.mod does not require github.com/cert-manager/cert-manager v$CERT_MANAGER_VERSION (versions.sh)"
hash="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-16)"
dir="$TOOLCHAIN_CACHE/cert-manager-controller-$CERT_MANAGER_VERSION-$hash"
binary="$dir/cert-manager-controller"

if part_done "$dir" && [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi

mkdir -p "$dir"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
cp "$src/main.go" "$src/go.mod" "$src/go.sum" "$build/"
timed "$dir" "cert-manager controller $CERT_MANAGER_VERSION" bash -c "cd '$build' && GOFLAGS=-mod=readonly nice -n 10 go build -trimpath -o '$binary.partial' . >&2"
mv "$binary.partial" "$binary"
mark_done "$dir"
echo "$binary"
