#!/usr/bin/env bash
# service-proxy forwarding vs HAProxy (TCP), nginx (UDP) and direct, side by side in one run (ratios; these machines
# are noisy).
#
#   bench/service-proxy-forwarding.sh                 # 5 interleaved rounds, 6 s per measurement
#   ROUNDS=5 DURATION=10 bench/service-proxy-forwarding.sh
#   ONE_THREAD=1 bench/service-proxy-forwarding.sh    # one proxy loop (node-2's proxy stopped) vs HAProxy nbthread 1
#                                                     # and one nginx worker
#   ACCOUNT=1 bench/service-proxy-forwarding.sh       # also CPU and context switches per request, per process group
#   TRANSPARENT=1 bench/service-proxy-forwarding.sh   # the proxies in transparent mode (service-proxy.transparent)
#   SCENARIOS="keepalive-32 close-32" UDP=0 ...       # only these TCP scenarios, no UDP
#   PEERS=kube-proxy bench/service-proxy-forwarding.sh  # beside kube-proxy v1.32.4 (nftables and iptables modes),
#                                                     # each on a node in a network namespace against a real API:
#                                                     # runs bench/service-proxy-kube-proxy.sh
# (bench/service-proxy-transparent.sh alternates runs with transparent mode off and on;
#  bench/service-proxy-udp-sockets.sh compares udp-sockets settings against nginx.)
#
# Starts the local cluster (API on 127.0.0.1:16443, so it does not disturb a cluster of yours on 6443), runs
# httpenv with 2 replicas behind a ClusterIP Service, and measures with wrk, alternating the targets each round:
#   proxy    the ClusterIP, through service-proxy (one per node, both on this machine)
#   haproxy  HAProxy (Debian package), mode tcp, roundrobin, over the same two pod IPs
#   direct   one pod IP, no proxy at all
# for 32 and 256 keep-alive connections and a new connection per request; then UDP, DNS-sized queries through the
# kube-dns ClusterIP vs through nginx's UDP stream proxy vs straight to the DNS pod (dnsperf).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${PEERS:-}" = kube-proxy ]; then exec bash bench/service-proxy-kube-proxy.sh; fi

ROUNDS=${ROUNDS:-5}
ONE_THREAD=${ONE_THREAD:-0}
ACCOUNT=${ACCOUNT:-0}
TRANSPARENT=${TRANSPARENT:-0}
SCENARIOS=${SCENARIOS:-keepalive-32 keepalive-256 close-32}
UDP=${UDP:-1}
DURATION=${DURATION:-6}
API_PORT=${API_PORT:-16443}
HAPROXY_PORT=${HAPROXY_PORT:-18480}
NGINX_UDP_PORT=${NGINX_UDP_PORT:-18453}
NGINX_STREAM=${NGINX_STREAM:-/usr/lib/nginx/modules/ngx_stream_module.so}
NGINX_PROXY_RESPONSES=${NGINX_PROXY_RESPONSES:-}   # e.g. 1: nginx ends a session once each query is answered
for tool in wrk haproxy curl kubectl java; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install -y wrk haproxy curl)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/proxy-bench.XXXXXX)
cleanup() {
  [ -f "$work/haproxy.pid" ] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  ./kexpose down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if ./kexpose status >/dev/null 2>&1; then
  echo "bench: a local cluster is already running; stop it first (./kexpose down)" >&2; exit 1
fi
# A cluster of its own, with no objects from earlier runs (./kexpose keeps them in .kexpose/state).
export KEXPOSE_STATE=$work/cluster
export KUBECONFIG=$KEXPOSE_STATE/kubeconfig
# The cluster's processes inherit the environment, and Quarkus reads SERVICE_PROXY_TRANSPARENT as the key.
if [ "$TRANSPARENT" = 1 ]; then export SERVICE_PROXY_TRANSPARENT=true; else export SERVICE_PROXY_TRANSPARENT=false; fi
./kexpose up -d --api-port "$API_PORT" >/dev/null
kubectl create deployment httpenv --image=jpetazzo/httpenv --replicas=2 >/dev/null
kubectl expose deployment httpenv --port 8888 >/dev/null
kubectl wait deploy httpenv --for condition=available --timeout=120s >/dev/null
IP=$(kubectl get svc httpenv -o go-template --template '{{ .spec.clusterIP }}')
mapfile -t PODS < <(kubectl get pods -l app=httpenv -o jsonpath='{range .items[*]}{.status.podIP}{"\n"}{end}')
for i in $(seq 1 100); do curl -s -o /dev/null "http://$IP:8888/" && break; sleep 0.1; done

cat >"$work/haproxy.cfg" <<CFG
global
  daemon
$([ "$ONE_THREAD" = 1 ] && echo "  nbthread 1")
  pidfile $work/haproxy.pid
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend pods
backend pods
  balance roundrobin
  server a ${PODS[0]}:8888
  server b ${PODS[1]}:8888
CFG
haproxy -f "$work/haproxy.cfg"
if [ "$ONE_THREAD" = 1 ]; then
  # Per-thread comparison: node-1's proxy (one loop) alone serves the ClusterIP, against one HAProxy thread.
  kill "$(pgrep -f 'service-proxy.node-name=node-2' | head -1)"
  sleep 2
fi
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$HAPROXY_PORT/" && break; sleep 0.1; done

declare -A URL=([proxy]="http://$IP:8888/" [haproxy]="http://127.0.0.1:$HAPROXY_PORT/" [direct]="http://${PODS[0]}:8888/")
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v}'; }
# ACCOUNT=1: per process group, CPU (user+system, clock ticks) and context switches (voluntary: it slept; involuntary:
# it was preempted) of all threads, read from /proc before and after a wrk run; wrk's own from GNU time.
groups() { # -> "group pid" lines
  local p
  for p in $(pgrep -f 'service-proxy.node-name=' || true); do echo "proxy $p"; done
  for p in $(pgrep -f 'httpenv.host=' || true); do echo "pods $p"; done
  for p in $(pgrep -x haproxy || true); do echo "haproxy $p"; done
}
snapshot() { # -> "group ticks voluntary involuntary" per group, summed over the group's threads
  groups | while read -r g p; do
    for t in /proc/"$p"/task/*; do
      # a thread may end between the listing and the reads (the JVM starts and stops compiler threads): skip it
      { awk -v g="$g" '{sub(/^.*\) /, ""); print g, $12 + $13}' "$t/stat" 2>/dev/null | tr '\n' ' '; } || true
      awk '/^voluntary_ctxt_switches/ {v = $2} /^nonvoluntary_ctxt_switches/ {n = $2} END {print v + 0, n + 0}' \
        "$t/status" 2>/dev/null || true
    done
  done | awk 'NF == 4 {c[$1] += $2; v[$1] += $3; n[$1] += $4} END {for (g in c) print g, c[g], v[g], n[g]}'
}
account() { # before-file after-file requests wrk-time-file -> one line per group
  local hz; hz=$(getconf CLK_TCK)
  awk -v n="$3" -v hz="$hz" 'NR == FNR {c[$1] = $2; v[$1] = $3; w[$1] = $4; next}
    {printf "      %-8s %6.1f us CPU/req %5.3f voluntary %5.3f involuntary switches/req\n", $1,
      ($2 - c[$1]) * 1e6 / hz / n, ($3 - v[$1]) / n, ($4 - w[$1]) / n}' "$1" "$2"
  awk -v n="$3" '{printf "      %-8s %6.1f us CPU/req %5.3f voluntary %5.3f involuntary switches/req\n", "wrk",
    ($1 + $2) * 1e6 / n, $4 / n, $3 / n}' "$4"
}
measure() {
  local url=$1 conns=$2 mode=$3 out
  local args=(-t2 -c"$conns" -d"${DURATION}s" --latency)
  [ "$mode" = close ] && args+=(-H "Connection: close")
  if [ "$ACCOUNT" = 1 ]; then
    snapshot >"$work/before"
    out=$(/usr/bin/time -o "$work/wrk-time" -f '%U %S %c %w' wrk "${args[@]}" "$url")
    snapshot >"$work/after"
  else
    out=$(wrk "${args[@]}" "$url")
  fi
  if grep -qE 'Non-2xx|Socket errors: connect [1-9]|read [1-9]|timeout [1-9]' <<<"$out"; then
    echo "wrk reported errors against $url:" >&2; echo "$out" >&2; exit 1
  fi
  if [ "$ACCOUNT" = 1 ]; then
    account "$work/before" "$work/after" "$(awk '/requests in/ {print $1}' <<<"$out")" "$work/wrk-time" >&2
  fi
  echo "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)"
}

declare -A R
scenarios=()
for sc in "keepalive-32|32|keepalive" "keepalive-256|256|keepalive" "close-32|32|close"; do
  [[ " $SCENARIOS " == *" ${sc%%|*} "* ]] && scenarios+=("$sc")
done
echo "== warm-up (every scenario and target once, not counted: the JIT compiles the accept and close paths too)"
for sc in "${scenarios[@]}"; do
  IFS='|' read -r name conns mode <<<"$sc"
  for t in proxy haproxy direct; do DURATION=3 measure "${URL[$t]}" "$conns" "$mode" >/dev/null; done
done
for round in $(seq 1 "$ROUNDS"); do
  for sc in "${scenarios[@]}"; do
    IFS='|' read -r name conns mode <<<"$sc"
    if (( round % 2 )); then order="proxy haproxy direct"; else order="direct haproxy proxy"; fi
    for t in $order; do
      r=$(measure "${URL[$t]}" "$conns" "$mode")
      R["$name/$t"]+="$r"$'\n'
      printf '   round %d %-14s %-8s %s\n' "$round" "$name" "$t" "$r"
    done
  done
done
col() { printf '%s' "${R[$1]}" | awk -v c="$2" 'NF {print $c}' | median; }
# Per round, a ratio of two targets measured back to back (the machine's speed drifts between rounds by up to 2x, so
# a ratio of the two medians can pair a fast round with a slow one); the median of those ratios is the figure.
# Column 1 is requests/s, column 2 the p99 in ms. The added p99 is no worse than HAProxy's when the p99 ratio is <= 1
# (both add to the same pods' latency).
ratio() { paste <(printf '%s' "${R[$1]}" | awk 'NF') <(printf '%s' "${R[$2]}" | awk 'NF') | awk -v c="$3" \
  '{print $c / $(c + 2)}' | median; }
echo
echo "== $ROUNDS rounds, ${DURATION}s each, wrk -t2 (2 cores shared by client, proxies and pods);"
[ "$TRANSPARENT" = 1 ] && echo "   the proxies in transparent mode (endpoints see the client's address)"
echo "   ratios: medians of the per-round ratios; r/s and p99: medians of the rounds"
printf '%-14s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n' scenario proxy haproxy direct proxy/ proxy/ p99 p99 p99 \
  "p99 proxy/"
printf '%-14s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n' "" r/s r/s r/s haproxy direct proxy haproxy direct haproxy
for sc in "${scenarios[@]}"; do
  IFS='|' read -r name _ _ <<<"$sc"
  printf '%-14s %9.0f %9.0f %9.0f %9.2f %9.2f %7.2fms %7.2fms %7.2fms %9.2f\n' "$name" \
    "$(col "$name/proxy" 1)" "$(col "$name/haproxy" 1)" "$(col "$name/direct" 1)" \
    "$(ratio "$name/proxy" "$name/haproxy" 1)" "$(ratio "$name/proxy" "$name/direct" 1)" \
    "$(col "$name/proxy" 2)" "$(col "$name/haproxy" 2)" "$(col "$name/direct" 2)" \
    "$(ratio "$name/proxy" "$name/haproxy" 2)"
done

# UDP: a DNS-sized request/response load (dnsperf, ~60-byte queries, ~100-byte answers) through the proxy (the
# kube-dns ClusterIP, UDP frontend with per-flow state), through nginx's stream proxy (the userspace UDP proxy
# people deploy for DNS; HAProxy proxies no UDP) to the same DNS pod, and straight to the pod, interleaved. nginx
# runs as its guide configures UDP: one worker per core, each with its own socket (reuseport), like the two proxies
# (one loop each) sharing the ClusterIP; a session per client address that ends after 30 s idle, like the proxy's
# flows (`NGINX_PROXY_RESPONSES=1` adds `proxy_responses 1`, which made nginx no faster in a first comparison). Without
# nginx's stream module (apt-get install -y libnginx-mod-stream) the proxy is measured against direct only.
if [ "$UDP" = 1 ] && command -v dnsperf >/dev/null; then
  DNS_VIP=$(kubectl -n kube-system get svc kube-dns -o go-template --template '{{ .spec.clusterIP }}')
  DNS_POD=$(kubectl -n kube-system get endpointslices -l kubernetes.io/service-name=kube-dns \
    -o jsonpath='{.items[0].endpoints[0].addresses[0]}')
  printf 'kubernetes.default.svc.cluster.local A\nhttpenv.default.svc.cluster.local A\n' >"$work/queries"
  udp_targets="proxy direct"
  if command -v nginx >/dev/null && [ -f "$NGINX_STREAM" ]; then
    cat >"$work/nginx.conf" <<CFG
load_module $NGINX_STREAM;
worker_processes $([ "$ONE_THREAD" = 1 ] && echo 1 || echo auto);
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 8192; }
stream {
  upstream dns { server $DNS_POD:53; }
  server {
    listen 127.0.0.1:$NGINX_UDP_PORT udp reuseport;
    proxy_pass dns;
    proxy_timeout 30s;$([ -n "$NGINX_PROXY_RESPONSES" ] && echo " proxy_responses $NGINX_PROXY_RESPONSES;")
  }
}
CFG
    nginx -c "$work/nginx.conf"
    udp_targets="proxy nginx direct"
  else
    echo "bench: no nginx stream module ($NGINX_STREAM): UDP measured against direct only" >&2
  fi
  udp() { # target -> "qps avg-latency-ms lost"
    local server=$DNS_VIP port=53
    case $1 in nginx) server=127.0.0.1 port=$NGINX_UDP_PORT ;; direct) server=$DNS_POD ;; esac
    dnsperf -s "$server" -p "$port" -d "$work/queries" -l "$DURATION" -c 4 -q 64 2>/dev/null \
      | awk '/Queries per second/ {q=$4} /Average Latency/ {l=$4} /Queries lost/ {lost=$3} END {print q, l*1000, lost}'
  }
  for t in $udp_targets; do udp "$t" >/dev/null; done # warm-up
  declare -A U
  for round in $(seq 1 "$ROUNDS"); do
    if (( round % 2 )); then order=$udp_targets; else order=$(tr ' ' '\n' <<<"$udp_targets" | tac | tr '\n' ' '); fi
    for t in $order; do
      r=$(udp "$t")
      U[$t]+="$r"$'\n'
      printf '   round %d %-14s %-8s %s\n' "$round" udp-dns "$t" "$r"
    done
  done
  ucol() { printf '%s' "${U[$1]}" | awk -v c="$2" 'NF {print $c}' | median; }
  uratio() { paste <(printf '%s' "${U[$1]}" | awk 'NF') <(printf '%s' "${U[$2]}" | awk 'NF') | awk -v c="$3" \
    '{print $c / $(c + 3)}' | median; }
  echo
  echo "   UDP: q/s and average latency, medians of the rounds; ratios, medians of the per-round ratios; lost: total"
  printf '%-14s %11s %11s %11s %9s %9s %11s %11s %11s %9s %5s\n' scenario "proxy q/s" "nginx q/s" "direct q/s" \
    "proxy/" "proxy/" "proxy lat" "nginx lat" "direct lat" "lat prx/" lost
  printf '%-14s %11s %11s %11s %9s %9s %11s %11s %11s %9s %5s\n' "" "" "" "" nginx direct "" "" "" nginx ""
  nginx_q=- nginx_l=- q_ratio=- l_ratio=-
  if [ -n "${U[nginx]:-}" ]; then
    nginx_q=$(printf '%.0f' "$(ucol nginx 1)") nginx_l=$(printf '%.3fms' "$(ucol nginx 2)")
    q_ratio=$(printf '%.2f' "$(uratio proxy nginx 1)") l_ratio=$(printf '%.2f' "$(uratio proxy nginx 2)")
  fi
  lost=$(printf '%s' "${U[proxy]}${U[nginx]:-}${U[direct]}" | awk 'NF {s += $3} END {print s + 0}')
  printf '%-14s %11.0f %11s %11.0f %9s %9.2f %9.3fms %11s %9.3fms %9s %5s\n' udp-dns "$(ucol proxy 1)" "$nginx_q" \
    "$(ucol direct 1)" "$q_ratio" "$(uratio proxy direct 1)" "$(ucol proxy 2)" "$nginx_l" "$(ucol direct 2)" \
    "$l_ratio" "$lost"
fi
