#!/usr/bin/env bash
# Builds the plugin archives that `pulumi plugin install resource rocketmq <version>` downloads from
# schema.json's pluginDownloadURL (github://: release v<version>, asset
# pulumi-resource-rocketmq-v<version>-<os>-<arch>.tar.gz), for linux and darwin on amd64 and arm64.
#   package.sh [out-dir]     (default dist/; run `npm run build` first, as `npm run package` does)
#
# An archive holds the bundled plugin (provider/bin/: the entry pulumi-resource-rocketmq.mjs, which
# carries schema.json, and the chunks it loads on use; together they hold every dependency the
# plugin loads; the modules it names but does not bundle are optional ones it loads only if present) and a launcher named after the plugin, which the engine
# runs from the plugin's directory. The plugin is JavaScript, so the four archives are one archive
# under four names.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
out=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
version=$(node -p "require('./schema.json').version")
platforms=(linux-amd64 linux-arm64 darwin-amd64 darwin-arm64)

[ -f provider/bin/pulumi-resource-rocketmq.mjs ] || { echo "package: provider/bin/pulumi-resource-rocketmq.mjs is missing; run 'npm run build' first" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
mkdir -p "$stage/provider"
cp -R provider/bin "$stage/provider/bin"

cat >"$stage/pulumi-resource-rocketmq" <<'LAUNCHER'
#!/bin/sh
# The engine runs this by its path in the plugin's directory; the provider beside it is JavaScript.
# Node.js keeps the bundle's compiled code there between starts (as provider/cmd's launcher does).
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-${TMPDIR:-/tmp}/node-compile-cache}"
exec node "$(dirname "$0")/provider/bin/pulumi-resource-rocketmq.mjs" "$@"
LAUNCHER
chmod 0755 "$stage/pulumi-resource-rocketmq"

# Same bytes for the same inputs: sorted entries, fixed owner and times, no name or time in gzip.
archive="$out/pulumi-resource-rocketmq-v$version-${platforms[0]}.tar.gz"
tar -C "$stage" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . | gzip -n -9 >"$archive"
for platform in "${platforms[@]:1}"; do
    cp "$archive" "$out/pulumi-resource-rocketmq-v$version-$platform.tar.gz"
done
for platform in "${platforms[@]}"; do
    file="$out/pulumi-resource-rocketmq-v$version-$platform.tar.gz"
    echo "$file $(du -k "$file" | cut -f1) KiB"
done
