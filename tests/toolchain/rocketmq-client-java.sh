#!/usr/bin/env bash
# Obtains RocketMQ 5's gRPC Java client (org.apache.rocketmq:rocketmq-client-java, which talks to
# proxies) through Maven and caches it with its dependencies in
# ~/.cache/pulumi-rocketmq/rocketmq-client-java-<version>/lib. Prints that lib dir on stdout, nothing
# else. Idempotent: a warm cache answers at once.
#
# usage: tests/toolchain/rocketmq-client-java.sh [version]   (default ROCKETMQ_CLIENT_JAVA_VERSION of versions.sh)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.sh"
version="${1:-$ROCKETMQ_CLIENT_JAVA_VERSION}"
cache_root="${PULUMI_ROCKETMQ_CACHE:-$HOME/.cache/pulumi-rocketmq}"
home_dir="$cache_root/rocketmq-client-java-$version"
lib_dir="$home_dir/lib"
stamp="$home_dir/.complete"

if [[ -f "$stamp" && -d "$lib_dir" ]]; then
  echo "$lib_dir"
  exit 0
fi

[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "rocketmq-client-java.sh: '$version' is not a release (major.minor.patch)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "rocketmq-client-java.sh: Maven (mvn) is required to obtain rocketmq-client-java $version" >&2; exit 1; }

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
staging="$home_dir/lib.partial"
rm -rf "$staging"
mkdir -p "$staging"
if ! mvn -B -f "$here/rocketmq-client-java/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$staging" -Dclient.version="$version" >"$log" 2>&1; then
  echo "rocketmq-client-java.sh: Maven could not resolve rocketmq-client-java $version:" >&2
  cat "$log" >&2
  exit 1
fi
ls "$staging/rocketmq-client-java-$version.jar" >/dev/null 2>&1 || { echo "rocketmq-client-java.sh: rocketmq-client-java-$version.jar missing after resolution" >&2; exit 1; }
rm -rf "$lib_dir"
mv "$staging" "$lib_dir"
touch "$stamp"
echo "$lib_dir"
