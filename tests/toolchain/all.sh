#!/usr/bin/env bash
# `npm run toolchain`: obtains every real part the tests and `npm run up` use, caches each in
# ~/.cache/pulumi-rocketmq/<part>-<version>, then prints what it has. Every part is attempted;
# the command fails at the end naming each part that could not be obtained.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.sh"

missing=()
obtain() {  # obtain LABEL SCRIPT [ARGS...]
  local label="$1"; shift
  local start=$SECONDS
  if bash "$@"; then
    printf '[toolchain] %s: ok (%ss)\n' "$label" "$((SECONDS - start))" >&2
  else
    printf '[toolchain] %s: FAILED (%ss)\n' "$label" "$((SECONDS - start))" >&2
    missing+=("$label")
  fi
}

obtain "node $NODE_VERSION" "$here/node.sh" >/dev/null
# The CLI comes first: installing the kubernetes plugin needs it.
obtain "pulumi $PULUMI_VERSION and language hosts" "$here/pulumi.sh"
obtain "pulumi-resource-kubernetes $KUBERNETES_PROVIDER_VERSION" "$here/kubernetes-plugin.sh"
obtain "etcd $ETCD_VERSION" "$here/etcd.sh"
obtain "kubernetes $KUBERNETES_VERSION" "$here/kube.sh"
# Built here, before any test runs: built by the first e2e test instead, its minutes of compiling
# would count against that test's timeout.
obtain "sandbox node agent" "$here/../sandbox/sandbox.sh" build >/dev/null
# The default release (the provider's images), every release of the integration tier's matrix, and
# the auth example's, so that no test downloads jars while it runs.
rocketmq_versions=$(printf '%s\n' "$ROCKETMQ_VERSION" $ROCKETMQ_MATRIX_VERSIONS "$ROCKETMQ_AUTH_EXAMPLE_VERSION" | awk '!seen[$0]++')
for version in $rocketmq_versions; do
  obtain "rocketmq $version jars" "$here/rocketmq.sh" "$version" >/dev/null
done
obtain "rocketmq-client-java $ROCKETMQ_CLIENT_JAVA_VERSION jars" "$here/rocketmq-client-java.sh" >/dev/null
obtain "cert-manager $CERT_MANAGER_VERSION controller" "$here/cert-manager-controller.sh" >/dev/null
obtain "cert-manager $CERT_MANAGER_VERSION CRDs" "$here/cert-manager-crds.sh" >/dev/null

source "$here/env.sh"

# The npm SDK asks the engine for the plugin version it was generated for; it must be the one
# installed above.
sdk_pin="$(node -p 'require(process.argv[1]).dependencies["@pulumi/kubernetes"]' "$here/../../package.json")"
if [ "$sdk_pin" != "$KUBERNETES_PROVIDER_VERSION" ]; then
  printf '[toolchain] @pulumi/kubernetes %s in package.json does not match the kubernetes plugin %s\n' \
    "$sdk_pin" "$KUBERNETES_PROVIDER_VERSION" >&2
  missing+=("pulumi-resource-kubernetes $sdk_pin (package.json asks for it)")
fi

# What is on PATH now, as each binary reports itself.
report() {  # report NAME COMMAND...
  local name="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then
    printf '  %-28s %s\n' "$name" "${out%%$'\n'*}"
  else
    printf '  %-28s MISSING\n' "$name"
  fi
}
echo "toolchain (cache: $PULUMI_ROCKETMQ_CACHE, PULUMI_HOME: $PULUMI_HOME)"
report node node --version
report pulumi pulumi version
for host in nodejs python go yaml; do
  if [ -x "$TOOLCHAIN_PULUMI_BIN/pulumi-language-$host" ]; then
    printf '  %-28s %s\n' "pulumi-language-$host" "$(cat "$TOOLCHAIN_PULUMI_BIN/../versions/pulumi-language-$host")"
  else
    printf '  %-28s MISSING\n' "pulumi-language-$host"
  fi
done
report "plugin resource kubernetes" bash -c "pulumi plugin ls | awk '\$1 == \"kubernetes\" { print \$3; found = 1 } END { exit !found }'"
report kube-apiserver kube-apiserver --version
report kube-controller-manager kube-controller-manager --version
report kube-scheduler kube-scheduler --version
report kubectl kubectl version --client
report etcd etcd --version
for version in $rocketmq_versions; do
  report "rocketmq $version jars" bash "$here/rocketmq.sh" "$version"
done
report "rocketmq-client-java jars" bash "$here/rocketmq-client-java.sh"

# The parts must work together, not only exist: preview a YAML program that uses the kubernetes
# plugin and a TypeScript program on the nodejs host. Once per set of versions (it takes 10-30 s);
# TOOLCHAIN_SMOKE=always runs it again.
if [ "${#missing[@]}" -eq 0 ]; then
  smoke_key="$(cat "$here/versions.sh" "$here/smoke.sh" <(echo "$sdk_pin") | sha256sum | cut -c1-16)"
  smoke_marker="$PULUMI_ROCKETMQ_CACHE/smoke-$smoke_key.ok"
  if [ -f "$smoke_marker" ] && [ "${TOOLCHAIN_SMOKE:-}" != "always" ]; then
    printf '[toolchain] smoke check: passed on %s for these versions\n' "$(cat "$smoke_marker")" >&2
  else
    obtain "smoke check (pulumi preview of YAML and TypeScript programs)" "$here/smoke.sh"
    [ "${#missing[@]}" -eq 0 ] && date -u +%Y-%m-%dT%H:%M:%SZ > "$smoke_marker"
  fi
fi

if [ "${#missing[@]}" -gt 0 ]; then
  printf '[toolchain] FAILED: could not obtain: %s\n' "$(IFS=';'; echo "${missing[*]}")" >&2
  exit 1
fi
