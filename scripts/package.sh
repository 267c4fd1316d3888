#!/usr/bin/env bash
# Builds the plugin archives that `pulumi plugin install resource rocketmq <version>` downloads from
# schema.json's pluginDownloadURL (github://: release v<version>, asset
# pulumi-resource-rocketmq-v<version>-<os>-<arch>.tar.gz), for linux and darwin on amd64 and arm64.
#   package.sh [out-dir]     (default dist/; run `npm run build` first, as `npm run package` does)
#
# An archive holds what the build produces for the plugin (provider/bin), schema.json, the
# production dependencies and a launcher named after the plugin, which the engine runs from the
# plugin's directory. The plugin is JavaScript, so the four archives are one archive under four
# names; a dependency with native code would break that, and the script refuses it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
out=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
version=$(node -p "require('./schema.json').version")
platforms=(linux-amd64 linux-arm64 darwin-amd64 darwin-arm64)

[ -f provider/bin/pulumi-resource-rocketmq.js ] || { echo "package: provider/bin/pulumi-resource-rocketmq.js is missing; run 'npm run build' first" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/provider"
cp -R provider/bin "$stage/provider/bin"
cp schema.json package.json package-lock.json "$stage/"

# The lock file decides the production dependencies. Optional ones are left out too: those are
# typescript and ts-node (optional peers of @pulumi/pulumi, for TypeScript programs, which a
# provider never runs) and a few that their dependents load only if present. Install scripts are
# not run: the plugin runs its dependencies' JavaScript only, and some would try to download plugins.
(cd "$stage" && npm ci --omit=dev --omit=optional --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >&2)
native=$(cd "$stage" && find node_modules \( -name '*.node' -o -name binding.gyp \) -print)
if [ -n "$native" ]; then
    echo "package: production dependencies carry native code, so one archive cannot serve every platform:" >&2
    echo "$native" | sed 's/^/  /' >&2
    exit 1
fi
# Type declarations, TypeScript sources and source maps of dependencies are never loaded at run time.
find "$stage/node_modules" -type f \( -name '*.ts' -o -name '*.map' \) -delete
rm "$stage/package-lock.json"
node -e '
    const fs = require("fs");
    const file = process.argv[1];
    const { name, version, license, dependencies } = JSON.parse(fs.readFileSync(file, "utf8"));
    fs.writeFileSync(file, JSON.stringify({ name, version, private: true, license, dependencies }, null, 2) + "\n");
' "$stage/package.json"

cat >"$stage/pulumi-resource-rocketmq" <<'LAUNCHER'
#!/bin/sh
# The engine runs this by its path in the plugin's directory; the provider beside it is JavaScript.
exec node "$(dirname "$0")/provider/bin/pulumi-resource-rocketmq.js" "$@"
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
