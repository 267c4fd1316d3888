#!/usr/bin/env bash
# The pulumi CLI and its language hosts, built from their Go modules into one bin dir: the engine
# looks for language hosts beside the `pulumi` binary and never downloads them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

#
#   pulumi.sh                 the CLI and every language host
#   pulumi.sh cli yaml        only these (the main job's YAML program needs no other host)
#
# Each binary is built when missing and kept once built, so asking for more later builds only
# the rest; the part is complete when all of them are there.

version="$PULUMI_VERSION"
PART="pulumi $version"
dir="$(part_dir pulumi "$version")"
# The YAML host has a pin of its own: a complete part with another version of it rebuilds that host.
have_yaml_pin() { [ "$(cat "$dir/versions/pulumi-language-yaml" 2>/dev/null)" = "v$PULUMI_YAML_VERSION" ]; }
# The python host runs behind a launcher of ours (python-host-launcher/): a complete part without
# it, or with one built from other sources, builds it (and the host under its new name).
python_launcher_source="$TOOLCHAIN_DIR/python-host-launcher/main.go"
python_launcher_stamp() { echo "launcher $(sha256sum <"$python_launcher_source" | cut -c1-16) for v$PULUMI_SDK_HOSTS_VERSION"; }
have_python_launcher() { [ "$(cat "$dir/versions/pulumi-language-python" 2>/dev/null)" = "$(python_launcher_stamp)" ]; }
part_done "$dir" && have_yaml_pin && have_python_launcher && { log "pulumi $version: cached in $dir"; exit 0; }
all_binaries=(cli yaml nodejs python go)
wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=("${all_binaries[@]}")

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
    -o "$dir/bin/.pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv "$dir/bin/.pulumi.tmp" "$dir/bin/pulumi"
  echo "v$version" > "$dir/versions/pulumi"
}

# The YAML language host (the root Pulumi.yaml runs on it), built with the pkg and sdk versions its
# own go.mod asks for: newer pkg releases changed APIs it calls. Hosts talk to the CLI over gRPC,
# so they need not share its Go packages.
build_yaml_host() {
  local wrapper="$dir/src/yaml"
  rm -rf "$wrapper"
  write_wrapper_mod "$wrapper" "pulumi-rocketmq.local/pulumi-language-yaml" ""
  (cd "$wrapper" && go get "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v$PULUMI_YAML_VERSION")
  (cd "$wrapper" && CGO_ENABLED=0 go_build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$PULUMI_YAML_VERSION" \
    -o "$dir/bin/.pulumi-language-yaml.tmp" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)
  mv "$dir/bin/.pulumi-language-yaml.tmp" "$dir/bin/pulumi-language-yaml"
  echo "v$PULUMI_YAML_VERSION" > "$dir/versions/pulumi-language-yaml"
}

# The nodejs, python and go hosts are modules of their own today, which the Go module proxy does
# not serve at any version. Until they moved out, they were packages of the sdk/v3 module, which
# is served: build them from the newest sdk/v3 release that still carried each of them.
build_sdk_host() {  # build_sdk_host LANGUAGE SDK_VERSION PACKAGE [BINARY]
  local language="$1" sdk_version="$2" package="$3" binary="${4:-pulumi-language-$1}"
  local wrapper="$dir/src/$language"
  rm -rf "$wrapper"
  write_wrapper_mod "$wrapper" "pulumi-rocketmq.local/pulumi-language-$language" ""
  (cd "$wrapper" && go get "$package@v$sdk_version")
  (cd "$wrapper" && CGO_ENABLED=0 go_build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$sdk_version" \
    -o "$dir/bin/.$binary.tmp" "$package")
  mv "$dir/bin/.$binary.tmp" "$dir/bin/$binary"
  echo "v$sdk_version" > "$dir/versions/$binary"
}

# That python host takes a project's runtime options (`virtualenv`) as flags, which today's engine
# no longer passes: it sends them over gRPC. The engine starts the launcher under the host's name;
# the launcher reads the options from the project file and starts the host with them as flags.
build_python_launcher() {
  local wrapper="$dir/src/python-launcher"
  rm -rf "$wrapper"
  write_wrapper_mod "$wrapper" "pulumi-rocketmq.local/pulumi-language-python-launcher" ""
  cp "$python_launcher_source" "$wrapper/main.go"
  (cd "$wrapper" && go get gopkg.in/yaml.v3@v3.0.1 && go mod tidy)
  (cd "$wrapper" && CGO_ENABLED=0 go_build -trimpath -ldflags "-s -w" -o "$dir/bin/.pulumi-language-python.tmp" .)
  mv "$dir/bin/.pulumi-language-python.tmp" "$dir/bin/pulumi-language-python"
  python_launcher_stamp > "$dir/versions/pulumi-language-python"
}

# Scripts the engine runs from beside `pulumi`: the python host's exec shim and the launcher of
# Node.js dynamic providers. Both ship in the sdk module.
copy_sdk_scripts() {
  local sdk
  sdk="$(module_dir github.com/pulumi/pulumi/sdk/v3 "v$version")"
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$dir/bin/"
  install -m 0755 "$sdk/nodejs/dist/pulumi-resource-pulumi-nodejs" "$dir/bin/"
}

# A binary is there once its version file is: both are written after the build succeeded.
have() {  # have BINARY
  [ -x "$dir/bin/$1" ] && [ -f "$dir/versions/$1" ]
}

build() {  # build NAME: one of all_binaries
  case "$1" in
    cli)
      have pulumi && return 0
      log "pulumi $version: building the CLI"
      timed "$dir" "pulumi-cli-build" build_cli
      [ "$("$dir/bin/pulumi" version)" = "v$version" ] || fail "pulumi does not report v$version"
      ;;
    yaml)
      have pulumi-language-yaml && have_yaml_pin && return 0
      log "pulumi $version: building pulumi-language-yaml $PULUMI_YAML_VERSION"
      timed "$dir" "pulumi-language-yaml-build" build_yaml_host
      ;;
    nodejs)
      have pulumi-language-nodejs && return 0
      log "pulumi $version: building pulumi-language-nodejs from sdk $PULUMI_SDK_HOSTS_VERSION"
      timed "$dir" "pulumi-language-nodejs-build" build_sdk_host nodejs "$PULUMI_SDK_HOSTS_VERSION" \
        github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
      ;;
    python)
      if ! have pulumi-language-python-host; then
        log "pulumi $version: building pulumi-language-python from sdk $PULUMI_SDK_HOSTS_VERSION"
        timed "$dir" "pulumi-language-python-build" build_sdk_host python "$PULUMI_SDK_HOSTS_VERSION" \
          github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python pulumi-language-python-host
      fi
      have pulumi-language-python && have_python_launcher && return 0
      log "pulumi $version: building the launcher of pulumi-language-python"
      timed "$dir" "pulumi-language-python-launcher-build" build_python_launcher
      ;;
    go)
      have pulumi-language-go && return 0
      log "pulumi $version: building pulumi-language-go from sdk $PULUMI_SDK_GO_HOST_VERSION"
      timed "$dir" "pulumi-language-go-build" build_sdk_host go "$PULUMI_SDK_GO_HOST_VERSION" \
        github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go
      ;;
    *) fail "pulumi.sh: no binary called $1 (one of: ${all_binaries[*]})" ;;
  esac
}

mkdir -p "$dir/versions" "$dir/bin"
for binary in "${wanted[@]}"; do
  build "$binary"
done
copy_sdk_scripts
for host in nodejs python python-host go yaml; do
  have "pulumi-language-$host" || { log "pulumi $version: ready in $dir/bin (${wanted[*]})"; exit 0; }
done
have_python_launcher || { log "pulumi $version: ready in $dir/bin (${wanted[*]})"; exit 0; }
have pulumi || exit 0
mark_done "$dir"
log "pulumi $version: ready in $dir/bin"
