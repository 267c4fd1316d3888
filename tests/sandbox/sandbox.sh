#!/usr/bin/env bash
# The local Kubernetes sandbox: etcd, kube-apiserver, kube-controller-manager, kube-scheduler
# and our node agent (tests/sandbox/agent), which plays the kubelet of one Node and runs its
# RocketMQ pods as local processes. Everything listens on 127.0.0.1; pods get 127.0.0.N.
#
#   npm run sandbox -- up       start it (reuses a running sandbox), print its status
#   npm run sandbox -- down     stop every process of it and delete its cluster state
#   npm run sandbox -- status   say what runs; prints the kubeconfig path
#   npm run sandbox -- kubeconfig   print only the kubeconfig path
#   npm run sandbox -- build        only build the node agent (when its sources changed)
set -Eeuo pipefail

SANDBOX_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SANDBOX_SRC/../.." && pwd)"
# shellcheck source=../toolchain/env.sh
source "$REPO_ROOT/tests/toolchain/env.sh"

SANDBOX_CACHE="$PULUMI_ROCKETMQ_CACHE"
SANDBOX_DIR="${PULUMI_ROCKETMQ_SANDBOX_DIR:-$SANDBOX_CACHE/sandbox}"
SANDBOX_PKI="$SANDBOX_DIR/pki"
SANDBOX_RUN="$SANDBOX_DIR/run"
SANDBOX_LOGS="$SANDBOX_DIR/logs"
SANDBOX_KUBECONFIG="$SANDBOX_DIR/kubeconfig"
SANDBOX_NODE=sandbox-node
SANDBOX_API_PORT=16443
SANDBOX_ETCD_PORT=12379
SANDBOX_ETCD_PEER_PORT=12380
SANDBOX_KUBELET_PORT=10250
SANDBOX_SERVICE_CIDR=10.96.0.0/16   # allocated ClusterIPs are never listened on: no kube-proxy
SANDBOX_SERVICE_IP=10.96.0.1
# Start order; down stops in reverse. The resizer is started beside a running sandbox that lacks
# it (one started by an older script), so it is not counted when deciding whether one runs.
CORE_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler agent)
COMPONENTS=("${CORE_COMPONENTS[@]}" resizer)

say() { printf '[sandbox] %s\n' "$*" >&2; }
fail() { printf '[sandbox] FAILED: %s\n' "$*" >&2; exit 1; }

# shellcheck source=lib/pki.sh
source "$SANDBOX_SRC/lib/pki.sh"
# shellcheck source=lib/agent-build.sh
source "$SANDBOX_SRC/lib/agent-build.sh"

pid_of() { cat "$SANDBOX_RUN/$1.pid" 2>/dev/null || true; }
alive() {
  local pid
  pid="$(pid_of "$1")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# start NAME COMMAND...: runs a component detached (setsid), logging to logs/NAME.log.
start() {
  local name="$1"; shift
  mkdir -p "$SANDBOX_RUN" "$SANDBOX_LOGS"
  setsid "$@" >>"$SANDBOX_LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$SANDBOX_RUN/$name.pid"
}

# wait_for WHAT SECONDS COMMAND...: polls COMMAND until it succeeds; fails showing the log.
wait_for() {
  local what="$1" seconds="$2" log="$3"; shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      [ -f "$SANDBOX_LOGS/$log.log" ] && tail -n 30 "$SANDBOX_LOGS/$log.log" >&2
      fail "$what did not come up within ${seconds}s (log: $SANDBOX_LOGS/$log.log)"
    fi
    alive "$log" || { tail -n 30 "$SANDBOX_LOGS/$log.log" >&2; fail "$log exited (log: $SANDBOX_LOGS/$log.log)"; }
    sleep 0.5
  done
}

kubectl_admin() { kubectl --kubeconfig "$SANDBOX_KUBECONFIG" "$@"; }
api_ready() { kubectl_admin get --raw /readyz; }
node_ready() {
  [ "$(kubectl_admin get node "$SANDBOX_NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
default_service_account() { kubectl_admin -n default get serviceaccount default; }

ensure_binaries() {
  local missing=()
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    command -v "$b" >/dev/null || missing+=("$b")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "obtaining ${missing[*]} (tests/toolchain)"
    bash "$REPO_ROOT/tests/toolchain/etcd.sh" >&2
    bash "$REPO_ROOT/tests/toolchain/kube.sh" >&2
    hash -r
    for b in "${missing[@]}"; do command -v "$b" >/dev/null || fail "$b could not be obtained"; done
  fi
  command -v java >/dev/null || fail "java (17) is required to run RocketMQ pods"
  command -v openssl >/dev/null || apt_install openssl
  command -v curl >/dev/null || apt_install curl
  command -v nsenter >/dev/null || apt_install util-linux   # exec probes and kubectl exec
  command -v ss >/dev/null || apt_install iproute2
}

start_agent() {
  local agent_dir="$1" p="$SANDBOX_PKI"
  say "starting the node agent"
  start agent "$agent_dir/agent" --kubeconfig "$SANDBOX_DIR/node.kubeconfig" --node-name "$SANDBOX_NODE" \
    --state-dir "$SANDBOX_DIR/node" --volumes-dir "$SANDBOX_DIR/volumes" \
    --listen "127.0.0.1:$SANDBOX_KUBELET_PORT" --tls-cert "$p/kubelet-serving.crt" --tls-key "$p/kubelet-serving.key" \
    --client-ca "$p/ca.crt" --cache-root "$SANDBOX_CACHE" --fetch-rocketmq "$REPO_ROOT/tests/toolchain/rocketmq.sh" \
    --podnet-library "$agent_dir/libpodnet.so"
  wait_for "node $SANDBOX_NODE" 90 agent node_ready
}

start_resizer() {
  local resizer_dir
  resizer_dir="$(build_resizer)"
  say "starting the volume resizer"
  start resizer "$resizer_dir/resizer" --kubeconfig "$SANDBOX_DIR/node.kubeconfig"
}

stop_component() {
  local name="$1" pid
  pid="$(pid_of "$name")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    # The agent stops its pods first (SIGTERM, grace period, SIGKILL): give it time.
    local deadline=$((SECONDS + 45))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$SANDBOX_RUN/$name.pid"
}

up() {
  local began=$SECONDS running=0 total=${#CORE_COMPONENTS[@]}
  for c in "${CORE_COMPONENTS[@]}"; do alive "$c" && running=$((running + 1)); done
  if [ "$running" -eq "$total" ] && api_ready >/dev/null 2>&1 && node_ready 2>/dev/null; then
    say "already running; reusing it"
    local agent_dir
    agent_dir="$(build_agent)"
    if [ "$(readlink "/proc/$(pid_of agent)/exe")" != "$agent_dir/agent" ]; then
      say "the node agent's sources changed: restarting it (its pods restart too)"
      stop_component agent
      start_agent "$agent_dir"
    fi
    alive resizer || start_resizer
    status
    return 0
  fi
  if [ "$running" -gt 0 ]; then
    say "a partly running sandbox was found ($running of $total processes); restarting it"
    down
  fi
  ensure_binaries
  local agent_dir
  agent_dir="$(build_agent)"
  mkdir -p "$SANDBOX_DIR" "$SANDBOX_RUN" "$SANDBOX_LOGS"
  make_pki
  write_kubeconfig "$SANDBOX_KUBECONFIG" admin
  write_kubeconfig "$SANDBOX_DIR/controller-manager.kubeconfig" controller-manager
  write_kubeconfig "$SANDBOX_DIR/scheduler.kubeconfig" scheduler
  write_kubeconfig "$SANDBOX_DIR/node.kubeconfig" node
  local p="$SANDBOX_PKI"

  say "starting etcd"
  start etcd etcd --name sandbox --data-dir "$SANDBOX_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$SANDBOX_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$SANDBOX_ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$SANDBOX_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$SANDBOX_ETCD_PEER_PORT" \
    --initial-cluster "sandbox=http://127.0.0.1:$SANDBOX_ETCD_PEER_PORT" \
    --unsafe-no-fsync --quota-backend-bytes 1073741824 --log-level warn
  wait_for "etcd" 30 etcd curl -sf "http://127.0.0.1:$SANDBOX_ETCD_PORT/health"

  say "starting kube-apiserver"
  start kube-apiserver kube-apiserver \
    --etcd-servers "http://127.0.0.1:$SANDBOX_ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$SANDBOX_API_PORT" \
    --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" --client-ca-file "$p/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$p/service-account.pub" --service-account-signing-key-file "$p/service-account.key" \
    --service-cluster-ip-range "$SANDBOX_SERVICE_CIDR" \
    --authorization-mode Node,RBAC \
    --kubelet-client-certificate "$p/kubelet-client.crt" --kubelet-client-key "$p/kubelet-client.key" \
    --kubelet-certificate-authority "$p/ca.crt" --kubelet-preferred-address-types InternalIP \
    --endpoint-reconciler-type none --allow-privileged=true --profiling=false \
    --event-ttl 1h --v 1
  wait_for "kube-apiserver" 120 kube-apiserver api_ready

  say "starting kube-controller-manager and kube-scheduler"
  start kube-controller-manager kube-controller-manager \
    --kubeconfig "$SANDBOX_DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$SANDBOX_DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$SANDBOX_DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 10257 --leader-elect=false \
    --service-account-private-key-file "$p/service-account.key" --root-ca-file "$p/ca.crt" \
    --use-service-account-credentials=true --service-cluster-ip-range "$SANDBOX_SERVICE_CIDR" \
    --cluster-signing-cert-file "$p/ca.crt" --cluster-signing-key-file "$p/ca.key" --profiling=false --v 1
  start kube-scheduler kube-scheduler \
    --kubeconfig "$SANDBOX_DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig "$SANDBOX_DIR/scheduler.kubeconfig" \
    --authorization-kubeconfig "$SANDBOX_DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 10259 --leader-elect=false --profiling=false --v 1

  start_agent "$agent_dir"
  start_resizer
  wait_for "the default service account" 60 kube-controller-manager default_service_account
  kubectl_admin apply -f "$SANDBOX_SRC/storageclass.yaml" >/dev/null
  say "up in $((SECONDS - began))s"
  status
}

down() {
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop_component "${COMPONENTS[$i]}"
  done
  # The cluster's state goes with it: the next `up` is a fresh cluster. Certificates stay.
  rm -rf "$SANDBOX_DIR/etcd" "$SANDBOX_DIR/node" "$SANDBOX_DIR/volumes"
  say "stopped"
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# pods_rss_kib: memory of every process of every pod (each container is a process group).
pods_rss_kib() {
  local f total=0 kib
  for f in "$SANDBOX_DIR"/node/pods/*/containers/*/pid; do
    [ -f "$f" ] || continue
    kib="$(ps -e -o pgid=,rss= | awk -v g="$(cat "$f")" '$1 == g {s += $2} END {print s + 0}')"
    total=$((total + kib))
  done
  echo "$total"
}

status() {
  local c pid state all=1 total=0 kib
  for c in "${COMPONENTS[@]}"; do
    pid="$(pid_of "$c")"
    if alive "$c"; then
      kib="$(rss_kib "$pid")"
      total=$((total + kib))
      state="running (pid $pid, rss $((kib / 1024)) MiB)"
    else
      state="stopped"
      [[ " ${CORE_COMPONENTS[*]} " == *" $c "* ]] && all=0
    fi
    printf '%-24s %s\n' "$c" "$state"
  done
  kib="$(pods_rss_kib)"
  printf '%-24s %s\n' "pods" "rss $((kib / 1024)) MiB"
  printf '%-24s %s\n' "total" "rss $(((total + kib) / 1024)) MiB"
  if [ "$all" -eq 1 ] && api_ready >/dev/null 2>&1; then
    echo "api server:              https://127.0.0.1:$SANDBOX_API_PORT"
    kubectl_admin get nodes -o wide --no-headers 2>/dev/null | sed 's/^/node:                    /'
  fi
  echo "kubeconfig:              $SANDBOX_KUBECONFIG"
  echo "use it:                  export KUBECONFIG=$SANDBOX_KUBECONFIG"
  [ "$all" -eq 1 ]
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  kubeconfig) echo "$SANDBOX_KUBECONFIG" ;;
  build) build_agent >/dev/null && build_resizer >/dev/null ;;
  *) echo "usage: $0 up|down|status|kubeconfig|build" >&2; exit 2 ;;
esac
