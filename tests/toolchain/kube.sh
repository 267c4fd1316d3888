#!/usr/bin/env bash
# kube-apiserver, kube-controller-manager, kube-scheduler and kubectl built from k8s.io/kubernetes.
# Its go.mod requires every staging module at v0.0.0 with local replaces, which only work inside
# the kubernetes repository; our wrapper module pins each of them to the matching v0.<minor>.<patch>.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="$KUBERNETES_VERSION"
PART="kubernetes $version (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl)"
dir="$(part_dir kubernetes "$version")"
part_done "$dir" && { log "kubernetes $version: cached in $dir"; exit 0; }

build_kubernetes() {
  local wrapper="$dir/src" staging_version="v0.${version#*.}"
  local upstream_mod
  upstream_mod="$(go mod download -json "k8s.io/kubernetes@v$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [ -f "$upstream_mod" ] || fail "kubernetes $version: k8s.io/kubernetes@v$version is not served"

  # Every module the release requires at v0.0.0 is one of its staging modules.
  local replaces
  replaces="$(awk '$2 == "v0.0.0" { print "\t" $1 " => " $1 " '"$staging_version"'" }' "$upstream_mod")"
  [ -n "$replaces" ] || fail "kubernetes $version: found no staging modules in its go.mod"
  local godebug
  godebug="$(grep '^godebug' "$upstream_mod" || true)"

  rm -rf "$wrapper"
  write_wrapper_mod "$wrapper" "pulumi-rocketmq.local/kubernetes" "$godebug

replace (
$replaces
)"
  local packages="k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl"
  (cd "$wrapper" && go get $(for p in $packages; do echo "$p@v$version"; done))

  local minor="${version#*.}"; minor="${minor%%.*}"
  local build_date; build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  local ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=v$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  done
  mkdir -p "$dir/bin"
  (cd "$wrapper" && CGO_ENABLED=0 go_build -trimpath -ldflags "$ldflags" -o "$dir/bin/" $packages)
}

# Each binary must report the pinned release (the ldflags above stamp it).
verify_kubernetes() {
  local binary
  for binary in kube-apiserver kube-controller-manager kube-scheduler; do
    grep -q "v$version" <<<"$("$dir/bin/$binary" --version)" || fail "$binary does not report v$version"
  done
  grep -q "v$version" <<<"$("$dir/bin/kubectl" version --client)" || fail "kubectl does not report v$version"
}

log "kubernetes $version: building (cold builds take a long while)"
timed "$dir" "kubernetes-build" build_kubernetes
verify_kubernetes
mark_done "$dir"
log "kubernetes $version: ready in $dir/bin"
