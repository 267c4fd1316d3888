#!/usr/bin/env bash
# Regenerates sdk/ from schema.json with the real Pulumi code generator.
#   gen-sdk.sh           rewrite sdk/<language> for every language
#   gen-sdk.sh --check   generate into a scratch dir and fail if sdk/ differs (drift)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
languages=(nodejs python go dotnet)
mode=${1:-write}

bash tests/toolchain/all.sh >/dev/null
# shellcheck source=/dev/null
source tests/toolchain/env.sh
version=$(node -p "require('./schema.json').version")

generate_into() {
    local out=$1
    for language in "${languages[@]}"; do
        rm -rf "${out:?}/$language"
        pulumi package gen-sdk schema.json --language "$language" --out "$out" --version "$version" >/dev/null
    done
}

case "$mode" in
write)
    generate_into sdk
    echo "sdk/ regenerated from schema.json (version $version): ${languages[*]}"
    ;;
--check)
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    generate_into "$scratch"
    drift=0
    for language in "${languages[@]}"; do
        if ! diff -r -q "$scratch/$language" "sdk/$language" >&2; then
            drift=1
        fi
    done
    if [ "$drift" -ne 0 ]; then
        echo "sdk/ has drifted from schema.json: run 'npm run gen-sdk' and commit the result" >&2
        exit 1
    fi
    echo "sdk/ matches schema.json"
    ;;
*)
    echo "usage: gen-sdk.sh [--check]" >&2
    exit 2
    ;;
esac
