#!/usr/bin/env bash
# Regenerates sdk/ from schema.json with the Pulumi code generator (pkg/codegen of the pinned Pulumi
# release), driven by our own small tool scripts/sdkgen.
#   gen-sdk.sh           rewrite sdk/<language> for every language
#   gen-sdk.sh --check   generate into a scratch dir and fail, listing the files, if sdk/ differs (drift)
#
# Languages: nodejs, python, go, dotnet. `pulumi package gen-sdk` would hand generation to each
# language host's GeneratePackage, but the hosts that have it are not obtainable as Go modules here,
# so sdkgen calls the same generators in-process (see scripts/sdkgen/go.mod for the pinned release).
# Java's generator lives in the pulumi-java module, which the Go module proxy does not serve: no
# java SDK is generated here; schema.json's java section is what `pulumi package gen-sdk
# --language java` reads where the Java language plugin is installed.
# sdk/go.mod is written by hand (it is not generated) and is left alone.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
languages=(nodejs python go dotnet)
mode=${1:-write}
case "$mode" in
write | --check) ;;
*)
    echo "usage: gen-sdk.sh [--check]" >&2
    exit 2
    ;;
esac

# shellcheck source=../tests/toolchain/versions.sh
source tests/toolchain/versions.sh
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
cache=${PULUMI_ROCKETMQ_CACHE:-$HOME/.cache/pulumi-rocketmq}

# The tool is rebuilt only when its sources (or the Go toolchain) change.
sdkgen_binary() {
    local hash dir
    hash=$(
        cd scripts/sdkgen
        { go version; for f in $(ls go.mod go.sum ./*.go | sort); do echo "== $f"; cat "$f"; done; } |
            sha256sum | cut -c1-16
    )
    dir="$cache/sdkgen-$hash"
    if [ ! -x "$dir/sdkgen" ]; then
        local start=$SECONDS
        mkdir -p "$dir"
        echo "building scripts/sdkgen into $dir (first run takes a few minutes)" >&2
        local partial
        partial=$(mktemp "$dir/sdkgen.XXXXXX")   # two runs at once each build their own
        if ! (cd scripts/sdkgen && nice -n 10 go build -o "$partial" .); then
            rm -f "$partial"
            echo "gen-sdk: could not build scripts/sdkgen" >&2
            exit 1
        fi
        mv "$partial" "$dir/sdkgen"
        echo "built sdkgen in $((SECONDS - start))s" >&2
    fi
    echo "$dir/sdkgen"
}

# schema.json refers to kubernetes types; the kubernetes package's schema is the one checked into
# the provider module of the pinned release (the schema its plugin serves, stamped with the version).
kubernetes_schema() {
    local module=github.com/pulumi/pulumi-kubernetes/provider/v4 dir
    dir=$(go mod download -json "$module@$KUBERNETES_PROVIDER_MODULE_VERSION" |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    if [ -z "$dir" ] || [ ! -f "$dir/cmd/pulumi-resource-kubernetes/schema.json" ]; then
        echo "gen-sdk: could not obtain the kubernetes schema ($module@$KUBERNETES_PROVIDER_MODULE_VERSION)" >&2
        exit 1
    fi
    echo "$dir/cmd/pulumi-resource-kubernetes/schema.json"
}

# schema.json's logoUrl is a file of this repository on its main branch; the .NET generator packs
# that image as the NuGet icon, read here from the working tree.
logo_file() {
    local file
    file=$(node -p "require('./schema.json').logoUrl.replace(/^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/main\//, '')")
    if [ ! -f "$file" ]; then
        echo "gen-sdk: schema.json's logoUrl names $file, which is not a file of this repository" >&2
        exit 1
    fi
    echo "$file"
}

generate_into() {
    local out=$1 joined
    joined=$(IFS=,; echo "${languages[*]}")
    "$sdkgen" --schema schema.json --out "$out" --language "$joined" \
        --dependency "kubernetes@$KUBERNETES_PROVIDER_VERSION=$kube_schema" --logo "$logo"
}

# Lists the files that differ between a fresh generation and sdk/<language>, as git sees the
# working tree: files git ignores (node_modules/, bin/, build output) are not part of the SDK.
drifted_files() {
    local fresh=$1 language=$2
    local generated committed
    generated=$(cd "$fresh/$language" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
    committed=$(git ls-files --cached --others --exclude-standard -- "sdk/$language" |
        sed "s|^sdk/$language/||" | LC_ALL=C sort -u)
    LC_ALL=C comm -13 <(echo "$generated") <(echo "$committed") | sed "s|^|sdk/$language/|; s|$| (not generated)|"
    LC_ALL=C comm -23 <(echo "$generated") <(echo "$committed") | sed "s|^|sdk/$language/|; s|$| (missing)|"
    while IFS= read -r file; do
        [ -n "$file" ] || continue
        if [ ! -f "sdk/$language/$file" ]; then
            echo "sdk/$language/$file (deleted)"
        elif ! cmp -s "$fresh/$language/$file" "sdk/$language/$file"; then
            echo "sdk/$language/$file (differs)"
        fi
    done < <(LC_ALL=C comm -12 <(echo "$generated") <(echo "$committed"))
}

sdkgen=$(sdkgen_binary)
kube_schema=$(kubernetes_schema)
logo=$(logo_file)
version=$(node -p "require('./schema.json').version")

case "$mode" in
write)
    generate_into sdk
    echo "sdk/ regenerated from schema.json (version $version): ${languages[*]}"
    ;;
--check)
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    generate_into "$scratch"
    drift=$(for language in "${languages[@]}"; do drifted_files "$scratch" "$language"; done | sed '/^$/d')
    if [ -n "$drift" ]; then
        echo "sdk/ has drifted from schema.json:" >&2
        echo "$drift" | sed 's/^/  /' >&2
        echo "run 'npm run gen-sdk' and commit the result" >&2
        exit 1
    fi
    echo "sdk/ matches schema.json (${languages[*]})"
    ;;
esac
