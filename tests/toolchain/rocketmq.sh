#!/usr/bin/env bash
# Obtains the RocketMQ jars (name server, broker, tools = mqadmin, client) through Maven and caches
# them in ~/.cache/pulumi-rocketmq/rocketmq-<version>/lib. Prints that lib dir on stdout, nothing else.
# Idempotent: a warm cache answers in well under a second.
#
# usage: tests/toolchain/rocketmq.sh [version]      (default 5.3.2)
#
# The Maven registry reachable here does not serve every module of every release (for 5.3.2 it lacks
# rocketmq-namesrv and rocketmq-tools). Such a module is taken from the next patch release, said so
# loudly on stderr, and recorded in lib/../VERSIONS; every other module stays at <version>.
set -euo pipefail

version="${1:-5.3.2}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${PULUMI_ROCKETMQ_CACHE:-$HOME/.cache/pulumi-rocketmq}"
home_dir="$cache_root/rocketmq-$version"
lib_dir="$home_dir/lib"
stamp="$home_dir/.complete"

if [[ -f "$stamp" && -d "$lib_dir" ]]; then
  echo "$lib_dir"
  exit 0
fi

command -v mvn >/dev/null || { echo "rocketmq.sh: Maven (mvn) is required to obtain RocketMQ $version" >&2; exit 1; }
command -v java >/dev/null || { echo "rocketmq.sh: Java 17 is required to run RocketMQ $version" >&2; exit 1; }

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# True when Maven can fetch org.apache.rocketmq:<module>:<version> (jar, no dependencies).
module_served() {
  mvn -q -B dependency:get -Dartifact="org.apache.rocketmq:$1:$2" -Dtransitive=false >>"$log" 2>&1
}

next_patch() {
  local major minor patch
  IFS=. read -r major minor patch <<<"$1"
  echo "$major.$minor.$((patch + 1))"
}

# Picks the version of one module: <version> when served, else the next patch release.
module_version() {
  local module="$1"
  if module_served "$module" "$version"; then
    echo "$version"
    return
  fi
  local fallback
  fallback="$(next_patch "$version")"
  if module_served "$module" "$fallback"; then
    echo "rocketmq.sh: $module $version is not served by the Maven registry; using $module $fallback" >&2
    echo "$fallback"
    return
  fi
  echo "rocketmq.sh: cannot obtain $module $version (nor $fallback) from the Maven registry" >&2
  cat "$log" >&2
  exit 1
}

namesrv_version="$(module_version rocketmq-namesrv)"
tools_version="$(module_version rocketmq-tools)"

staging="$home_dir/lib.partial"
rm -rf "$staging"
mkdir -p "$staging"
if ! mvn -q -B -f "$here/rocketmq/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$staging" \
  -Drocketmq.version="$version" \
  -Drocketmq.namesrv.version="$namesrv_version" \
  -Drocketmq.tools.version="$tools_version" >>"$log" 2>&1; then
  echo "rocketmq.sh: Maven could not resolve the RocketMQ $version jars:" >&2
  cat "$log" >&2
  exit 1
fi

for jar in rocketmq-namesrv rocketmq-broker rocketmq-tools rocketmq-client; do
  ls "$staging/$jar-"*.jar >/dev/null 2>&1 || { echo "rocketmq.sh: $jar missing after resolution" >&2; exit 1; }
done

rm -rf "$lib_dir"
mv "$staging" "$lib_dir"
(cd "$lib_dir" && ls rocketmq-*.jar) >"$home_dir/VERSIONS"
touch "$stamp"
echo "$lib_dir"
