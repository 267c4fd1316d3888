# Shared helpers for the toolchain scripts: cache layout, logging, timing, Go wrapper builds.
# Sourced, never run.

set -Eeuo pipefail

# Any failing command ends the script naming the part it was obtaining (each script sets PART).
trap '[ "$BASH_SUBSHELL" -ne 0 ] || printf "[toolchain] FAILED: could not obtain %s (%s, line %s)\n" "${PART:-a toolchain part}" "$(basename "$0")" "$LINENO" >&2' ERR

TOOLCHAIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$TOOLCHAIN_DIR/versions.sh"

# One cache for every clone on this machine; each part lives in <part>-<version>.
TOOLCHAIN_CACHE="${PULUMI_ROCKETMQ_CACHE:-$HOME/.cache/pulumi-rocketmq}"
mkdir -p "$TOOLCHAIN_CACHE"

# The machine's own Go, never a downloaded toolchain (a dependency's `toolchain` line would
# otherwise ask for one).
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { printf '[toolchain %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() { trap - ERR; printf '[toolchain] FAILED: %s\n' "$*" >&2; exit 1; }

part_dir() { echo "$TOOLCHAIN_CACHE/$1-$2"; }   # part_dir NAME VERSION

# A part is complete once its marker exists; the marker is written last, so an interrupted
# build is redone on the next run.
part_done() { [ -f "$1/.complete" ]; }
mark_done() { date -u +%Y-%m-%dT%H:%M:%SZ > "$1/.complete"; }

# Runs "$@" and records how long it took in the part's timings file.
timed() {
  local dir="$1" label="$2"; shift 2
  local start end
  start=$(date +%s)
  "$@"
  end=$(date +%s)
  mkdir -p "$dir"
  echo "$label $((end - start))s" >> "$dir/.timings"
  log "$label took $((end - start))s"
}

# Heavy compiles share the machine: lower their priority.
go_build() { nice -n 10 go build "$@"; }

# Writes a wrapper go.mod in DIR: module name, go line, then the given body lines.
write_wrapper_mod() {
  local dir="$1" module="$2" body="$3"
  mkdir -p "$dir"
  printf 'module %s\n\ngo 1.26\n\n%s\n' "$module" "$body" > "$dir/go.mod"
}

# Directory of a module in the module cache, downloading it first.
module_dir() {
  go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}
