#!/usr/bin/env bash
# Proves the cached toolchain works together, as a user would use it: a local file backend, a
# passphrase, `pulumi preview` of a YAML program that declares a kubernetes object (so the engine
# loads pulumi-language-yaml and the installed kubernetes plugin, never downloading anything),
# and of a TypeScript program on the nodejs language host with @pulumi/pulumi from node_modules.
set -Eeuo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$here/env.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PULUMI_BACKEND_URL="file://$work/state"
export PULUMI_CONFIG_PASSPHRASE="toolchain-smoke"
# No cluster is needed: the kubernetes provider previews against an unreachable one.
export KUBECONFIG="$work/no-such-kubeconfig"
mkdir -p "$work/state"

preview() {  # preview DIR
  (cd "$1" && pulumi stack init smoke --non-interactive >/dev/null 2>&1 && pulumi preview --non-interactive 2>&1)
}

mkdir -p "$work/yaml"
cat > "$work/yaml/Pulumi.yaml" <<YAML
name: toolchain-smoke-yaml
runtime: yaml
resources:
  settings:
    type: kubernetes:core/v1:ConfigMap
    properties:
      data:
        answer: "42"
outputs:
  answer: \${settings.data.answer}
YAML
out="$(preview "$work/yaml")" || { echo "$out" >&2; echo "smoke: pulumi preview of a YAML program failed" >&2; exit 1; }
grep -q "kubernetes:core/v1:ConfigMap" <<<"$out" || { echo "$out" >&2; echo "smoke: the YAML preview did not plan the ConfigMap" >&2; exit 1; }
echo "smoke: YAML program with a kubernetes ConfigMap previews"

mkdir -p "$work/ts"
cat > "$work/ts/Pulumi.yaml" <<YAML
name: toolchain-smoke-ts
runtime:
  name: nodejs
  options:
    typescript: true
YAML
cat > "$work/ts/index.ts" <<'TS'
import * as pulumi from "@pulumi/pulumi";
export const stackName: string = pulumi.getStack();
TS
printf '{ "compilerOptions": { "strict": true, "target": "ES2022", "module": "commonjs" } }\n' > "$work/ts/tsconfig.json"
printf '{ "name": "toolchain-smoke-ts", "main": "index.ts" }\n' > "$work/ts/package.json"
ln -s "$repo/node_modules" "$work/ts/node_modules"
out="$(preview "$work/ts")" || { echo "$out" >&2; echo "smoke: pulumi preview of a TypeScript program failed" >&2; exit 1; }
grep -q "stackName" <<<"$out" || { echo "$out" >&2; echo "smoke: the TypeScript preview did not show its output" >&2; exit 1; }
echo "smoke: TypeScript program on the nodejs language host previews"
