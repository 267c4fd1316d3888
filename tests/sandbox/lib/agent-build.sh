# Builds the node agent and its podnet preload library into a cache dir keyed by the hash of
# their sources, so a source change gets a fresh build and an unchanged tree reuses it.
# Sourced by sandbox.sh; prints the cache dir.
build_agent() {
  local src="$SANDBOX_SRC/agent"
  local hash
  hash="$(cd "$src" && cat go.mod go.sum ./*.go podnet/*.c | sha256sum | cut -c1-16)"
  local dir="$SANDBOX_CACHE/agent-$hash"
  if [ ! -x "$dir/agent" ] || [ ! -f "$dir/libpodnet.so" ]; then
    mkdir -p "$dir"
    say "testing and building the node agent into $dir"
    (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false nice -n 10 go test ./...) >&2 \
      || fail "the node agent's unit tests failed (tests/sandbox/agent)"
    (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false nice -n 10 go build -o "$dir/agent.tmp" .) >&2 \
      || fail "could not build the node agent (tests/sandbox/agent)"
    command -v gcc >/dev/null || apt_install gcc
    nice -n 10 gcc -shared -fPIC -O2 -Wall -o "$dir/libpodnet.so.tmp" "$src/podnet/podnet.c" -ldl >&2 \
      || fail "could not build the podnet library (tests/sandbox/agent/podnet)"
    mv "$dir/libpodnet.so.tmp" "$dir/libpodnet.so"
    mv "$dir/agent.tmp" "$dir/agent"
  fi
  echo "$dir"
}

# The volume resizer (agent/resizer), built the same way into its own cache dir. Its sources are
# not part of the agent's hash, so a new resizer never restarts the agent's pods.
build_resizer() {
  local src="$SANDBOX_SRC/agent"
  local hash
  hash="$(cd "$src" && cat go.mod go.sum resizer/*.go | sha256sum | cut -c1-16)"
  local dir="$SANDBOX_CACHE/resizer-$hash"
  if [ ! -x "$dir/resizer" ]; then
    mkdir -p "$dir"
    say "testing and building the volume resizer into $dir"
    (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false nice -n 10 go test ./resizer/) >&2 \
      || fail "the volume resizer's unit tests failed (tests/sandbox/agent/resizer)"
    (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false nice -n 10 go build -o "$dir/resizer.tmp" ./resizer) >&2 \
      || fail "could not build the volume resizer (tests/sandbox/agent/resizer)"
    mv "$dir/resizer.tmp" "$dir/resizer"
  fi
  echo "$dir"
}

apt_install() {
  say "installing $* with apt-get"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@") >&2 || fail "could not install $*"
}
