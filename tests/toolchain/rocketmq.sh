#!/usr/bin/env bash
# Obtains the RocketMQ jars (name server, broker, tools = mqadmin, client, and from 5.0 the proxy and the controller) of one release through
# Maven and caches them in ~/.cache/pulumi-rocketmq/rocketmq-<version>/lib, one dir per version.
# Prints that lib dir on stdout, nothing else. Idempotent: a warm cache answers in well under a second.
#
# usage: tests/toolchain/rocketmq.sh [version]      (default ROCKETMQ_VERSION of versions.sh)
#
# The Maven registry reachable here does not serve every module of every release (5.5.1 lacks
# rocketmq-namesrv, -tools, -client, -srvutil, -auth and -filter; 5.3.2 lacks -namesrv, -tools and
# -controller). Such a module is taken from the nearest served patch release of the same minor line
# (next first, then previous), said so on stderr and recorded in rocketmq-<version>/VERSIONS; every
# other module stays at <version>.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.sh"
version="${1:-$ROCKETMQ_VERSION}"
cache_root="${PULUMI_ROCKETMQ_CACHE:-$HOME/.cache/pulumi-rocketmq}"
home_dir="$cache_root/rocketmq-$version"
lib_dir="$home_dir/lib"
stamp="$home_dir/.complete"
# A 5.x lib holds the proxy too; .with-proxy says so (a lib obtained before the proxy was added lacks it).
proxy_stamp="$home_dir/.with-proxy"

[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "rocketmq.sh: '$version' is not a RocketMQ release (major.minor.patch)" >&2; exit 1; }
with_proxy=false
[[ "${version%%.*}" -ge 5 ]] && with_proxy=true

if [[ -f "$stamp" && -d "$lib_dir" ]] && { ! $with_proxy || [[ -f "$proxy_stamp" ]]; }; then
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

# The nearest served patch release of <version> for one module: patch+1, patch-1, patch+2, ...
nearest_served() {
  local module="$1" major minor patch step candidate
  IFS=. read -r major minor patch <<<"$version"
  for step in 1 -1 2 -2 3 -3; do
    candidate=$((patch + step))
    ((candidate >= 0)) || continue
    if module_served "$module" "$major.$minor.$candidate"; then
      echo "$major.$minor.$candidate"
      return 0
    fi
  done
  return 1
}

staging="$home_dir/lib.partial"
profile=()
$with_proxy && profile=(-Dproxy)
overrides=()      # -D<module>.version=<release> for each module taken from another release
substituted=()    # "<module> <release>" lines for VERSIONS
resolve() {
  rm -rf "$staging"
  mkdir -p "$staging"
  mvn -B -f "$here/rocketmq/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$staging" \
    -Drocketmq.version="$version" "${profile[@]}" "${overrides[@]}" >"$log.resolve" 2>&1
}

# Resolve; each RocketMQ module the registry refuses at <version> is replaced by its nearest served
# patch release and the resolution repeated (one module per round, at most one round per module).
for _round in $(seq 1 16); do
  if resolve; then break; fi
  missing="$(grep -oE 'org\.apache\.rocketmq:rocketmq-[a-z-]+:(jar|pom):[0-9.]+' "$log.resolve" \
    | grep -E ":$version\$" | head -n 1 | cut -d: -f2 || true)"
  if [[ -z "$missing" ]] || printf '%s\n' "${substituted[@]:-}" | grep -q "^$missing "; then
    echo "rocketmq.sh: Maven could not resolve the RocketMQ $version jars:" >&2
    cat "$log.resolve" "$log" >&2
    rm -f "$log.resolve"
    exit 1
  fi
  if ! release="$(nearest_served "$missing")"; then
    echo "rocketmq.sh: cannot obtain $missing $version, nor any patch release of $version's minor line near it, from the Maven registry" >&2
    rm -f "$log.resolve"
    exit 1
  fi
  echo "rocketmq.sh: $missing $version is not served by the Maven registry; using $missing $release" >&2
  overrides+=("-D$missing.version=$release")
  substituted+=("$missing $release")
done
rm -f "$log.resolve"

required=(rocketmq-namesrv rocketmq-broker rocketmq-tools rocketmq-client)
# The controller (RIP-44, standalone or inside the name server) is a dependency of the 5.x name
# server, so every 5.x lib has it; the check says so if a release ever drops it.
$with_proxy && required+=(rocketmq-proxy rocketmq-controller)
for jar in "${required[@]}"; do
  ls "$staging/$jar-"*.jar >/dev/null 2>&1 || { echo "rocketmq.sh: $jar missing after resolution" >&2; exit 1; }
done

kept=()           # "<jar> (resolution: <jar>)" lines for VERSIONS
if [[ -f "$stamp" && -d "$lib_dir" ]]; then
  # A lib from before the proxy: running processes (the sandbox's pods bind-mount it) keep their
  # jars, so jars are only added. A library the lib already has stays at its version even when the
  # resolution with the proxy picks another, so no library is on the classpath twice; said on stderr
  # and recorded in VERSIONS.
  artifact_of() { basename "$1" | sed -E 's/-[0-9][^-]*(-.*)?\.jar$//'; }
  declare -A present=()
  for jar in "$lib_dir"/*.jar; do present["$(artifact_of "$jar")"]="$(basename "$jar")"; done
  for jar in "$staging"/*.jar; do
    name="$(basename "$jar")" artifact="$(artifact_of "$jar")"
    if [[ -z "${present[$artifact]:-}" ]]; then
      cp "$jar" "$lib_dir/.$name.tmp" && mv "$lib_dir/.$name.tmp" "$lib_dir/$name"
    elif [[ ! -f "$lib_dir/$name" ]]; then
      echo "rocketmq.sh: keeping ${present[$artifact]} of the existing lib (the resolution with the proxy has $name)" >&2
      kept+=("${present[$artifact]} (resolution: $name)")
    fi
  done
  rm -rf "$staging"
else
  rm -rf "$lib_dir"
  mv "$staging" "$lib_dir"
fi
{
  echo "# RocketMQ $version: the jars of lib/. Modules taken from another release (not served at $version):"
  if [[ ${#substituted[@]} -gt 0 ]]; then printf '#   %s\n' "${substituted[@]}"; else echo "#   none"; fi
  if [[ ${#kept[@]} -gt 0 ]]; then echo "# Kept from the lib obtained before the proxy was added:"; printf '#   %s\n' "${kept[@]}"; fi
  (cd "$lib_dir" && ls rocketmq-*.jar)
} >"$home_dir/VERSIONS"
touch "$stamp"
if $with_proxy; then touch "$proxy_stamp"; fi
echo "$lib_dir"
