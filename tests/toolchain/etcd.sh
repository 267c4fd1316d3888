#!/usr/bin/env bash
# The etcd server, built from go.etcd.io/etcd/server/v3 (its go.mod only replaces sibling modules
# by local paths, which the wrapper does not need: they are required at the same version).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="$ETCD_VERSION"
PART="etcd $version"
dir="$(part_dir etcd "$version")"
part_done "$dir" && { log "etcd $version: cached in $dir"; exit 0; }

build_etcd() {
  local wrapper="$dir/src"
  rm -rf "$wrapper"
  write_wrapper_mod "$wrapper" "pulumi-rocketmq.local/etcd" ""
  (cd "$wrapper" && go get "go.etcd.io/etcd/server/v3@v$version")
  mkdir -p "$dir/bin"
  (cd "$wrapper" && CGO_ENABLED=0 go_build -trimpath \
    -ldflags "-s -w" \
    -o "$dir/bin/etcd" go.etcd.io/etcd/server/v3)
}

log "etcd $version: building"
timed "$dir" "etcd-build" build_etcd
grep -q "etcd Version: $version" <<<"$("$dir/bin/etcd" --version)" || fail "etcd does not report $version"
mark_done "$dir"
log "etcd $version: ready in $dir/bin"
