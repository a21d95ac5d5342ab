#!/usr/bin/env bash
# service-proxy vs kube-proxy v1.32.4 (nftables mode and iptables mode), side by side in one run (ratios; these
# machines are noisy), each on a node of its own against the same real API.
#
#   bench/service-proxy-kube-proxy.sh                    # 3 interleaved rounds, 6 s per measurement, then scale
#   ROUNDS=5 DURATION=10 bench/service-proxy-kube-proxy.sh
#   MODES="service-proxy nftables" SCALE=0 bench/service-proxy-kube-proxy.sh
#   KEEP=1 ...                                           # keep the proxies' logs and the API's files
#   (bench/service-proxy-forwarding.sh PEERS=kube-proxy runs this script)
#
# A real kube-apiserver with etcd (bench/originals/control-plane.sh) serves every node. Each node is a network
# namespace joined to a bridge in this one (198.18.60.1/24, where the API listens; node N is 198.18.60.1N), with
# its own bridge to two pods (network namespaces, 10.244.0.10 and .11, the same addresses on every node), each an
# nginx worker answering its pod's name on :8080. One proxy per node: service-proxy (node bind mode, as the
# DaemonSet runs it, one loop), kube-proxy --proxy-mode nftables, kube-proxy --proxy-mode iptables. A selectorless
# ClusterIP Service web (port 80 -> 8080) with an EndpointSlice of both pods is programmed by all three.
#
# Throughput: wrk in each node's namespace against the ClusterIP, for 32 and 256 keep-alive connections and a new
# connection per request (32); "direct" is wrk to one pod IP from the service-proxy node, no proxy. Then UDP
# (UDP=1, default): dnsperf (-c 4, pinned to CPU 1) through the ClusterIP's port 53 to Knot DNS in both pods (the
# same query, a tiny zone). Nodes are measured in a rotating order each round. kube-proxy forwards in the kernel (DNAT in the client's own context), so
# it is the physical limit here: the figure is the distance to it.
# Scale (SCALE=1, default): SERVICES (10,000) more Services with an EndpointSlice of ENDPOINTS (5) each are written,
# then for each proxy: cold start (process start -> a probe Service created last forwards) and programming latency
# (the probe's slice moved between the two pods, API answer -> first response from the new pod, MOVES times, 2 s
# apart: both proxies' default minimum sync period is 1 s, so this is the latency of one change, not of a burst).
# Responses are polled with curl from the node's namespace (a process each: a resolution of about 10 ms).
# Needs root (ip netns), wrk, nginx, nft, iptables, curl, openssl, python3, Go or the built originals.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-6}
MODES=${MODES:-service-proxy nftables iptables}
SCALE=${SCALE:-1}
SERVICES=${SERVICES:-10000}
ENDPOINTS=${ENDPOINTS:-5}
MOVES=${MOVES:-10}
SCENARIOS=${SCENARIOS-keepalive-32 keepalive-256 close-32}
UDP=${UDP:-1}
for tool in wrk nginx nft ip curl openssl python3 kubectl java $( [ "$UDP" = 1 ] && echo knotd dnsperf ); do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install -y wrk nginx nftables iproute2 curl)" >&2; exit 1; }
done
case " $MODES " in *" iptables "*) command -v iptables >/dev/null || { echo "bench: iptables is missing (apt-get install -y iptables)" >&2; exit 1; } ;; esac
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }

id=$(printf '%04x' $(($$ & 0xffff)))
work=$(mktemp -d /tmp/kube-proxy-bench.XXXXXX)
bridge=kpb$id
nodes=()
pids=()
. bench/originals/control-plane.sh
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for n in "${nodes[@]}"; do
    for p in 0 1; do ip netns del "$n-p$p" 2>/dev/null || true; done
    ip netns del "$n" 2>/dev/null || true
  done
  ip link del "$bridge" 2>/dev/null || true
  cp_stop
  if [ "${KEEP:-0}" = 1 ]; then echo "bench: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

./mvnw -q -B -pl service-proxy -am package -DskipTests >/dev/null
kube_proxy=$(bash bench/originals/build.sh kube-proxy)/kube-proxy
ip link add "$bridge" type bridge
ip addr add 198.18.60.1/24 dev "$bridge"
ip link set "$bridge" up
cp_start "$work/api" 198.18.60.1 10.96.0.0/12
export KUBECONFIG=$work/api/admin.kubeconfig

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# node N: namespace, address 198.18.60.1N on the bridge, a bridge of its own to two pods running nginx
make_node() { # index name
  local i=$1 n=$2
  nodes+=("$n")
  ip netns add "$n"
  nsx "$n" ip link set lo up
  ip link add "kv$id$i" type veth peer name eth0 netns "$n"
  ip link set "kv$id$i" master "$bridge" up
  nsx "$n" ip addr add "198.18.60.1$i/24" dev eth0
  nsx "$n" ip link set eth0 up
  nsx "$n" ip link add br0 type bridge
  nsx "$n" ip addr add 10.244.0.1/24 dev br0
  nsx "$n" ip link set br0 up
  nsx "$n" sysctl -qw net.ipv4.ip_forward=1
  # a route for the Service range, as a node's default route gives one: kube-proxy's DNAT comes after the route
  # lookup. Toward the pods' bridge, so that an address nothing translates goes nowhere outside the node.
  nsx "$n" ip route add 10.96.0.0/12 dev br0
  for p in 0 1; do
    ip netns add "$n-p$p"
    nsx "$n-p$p" ip link set lo up
    nsx "$n" ip link add "v$p" type veth peer name eth0 netns "$n-p$p"
    nsx "$n" ip link set "v$p" master br0 up
    nsx "$n-p$p" ip addr add "10.244.0.1$p/24" dev eth0
    nsx "$n-p$p" ip link set eth0 up
    nsx "$n-p$p" ip route add default via 10.244.0.1
    mkdir -p "$work/$n-p$p"
    cat >"$work/$n-p$p/nginx.conf" <<NGINX
worker_processes 1;
pid $work/$n-p$p/nginx.pid;
error_log $work/$n-p$p/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/$n-p$p/nginx-tmp; # nginx hands this directory to its worker's user
  keepalive_requests 1000000;
  server { listen 10.244.0.1$p:8080 backlog=4096; location / { return 200 "pod-$p\n"; } }
}
NGINX
    ip netns exec "$n-p$p" nginx -c "$work/$n-p$p/nginx.conf" -g 'daemon off;' &
    pids+=($!)
    if [ "$UDP" = 1 ]; then
      printf '$ORIGIN bench.\n$TTL 5\n@ SOA ns hostmaster 1 7200 1800 86400 5\n@ NS ns\nns A 10.244.0.1%s\na A 192.0.2.%s\n' \
        "$p" "$((p + 10))" >"$work/$n-p$p/bench.zone"
      cat >"$work/$n-p$p/knot.conf" <<KNOT
server:
    user: root:root
    rundir: "$work/$n-p$p"
    pidfile: "$work/$n-p$p/knot.pid"
    listen: 10.244.0.1$p@53
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$work/$n-p$p/db"
template:
  - id: default
    storage: "$work/$n-p$p"
    semantic-checks: off
zone:
  - domain: bench
    file: "bench.zone"
KNOT
      ip netns exec "$n-p$p" knotd -c "$work/$n-p$p/knot.conf" >"$work/$n-p$p/knot.log" 2>&1 &
      pids+=($!)
    fi
  done
  kubectl create -f - >/dev/null <<NODE
apiVersion: v1
kind: Node
metadata:
  name: $n
  labels: {kubernetes.io/hostname: $n}
NODE
  kubectl patch node "$n" --subresource=status --type=merge -p "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"198.18.60.1$i\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\",\"message\":\"bench\"}]}}" >/dev/null
}

server_of() { echo "https://198.18.60.1:$(sed -n 's#.*server: https://198.18.60.1:\([0-9]*\).*#\1#p' "$KUBECONFIG")"; }

start_proxy() { # mode node index
  local mode=$1 n=$2 i=$3
  case $mode in
    service-proxy)
      ip netns exec "$n" env KUBECONFIG="$KUBECONFIG" java -Dservice-proxy.node-name="$n" -Dservice-proxy.bind-mode=node \
        -Dservice-proxy.interface=lo -Dservice-proxy.create-interface=false \
        -Dservice-proxy.cluster-cidrs=10.244.0.0/16 -Dservice-proxy.transparent=false \
        -Dservice-proxy.healthz-bind-address="198.18.60.1$i:10256" \
        -Dservice-proxy.metrics-bind-address="198.18.60.1$i:10249" -Dservice-proxy.threads=1 \
        -Dio.netty.leakDetection.level=disabled -Xmx256m -XX:+UseSerialGC \
        -jar service-proxy/target/quarkus-app/quarkus-run.jar >"$work/$n.proxy.log" 2>&1 &
      ;;
    nftables | iptables)
      ip netns exec "$n" "$kube_proxy" --kubeconfig "$KUBECONFIG" --hostname-override "$n" --proxy-mode "$mode" \
        --cluster-cidr 10.244.0.0/16 --conntrack-max-per-core 0 --conntrack-tcp-timeout-established 0s \
        --conntrack-tcp-timeout-close-wait 0s --metrics-bind-address "198.18.60.1$i:10249" \
        --healthz-bind-address "198.18.60.1$i:10256" >"$work/$n.proxy.log" 2>&1 &
      ;;
  esac
  echo $!
}

i=0
declare -A node_of proxy_pid
for mode in $MODES; do
  i=$((i + 1))
  make_node "$i" "kp$id$i"
  node_of[$mode]=kp$id$i
done
kubectl create -f - >/dev/null <<SVC
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}, {name: dns, port: 53, protocol: UDP, targetPort: 53}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}, {name: dns, port: 53, protocol: UDP}]
endpoints:
- addresses: [10.244.0.10]
  conditions: {ready: true}
- addresses: [10.244.0.11]
  conditions: {ready: true}
SVC
CIP=$(kubectl get svc web -o jsonpath='{.spec.clusterIP}')
i=0
for mode in $MODES; do
  i=$((i + 1))
  n=${node_of[$mode]}
  proxy_pid[$mode]=$(start_proxy "$mode" "$n" "$i")
  pids+=("${proxy_pid[$mode]}")
done
for mode in $MODES; do
  n=${node_of[$mode]}
  for t in $(seq 1 600); do
    nsx "$n" curl -s --max-time 1 "http://$CIP/" 2>/dev/null | grep -q pod- && break
    [ "$t" = 600 ] && { echo "bench: $mode never forwarded $CIP; log:" >&2; tail -20 "$work/$n.proxy.log" >&2; exit 1; }
    sleep 0.1
  done
done

wrk_run() { # node url scenario -> requests/s
  local n=$1 url=$2 scenario=$3 conns extra=()
  conns=${scenario##*-}
  case $scenario in close-*) extra=(-H "Connection: close") ;; esac
  nsx "$n" taskset -c 1 wrk -t1 -c"$conns" -d"$DURATION" "${extra[@]}" "$url" 2>/dev/null \
    | awk '/Requests\/sec/ {print $2}'
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs, shared)"
echo "ClusterIP $CIP, requests/s per round (wrk -t1 in the node's namespace); nodes in a rotating order"
sp_node=${node_of[service-proxy]:-${node_of[$(echo "$MODES" | awk '{print $1}')]}}
declare -A results
measure() { # scenario node address -> requests or queries per second (address: the ClusterIP, or a pod's)
  case $1 in
    udp) dnsperf_run "$2" "$3" ;;
    *) if [ "$3" = "$CIP" ]; then wrk_run "$2" "http://$CIP/" "$1"; else wrk_run "$2" "http://$3:8080/" "$1"; fi ;;
  esac
}
rounds() { # scenario: ROUNDS rounds over every node and direct (one pod, no proxy), in a rotating order
  local scenario=$1 targets=($MODES direct) r k t q line
  for r in $(seq 1 "$ROUNDS"); do
    line="$scenario round $r:"
    for k in $(seq 0 $((${#targets[@]} - 1))); do
      t=${targets[$(( (k + r - 1) % ${#targets[@]} ))]}
      if [ "$t" = direct ]; then q=$(measure "$scenario" "$sp_node" 10.244.0.10); else q=$(measure "$scenario" "${node_of[$t]}" "$CIP"); fi
      results[$scenario.$t]+="$q "
      line+=" $t $q;"
    done
    echo "$line"
  done
}
for scenario in $SCENARIOS; do
  measure "$scenario" "$sp_node" "$CIP" >/dev/null # warm-up (JIT, conntrack)
  rounds "$scenario"
done
if [ "$UDP" = 1 ]; then
  for i in $(seq 1 200); do echo "a.bench A"; done >"$work/queries"
  dnsperf_run() { # node server -> queries/s
    nsx "$1" taskset -c 1 dnsperf -s "$2" -d "$work/queries" -l "$DURATION" -c 4 -q 200 2>>"$work/dnsperf.err" \
      | awk '/Queries per second/ {print $4}'
  }
  if ! awk -v q="$(dnsperf_run "$sp_node" 10.244.0.10)" 'BEGIN {exit !(q > 0)}'; then
    echo "bench: no DNS answer from a pod; dnsperf and Knot said:" >&2
    cat "$work/dnsperf.err" "$work/$sp_node-p0/knot.log" >&2
    exit 1
  fi
  measure udp "$sp_node" "$CIP" >/dev/null # warm-up
  rounds udp
  SCENARIOS="$SCENARIOS udp"
fi
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
if [[ " $MODES " == *" service-proxy "* ]]; then
  for scenario in $SCENARIOS; do
    for peer in $MODES direct; do
      [ "$peer" = service-proxy ] && continue
      read -r -a a <<<"${results[$scenario.service-proxy]}"; read -r -a b <<<"${results[$scenario.$peer]}"
      rs=()
      for k in "${!a[@]}"; do rs+=("$(awk -v x="${a[$k]}" -v y="${b[$k]}" 'BEGIN {printf "%.2f", x/y}')"); done
      echo "$scenario: service-proxy/$peer per round ${rs[*]}, median $(median "${rs[@]}")"
    done
  done
fi

[ "$SCALE" = 1 ] || exit 0
echo "scale: writing $SERVICES Services with $ENDPOINTS endpoints each"
start=$(date +%s)
python3 - "$SERVICES" "$ENDPOINTS" "$work" <<'PY'
import sys
services, endpoints, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = None
for s in range(services):
    if s % 1000 == 0:
        out = open(f"{work}/scale-part-{s // 1000:03d}.yaml", "w")
    print(f"""---
apiVersion: v1
kind: Service
metadata: {{name: s{s}, namespace: default}}
spec:
  ports: [{{name: http, port: 80, targetPort: 8080}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {{name: s{s}-1, namespace: default, labels: {{kubernetes.io/service-name: s{s}}}}}
addressType: IPv4
ports: [{{name: http, port: 8080, protocol: TCP}}]
endpoints:""", file=out)
    for e in range(endpoints):
        i = s * endpoints + e
        print(f"- addresses: [10.{100 + i // 65536}.{i // 256 % 256}.{i % 256}]\n  conditions: {{ready: true}}",
              file=out)
PY
writers=()
for part in "$work"/scale-part-*; do kubectl create -f "$part" >/dev/null & writers+=($!); done
wait "${writers[@]}" # not the pods: they run in the background too
echo "scale: written in $(( $(date +%s) - start )) s: $(kubectl get svc -A --no-headers | wc -l) Services"

probe_slice() { # pod index -> writes the probe slice
  kubectl apply -f - >/dev/null <<SLICE
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: probe-1, namespace: default, labels: {kubernetes.io/service-name: probe}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
- addresses: [10.244.0.1$1]
  conditions: {ready: true}
SLICE
}
ms() { date +%s%3N; }
for mode in $MODES; do
  n=${node_of[$mode]}
  kill "${proxy_pid[$mode]}"; wait "${proxy_pid[$mode]}" 2>/dev/null || true
done
kubectl delete svc probe --ignore-not-found >/dev/null
kubectl create -f - >/dev/null <<SVC
apiVersion: v1
kind: Service
metadata: {name: probe, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
SVC
probe_slice 0
PIP=$(kubectl get svc probe -o jsonpath='{.spec.clusterIP}')
i=0
for mode in $MODES; do
  i=$((i + 1))
  n=${node_of[$mode]}
  t0=$(ms)
  proxy_pid[$mode]=$(start_proxy "$mode" "$n" "$i")
  pids+=("${proxy_pid[$mode]}")
  ok=0
  while [ $(( $(ms) - t0 )) -lt 120000 ]; do # bounded: 2 minutes
    if nsx "$n" curl -s --max-time 0.2 "http://$PIP/" 2>/dev/null | grep -q pod-0; then ok=1; break; fi
    sleep 0.01
  done
  cold=$(( $(ms) - t0 ))
  [ "$ok" = 1 ] || cold="> $cold"
  lat=()
  for m in $(seq 1 "$MOVES"); do
    sleep 2 # past both proxies' minimum sync period (1 s by default): the latency of a change, not of a burst
    want=$((m % 2))
    t0=$(ms)
    probe_slice "$want"
    t1=$(ms)
    seen=0
    while [ $(( $(ms) - t1 )) -lt 30000 ]; do # bounded: 30 s
      if nsx "$n" curl -s --max-time 0.2 "http://$PIP/" 2>/dev/null | grep -q "pod-$want"; then seen=1; break; fi
    done
    if [ "$seen" = 1 ]; then lat+=("$(( $(ms) - t1 ))"); else lat+=(30000); fi
  done
  sorted=$(printf '%s\n' "${lat[@]}" | sort -n | tr '\n' ' ')
  echo "scale $mode: cold start with $SERVICES Services $cold ms; programming latency per move (ms, sorted): $sorted(median $(median "${lat[@]}"), max $(printf '%s\n' "${lat[@]}" | sort -n | tail -1))"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
