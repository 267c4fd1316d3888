#!/usr/bin/env bash
# The pulumi CLI and its language hosts, built from their Go modules into one bin dir: the engine
# looks for language hosts beside the `pulumi` binary.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="$PULUMI_VERSION"
PART="pulumi $version"
dir="$(part_dir pulumi "$version")"
part_done "$dir" && { log "pulumi $version: cached in $dir"; exit 0; }

# pkg/v3's go.mod replaces sdk/v3 with a local path, so `go install` refuses it; a wrapper that
# requires pkg and sdk at the same version and repeats pkg's non-local replaces builds cmd/pulumi.
build_cli() {
  local wrapper="$dir/src/cli"
  local pkg_mod
  pkg_mod="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [ -f "$pkg_mod" ] || fail "pulumi $version: github.com/pulumi/pulumi/pkg/v3@v$version is not served"
  local replaces
  replaces="$(grep -E '^replace .* => [^.]' "$pkg_mod" || true)"

  rm -rf "$wrapper"
  write_wrapper_mod "$wrapper" "pulumi-rocketmq.local/pulumi-cli" "$replaces"
  (cd "$wrapper" && go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version")
  mkdir -p "$dir/bin"
  (cd "$wrapper" && CGO_ENABLED=0 go_build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$dir/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
}

# The YAML language host, built against the same pkg/sdk as the CLI.
build_yaml_host() {
  local wrapper="$dir/src/yaml"
  rm -rf "$wrapper"
  write_wrapper_mod "$wrapper" "pulumi-rocketmq.local/pulumi-language-yaml" ""
  (cd "$wrapper" && go get "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v$PULUMI_YAML_VERSION" \
    "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version")
  (cd "$wrapper" && CGO_ENABLED=0 go_build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$PULUMI_YAML_VERSION" \
    -o "$dir/bin/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)
}

# Scripts the engine runs from beside `pulumi`: the python host's exec shim and the launcher of
# Node.js dynamic providers. Both ship in the sdk module.
copy_sdk_scripts() {
  local sdk
  sdk="$(module_dir github.com/pulumi/pulumi/sdk/v3 "v$version")"
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$dir/bin/"
  install -m 0755 "$sdk/nodejs/dist/pulumi-resource-pulumi-nodejs" "$dir/bin/"
}

verify_pulumi() {
  "$dir/bin/pulumi" version | grep -qx "v$version" || fail "pulumi does not report v$version"
  [ -x "$dir/bin/pulumi-language-yaml" ] || fail "pulumi-language-yaml $PULUMI_YAML_VERSION missing"
}

log "pulumi $version: building the CLI"
timed "$dir" "pulumi-cli-build" build_cli
log "pulumi $version: building pulumi-language-yaml $PULUMI_YAML_VERSION"
timed "$dir" "pulumi-language-yaml-build" build_yaml_host
copy_sdk_scripts
verify_pulumi
mark_done "$dir"
log "pulumi $version: ready in $dir/bin"
