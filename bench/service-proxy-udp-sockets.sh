#!/usr/bin/env bash
# udp-sockets (sockets per UDP frontend, each on its own event loop) against nginx's stream proxy, one setting per
# run, alternating: node-1's proxy alone (node-2's stopped) with THREADS loops serves the kube-dns ClusterIP; nginx
# with as many workers (reuseport) proxies to the same DNS pod; dnsperf (CLIENTS sockets, so the kernel has clients to
# spread over the sockets) measures both back to back. The figure per setting is the median of its rounds'
# proxy / nginx ratios.
#
#   bench/service-proxy-udp-sockets.sh                       # settings "1 0 1 0" (0: one socket per loop), 4 rounds
#   SETTINGS="1 0" ROUNDS=3 THREADS=2 bench/service-proxy-udp-sockets.sh
#
# The local cluster starts its proxies with -Dservice-proxy.threads=1 (service-proxy/local-cluster.properties); a
# run rewrites that one argument in the working tree and restores the file when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

SETTINGS=${SETTINGS:-1 0 1 0}
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-5}
THREADS=${THREADS:-2}
CLIENTS=${CLIENTS:-8}
API_PORT=${API_PORT:-16443}
NGINX_UDP_PORT=${NGINX_UDP_PORT:-18453}
NGINX_STREAM=${NGINX_STREAM:-/usr/lib/nginx/modules/ngx_stream_module.so}
for tool in dnsperf nginx kubectl java; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install -y dnsperf nginx libnginx-mod-stream)" >&2; exit 1; }
done
[ -f "$NGINX_STREAM" ] || { echo "bench: no nginx stream module (apt-get install -y libnginx-mod-stream)" >&2; exit 1; }
if ./kexpose status >/dev/null 2>&1; then
  echo "bench: a local cluster is already running; stop it first (./kexpose down)" >&2; exit 1
fi

descriptor=service-proxy/local-cluster.properties
work=$(mktemp -d /tmp/proxy-udp-sockets.XXXXXX)
# A cluster of its own, emptied after each run (./kexpose keeps objects in .kexpose/state otherwise).
export KEXPOSE_STATE=$work/cluster
export KUBECONFIG=$KEXPOSE_STATE/kubeconfig
cp "$descriptor" "$work/descriptor"
stop_run() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -f "$work/nginx.pid"
  ./kexpose down --purge >/dev/null 2>&1 || true
}
cleanup() { stop_run; cp "$work/descriptor" "$descriptor"; rm -rf "$work"; }
trap cleanup EXIT
sed -i "s/-Dservice-proxy.threads=1/-Dservice-proxy.threads=$THREADS/" "$descriptor"
grep -q -- "-Dservice-proxy.threads=$THREADS" "$descriptor" || { echo "bench: $descriptor has no threads=1 to rewrite" >&2; exit 1; }
printf 'kubernetes.default.svc.cluster.local A\nhttpenv.default.svc.cluster.local A\n' >"$work/queries"
udp() { # server port -> "qps avg-latency-ms lost"
  dnsperf -s "$1" -p "$2" -d "$work/queries" -l "$DURATION" -c "$CLIENTS" -q 64 2>/dev/null \
    | awk '/Queries per second/ {q=$4} /Average Latency/ {l=$4} /Queries lost/ {lost=$3} END {print q, l*1000, lost}'
}

for s in $SETTINGS; do
  SERVICE_PROXY_UDP_SOCKETS=$s ./kexpose up -d --api-port "$API_PORT" >/dev/null
  DNS_VIP=$(kubectl -n kube-system get svc kube-dns -o go-template --template '{{ .spec.clusterIP }}')
  DNS_POD=
  for i in $(seq 1 100); do
    DNS_POD=$(kubectl -n kube-system get endpointslices -l kubernetes.io/service-name=kube-dns \
      -o jsonpath='{.items[0].endpoints[0].addresses[0]}' 2>/dev/null || true)
    [ -n "$DNS_POD" ] && break
    sleep 0.2
  done
  [ -n "$DNS_POD" ] || { echo "bench: the kube-dns EndpointSlice has no address" >&2; exit 1; }
  kill "$(pgrep -f 'service-proxy.node-name=node-2' | head -1)"
  sleep 2
  cat >"$work/nginx.conf" <<CFG
load_module $NGINX_STREAM;
worker_processes $THREADS;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 8192; }
stream {
  upstream dns { server $DNS_POD:53; }
  server { listen 127.0.0.1:$NGINX_UDP_PORT udp reuseport; proxy_pass dns; proxy_timeout 30s; }
}
CFG
  nginx -c "$work/nginx.conf"
  udp "$DNS_VIP" 53 >/dev/null; udp 127.0.0.1 "$NGINX_UDP_PORT" >/dev/null # warm-up
  for r in $(seq 1 "$ROUNDS"); do
    if (( r % 2 )); then p=$(udp "$DNS_VIP" 53); n=$(udp 127.0.0.1 "$NGINX_UDP_PORT")
    else n=$(udp 127.0.0.1 "$NGINX_UDP_PORT"); p=$(udp "$DNS_VIP" 53); fi
    echo "udp-sockets=$s round $r proxy $p nginx $n" | awk '{print $0, "ratio", $5 / $9}' | tee -a "$work/rows"
  done
  stop_run
done

echo
printf '%-12s %7s %14s %14s\n' udp-sockets rounds "proxy/nginx" "range"
for s in $(tr ' ' '\n' <<<"$SETTINGS" | awk '!seen[$0]++'); do
  awk -v s="udp-sockets=$s" '$1 == s {print $NF}' "$work/rows" | sort -g | awk -v s="$s" \
    '{a[NR]=$1} END {m = NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%-12s %7d %14.2f %8.2f-%.2f\n", s, NR, m, a[1], a[NR]}'
done
