#!/usr/bin/env bash
# cloud-lb-mock: provisioning latency and scale, then forwarding vs HAProxy vs direct, side by side in one run.
#
#   bench/cloud-lb-mock.sh                      # provisioning (3 bursts of 1,000, 10,000 total) + forwarding, 3 rounds
#   ROUNDS=5 DURATION=10 bench/cloud-lb-mock.sh
#   THREADS=2 PART=forward bench/cloud-lb-mock.sh   # forwarding threads, the same for cloud-lb-mock and HAProxy
#   JFR_DIR=/tmp PART=provision bench/cloud-lb-mock.sh   # flight recordings of cloud-lb-mock, one per part
#   PART=provision bench/cloud-lb-mock.sh       # or PART=forward
#   PART=cold TOTAL=10000 bench/cloud-lb-mock.sh  # 10,000 pending Services already there when cloud-lb-mock starts
#   API=mock PART=provision bench/cloud-lb-mock.sh   # provisioning against the fabric8 mock API instead
#   WARMUP=500 BURSTS=1 PART=provision bench/cloud-lb-mock.sh # 500 Services end to end before one burst
#
# Needs no local cluster (so it runs next to one). The driver is io.kexpose.lb.bench.LbBench (cloud-lb-mock test
# classes).
#   provision  cloud-lb-mock with a 127.201.0.0/18 pool; WARMUP Services end to end (default 3,000, so that the three
#              JVMs' JIT compilers are done: with 500, C1/C2 threads still took 44% of the CPU of a burst), then BURSTS
#              (default 3) bursts of 1,000 LoadBalancer Services created by 8 threads at once, each once the previous
#              one was served; latency = create call sent -> watch event with status.loadBalancer.ingress, p99 per
#              burst and their median; then up to 10,000 Services.
#              (allocateLoadBalancerNodePorts: false: 10,000 Services would not fit the nodePort range.)
#              API=local (default): the API is a local cluster of its own (io.kexpose.cluster.Main, the API server of ./kexpose up:
#              Service admission, EndpointSlice controller, watches over the same store) on an ephemeral port
#              (LOCAL_API_PORT), with 1 node, its state in a temporary directory and no components (it is started
#              from a directory holding only httpenv, so a running ./kexpose cluster and its cloud-lb-mock on
#              127.0.0.1:10258 / 127.200.0.0/24 are not disturbed); cloud-lb-mock runs as the separate process below,
#              same options and 127.201.0.0/18 pool, pointed at it.
#              API=mock: the fabric8 mock server in CRUD mode, in the driver (it scans every object per write, and
#              keeps only the status of a services/status write, so cloud-lb-mock writes twice per Service there).
#   forward    two httpenv processes stand for two nodes' NodePorts (127.78.0.1:30080, 127.78.0.2:30080), each node's
#              /healthz served by python3 on :10256; wrk, alternating each round, against
#                lb       the Service's EXTERNAL-IP:8888 through cloud-lb-mock (round-robin over both nodes)
#                haproxy  HAProxy (Debian package) in the same position: mode tcp, roundrobin, same two NodePorts
#                direct   one NodePort, no load balancer
#              for 32 and 256 keep-alive connections and a new connection per request. Medians of the rounds.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
PART=${PART:-all}
BURST=${BURST:-1000}
TOTAL=${TOTAL:-10000}
WARMUP=${WARMUP:-3000} # Services provisioned end to end before the bursts, so that they do not meet cold JITs
BURSTS=${BURSTS:-3}   # bursts of BURST Services, one after the other
THREADS=${THREADS:-1} # forwarding threads of cloud-lb-mock and of HAProxy alike
# G1 with a 20 ms pause goal for cloud-lb-mock and the local cluster's API: at 13,000 Services the default goal
# (200 ms) let young collections take 40-70 ms on these two shared cores, and those pauses were the bursts' p99
LBMOCK_JAVA_OPTS=${LBMOCK_JAVA_OPTS:--XX:MaxGCPauseMillis=20}
CLUSTER_JAVA_OPTS=${CLUSTER_JAVA_OPTS:--XX:MaxGCPauseMillis=20}
API=${API:-local}     # provisioning against local: the local cluster's API server; mock: the fabric8 mock in the driver
case "$API" in
  mock|local) ;;
  *) echo "bench: API=$API (mock or local)" >&2; exit 2 ;;
esac
for tool in wrk haproxy curl java python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install -y wrk haproxy curl python3)" >&2; exit 1; }
done
if [ ! -f cloud-lb-mock/target/quarkus-app/quarkus-run.jar ] || [ ! -d cloud-lb-mock/target/test-classes ] \
   || [ ! -f httpenv/target/quarkus-app/quarkus-run.jar ]; then
  ./mvnw -q -B -pl httpenv,cloud-lb-mock -am package -DskipTests
  ./mvnw -q -B -pl cloud-lb-mock test-compile
fi
work=$(mktemp -d /tmp/lb-bench.XXXXXX)
[ -f "$work/cp" ] || ./mvnw -q -B -pl cloud-lb-mock dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/cp" >/dev/null
CP="cloud-lb-mock/target/test-classes:$(cat "$work/cp")"
pids=()
cleanup() {
  [ -f "$work/haproxy.pid" ] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Every process of the bench in a session of its own, as HAProxy (a daemon, setsid) is: with Linux's autogroup
# scheduling the CPU is shared between sessions first, and processes left in this script's session would share one
# group with wrk (see docs/local-cluster.md).
OWN=$(command -v setsid || true) # empty where there is none
lbmock() { # args: management port, extra -D...
  local port=$1; shift
  local jfr=()
  [ -n "${JFR_DIR:-}" ] && jfr=(-XX:StartFlightRecording=filename="$JFR_DIR/lbmock-$port.jfr")
  # shellcheck disable=SC2086 # LBMOCK_JAVA_OPTS is a list of options
  KUBECONFIG="$work/kubeconfig" $OWN java -Xmx512m "${jfr[@]}" ${LBMOCK_JAVA_OPTS:-} -Dlbmock.management-address=127.0.0.1:"$port" -Dlbmock.threads=1 \
    -Dquarkus.log.level=WARN "$@" -jar cloud-lb-mock/target/quarkus-app/quarkus-run.jar >"$work/lbmock-$port.log" 2>&1 &
  pids+=($!)
}
wait_kubeconfig() { for _ in $(seq 1 300); do [ -s "$work/kubeconfig" ] && return 0; sleep 0.1; done; exit 1; }

if [ "$API" = local ] && { [ "$PART" = all ] || [ "$PART" = provision ]; }; then
  clusterjar=$(ls local-cluster/target/local-cluster-*.jar 2>/dev/null | head -1 || true)
  if [ -z "$clusterjar" ] || [ ! -d local-cluster/target/lib ]; then
    ./mvnw -q -B -pl httpenv,local-cluster -am package -DskipTests
    clusterjar=$(ls local-cluster/target/local-cluster-*.jar | head -1)
  fi
  echo "== provisioning against the local cluster's API server: $WARMUP to warm up, $BURSTS bursts of $BURST, then $TOTAL Services"
  mkdir -p "$work/repo" "$work/cluster"
  ln -s "$PWD/httpenv" "$work/repo/httpenv" # the cluster's components are the modules beside httpenv: none here
  # shellcheck disable=SC2086 # CLUSTER_JAVA_OPTS is a list of options
  java ${CLUSTER_JAVA_OPTS:-} -Dkexpose.httpenv.dir="$work/repo/httpenv" -cp "$clusterjar:local-cluster/target/lib/*" \
    io.kexpose.cluster.Main "$work/cluster" "${LOCAL_API_PORT:-0}" 1 >"$work/cluster.log" 2>&1 &
  pids+=($!)
  cluster=$!
  for _ in $(seq 1 600); do [ -s "$work/cluster/cluster.ready" ] && break; sleep 0.1; done
  [ -s "$work/cluster/cluster.ready" ] || { echo "bench: the local cluster did not start:" >&2; cat "$work/cluster.log" >&2; exit 1; }
  echo "   API $(cat "$work/cluster/cluster.ready")"
  cp "$work/cluster/kubeconfig" "$work/kubeconfig"
  lbmock 10291 -Dlbmock.pools.bench.addresses=127.201.0.0/18
  # shellcheck disable=SC2086
  java ${DRIVER_JAVA_OPTS:-} -cp "$CP" io.kexpose.lb.bench.LbBench provision-api "$work/kubeconfig" "$BURST" "$TOTAL" \
    "$WARMUP" "$BURSTS" || true
  cpu() { awk -v t="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / t}' "/proc/$1/stat"; }
  echo "CPU used (s), from start to the end of the run: cloud-lb-mock $(cpu "${pids[-1]}"), local cluster API and" \
    "its store $(cpu "$cluster")"
  kill "${pids[-1]}" "$cluster" 2>/dev/null || true
  wait "${pids[-1]}" "$cluster" 2>/dev/null || true
fi

if [ "$API" = mock ] && { [ "$PART" = all ] || [ "$PART" = provision ]; }; then
  echo "== provisioning: burst of $BURST, then $TOTAL Services"
  rm -f "$work/kubeconfig"
  # shellcheck disable=SC2086 # DRIVER_JAVA_OPTS is a list of options (the mock API and the client run in the driver)
  java ${DRIVER_JAVA_OPTS:-} -cp "$CP" io.kexpose.lb.bench.LbBench provision "$work/kubeconfig" "$BURST" "$TOTAL" "$WARMUP" "$BURSTS" &
  driver=$!
  wait_kubeconfig
  lbmock 10291 -Dlbmock.pools.bench.addresses=127.201.0.0/18
  wait "$driver" || true
  kill "${pids[-1]}" 2>/dev/null || true
fi

if [ "$PART" = cold ]; then
  echo "== cold start: $TOTAL pending Services in the API when cloud-lb-mock starts"
  rm -f "$work/kubeconfig"
  # shellcheck disable=SC2086
  java ${DRIVER_JAVA_OPTS:-} -cp "$CP" io.kexpose.lb.bench.LbBench cold "$work/kubeconfig" "$TOTAL" &
  driver=$!
  for _ in $(seq 1 1800); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
  lbmock 10293 -Dlbmock.pools.bench.addresses=127.201.0.0/18
  wait "$driver" || true
  kill "${pids[-1]}" 2>/dev/null || true
fi

if [ "$PART" = all ] || [ "$PART" = forward ]; then
  echo "== forwarding: lb vs haproxy vs direct, $ROUNDS rounds of ${DURATION}s"
  for n in 1 2; do
    $OWN env -i HOSTNAME="node-$n" PATH=/usr/bin:/bin java @httpenv/src/main/jvm/jvm.options -Dhttpenv.host=127.78.0.$n \
      -Dhttpenv.port=30080 -Dhttpenv.instances=1 -Dquarkus.management.host=127.78.0.$n \
      -Dquarkus.management.port=9000 -jar httpenv/target/quarkus-app/quarkus-run.jar >"$work/httpenv-$n.log" 2>&1 &
    pids+=($!)
    mkdir -p "$work/hz$n" && echo ok >"$work/hz$n/healthz"
    (cd "$work/hz$n" && exec python3 -m http.server --bind 127.78.0.$n 10256 >/dev/null 2>&1) &
    pids+=($!)
  done
  rm -f "$work/kubeconfig"
  mkfifo "$work/serve-in"
  java -cp "$CP" io.kexpose.lb.bench.LbBench serve "$work/kubeconfig" 127.78.0.1 127.78.0.2 <"$work/serve-in" >"$work/ip" &
  pids+=($!)
  exec 7>"$work/serve-in"
  wait_kubeconfig
  lbmock 10292 -Dlbmock.pools.bench.addresses=127.202.0.1-127.202.0.9 -Dlbmock.threads="$THREADS"
  for _ in $(seq 1 600); do [ -s "$work/ip" ] && break; sleep 0.1; done
  IP=$(head -1 "$work/ip")
  [ -n "$IP" ] || { echo "bench: no EXTERNAL-IP; see $work/lbmock-10292.log" >&2; exit 1; }
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://$IP:8888/" && break; sleep 0.1; done
  cat >"$work/haproxy.cfg" <<CFG
global
  daemon
  nbthread $THREADS
  pidfile $work/haproxy.pid
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:18482
  default_backend nodes
backend nodes
  balance roundrobin
  server a 127.78.0.1:30080
  server b 127.78.0.2:30080
CFG
  haproxy -f "$work/haproxy.cfg"
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:18482/" && break; sleep 0.1; done

  declare -A URL=([lb]="http://$IP:8888/" [haproxy]="http://127.0.0.1:18482/" [direct]="http://127.78.0.1:30080/")
  median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
  to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v}'; }
  measure() {
    local url=$1 conns=$2 mode=$3 out
    local args=(-t2 -c"$conns" -d"${DURATION}s" --latency)
    [ "$mode" = close ] && args+=(-H "Connection: close")
    out=$(wrk "${args[@]}" "$url")
    if grep -qE 'Non-2xx|Socket errors: connect [1-9]|read [1-9]|timeout [1-9]' <<<"$out"; then
      echo "wrk reported errors against $url:" >&2; echo "$out" >&2
    fi
    echo "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)"
  }
  declare -A R
  scenarios=("keepalive-32|32|keepalive" "keepalive-256|256|keepalive" "close-32|32|close")
  # Warm-up: every scenario and target once, not counted (the accept and close paths need the JIT too: with only a
  # keep-alive warm-up, the first connection-per-request round through cloud-lb-mock ran at 0.7x with a 20 ms p99)
  for sc in "${scenarios[@]}"; do
    IFS='|' read -r name conns mode <<<"$sc"
    for t in lb haproxy direct; do DURATION=3 measure "${URL[$t]}" "$conns" "$mode" >/dev/null; done
  done
  for round in $(seq 1 "$ROUNDS"); do
    for sc in "${scenarios[@]}"; do
      IFS='|' read -r name conns mode <<<"$sc"
      if (( round % 2 )); then order="lb haproxy direct"; else order="direct haproxy lb"; fi
      for t in $order; do
        r=$(measure "${URL[$t]}" "$conns" "$mode")
        R["$name/$t"]+="$r"$'\n'
        printf '   round %d %-14s %-8s %s\n' "$round" "$name" "$t" "$r"
      done
    done
  done
  col() { printf '%s' "${R[$1]}" | awk -v c="$2" 'NF {print $c}' | median; }
  ratio() { printf '%s' "${R[$1]}" | paste -d' ' - <(printf '%s' "${R[$2]}") | awk 'NF>=3 {print $1/$3}' | median; }
  echo
  echo "== medians of $ROUNDS rounds, ${DURATION}s each, wrk -t2, $THREADS forwarding thread(s) in the LB and in HAProxy"
  echo "   (2 cores shared by client, LB and backends)"
  printf '%-14s %9s %11s %10s %14s %13s %9s %11s %10s\n' scenario "lb r/s" "haproxy r/s" "direct r/s" \
    "lb/haproxy*" "lb/direct*" "lb p99" "haproxy p99" "direct p99"
  for sc in "${scenarios[@]}"; do
    IFS='|' read -r name _ _ <<<"$sc"
    printf '%-14s %9.0f %11.0f %10.0f %14.2f %13.2f %7.2fms %9.2fms %8.2fms\n' "$name" "$(col "$name/lb" 1)" \
      "$(col "$name/haproxy" 1)" "$(col "$name/direct" 1)" "$(ratio "$name/lb" "$name/haproxy")" \
      "$(ratio "$name/lb" "$name/direct")" "$(col "$name/lb" 2)" "$(col "$name/haproxy" 2)" "$(col "$name/direct" 2)"
  done
  echo "* medians of the per-round ratios"
fi
