#!/usr/bin/env bash
# dns vs its peers, side by side in one run (ratios; these machines are noisy): Knot DNS (an authoritative server
# with the same records in a zone file) and CoreDNS v1.12.1's kubernetes plugin watching the same API.
#
#   bench/dns.sh                              # Knot; 3 interleaved rounds, 6 s per measurement
#   PEERS="knot coredns coredns-cache30" bench/dns.sh
#   ROUNDS=5 DURATION=10 bench/dns.sh
#
# PEERS: knot; coredns (kubeadm v1.32's Corefile, whose `cache 30` block disables caching of cluster.local answers);
# coredns-cache30 (the same with a plain `cache 30`, as kubeadm wrote it before and many clusters still run it). With
# a CoreDNS peer the API is a real kube-apiserver v1.32.4 with etcd (bench/originals/control-plane.sh, pinned to
# CPU 1) instead of the mock: dns and every CoreDNS watch the same Services and EndpointSlices there. Neither
# forwards anything off the machine (CoreDNS's forward goes to 127.0.0.1:9, and the query mix stays in the zone).
# With a CoreDNS peer, each round also measures ours at half of that CoreDNS's peak rate: p99 at equal load.
# After the rounds, with a CoreDNS peer: freshness, FRESH_CHANGES (default 10) moves of headless probe's only
# endpoint, each timed from the API's answer to each server's first answer with the new address (at most 40 s).
#
# A fabric8 mock API server (CRUD, in the bench driver io.kexpose.dns.bench.DnsBench) holds namespace bench with
# 1,000 ClusterIP Services (named port http, so SRV records exist) and 100 headless Services with an EndpointSlice of
# 10 endpoints each; the packaged dns server runs against it as a process (the local cluster's JVM options, -Xmx96m
# -XX:+UseSerialGC, override with DNS_JAVA_OPTS) on 127.0.55.1:53. The mock API rather than ./kexpose up: the local
# cluster's state directory is shared by everyone working in this checkout, and the API is not what is measured.
# The same records go into a zone file served by Knot DNS (Debian knot) on 127.0.54.1:53. Query mix (dnsperf, looping
# a shuffled file): 80% A of existing ClusterIP Services, 10% A of headless Services (10 rows), 10% NXDOMAIN. Each
# round measures both servers at full load (peak qps), then each at half of its own peak for latency: dnsperf -v
# at that fixed rate (-Q) writes one line per query to a file, read only after the run (piping it to awk on the fly
# put awk on the servers' CPU), and a lost query counts as slower than every answer. Both servers are warmed up at
# full load first (JIT). Servers are pinned to CPU 0, dnsperf to CPU 1 (2-core machine).
# NICE=-10 runs both servers and dnsperf at that nice level (the same for Knot and ours), so that other tenants of a
# shared machine delay them less; the default 0 measures them among everything else.
# Our server's GC log (-Xlog:gc) is summarised at the end: collections and the longest pause.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-6}
NICE=${NICE:-0}
OURS=${OURS:-127.0.55.1}
KNOT=${KNOT:-127.0.54.1}
PEERS=${PEERS:-knot}
declare -A ADDRESS=([ours]=$OURS [knot]=$KNOT [coredns]=127.0.56.1 [coredns-cache30]=127.0.57.1)
SERVERS=(ours)
for peer in $PEERS; do
  [ -n "${ADDRESS[$peer]:-}" ] && [ "$peer" != ours ] || { echo "bench: PEERS names knot, coredns, coredns-cache30; not $peer" >&2; exit 2; }
  SERVERS+=("$peer")
done
with_coredns=false
case " $PEERS " in *" coredns"*) with_coredns=true ;; esac
for tool in dnsperf java taskset dig $( [[ " $PEERS " == *" knot "* ]] && echo knotd ); do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install -y dnsperf knot dnsutils)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/dns-bench.XXXXXX)
driver=
coredns_pids=()
. bench/originals/control-plane.sh
cleanup() {
  [ -f "$work/knot.pid" ] && kill "$(cat "$work/knot.pid")" 2>/dev/null || true
  for pid in "${coredns_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$driver" ]; then
    touch "$work/stop"
    for i in $(seq 1 100); do kill -0 "$driver" 2>/dev/null || break; sleep 0.1; done
    kill "$driver" 2>/dev/null || true
  fi
  cp_stop
  rm -rf "$work"
}
trap cleanup EXIT

./mvnw -q -B -pl dns -am package -DskipTests >/dev/null
./mvnw -q -B -pl dns test-compile >/dev/null
./mvnw -q -B -pl dns dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp" >/dev/null
export DNS_JAVA_OPTS=${DNS_JAVA_OPTS:-"-Xmx96m -XX:+UseSerialGC -Xlog:gc:file=$work/gc.log"}
if $with_coredns; then
  cp_start "$work/api"
  export BENCH_KUBECONFIG=$work/api/admin.kubeconfig
  coredns_bin=$(bash bench/originals/build.sh coredns)/coredns
fi
DNS_ADDRESS=$OURS nice -n "$NICE" java -Xmx1g -cp "dns/target/test-classes:$(cat "$work/cp")" io.kexpose.dns.bench.DnsBench serve "$work" \
  >"$work/driver.log" 2>&1 &
driver=$!
for i in $(seq 1 600); do
  [ -f "$work/dns.pid" ] && break
  kill -0 "$driver" 2>/dev/null || { cat "$work/driver.log" >&2; exit 1; }
  sleep 0.2
done
[ -f "$work/dns.pid" ] || { echo "bench: dns did not come up" >&2; cat "$work/driver.log" >&2; exit 1; }
OURS_PID=$(cat "$work/dns.pid")

# The same records as a zone file for Knot.
{
  echo '$ORIGIN cluster.local.'; echo '$TTL 5'
  echo '@ SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5'
  echo '@ NS ns.dns'; echo "ns.dns A $KNOT"
  while read -r name ip; do
    case "$name" in
      svc-*) echo "$name.bench.svc A $ip"; echo "_http._tcp.$name.bench.svc SRV 0 100 80 $name.bench.svc" ;;
      h-*) n=${name#h-}
        for i in $(seq 1 10); do
          echo "$name.bench.svc A 10.250.$n.$i"; echo "10-250-$n-$i.$name.bench.svc A 10.250.$n.$i"
          echo "_http._tcp.$name.bench.svc SRV 0 10 80 10-250-$n-$i.$name.bench.svc"
        done ;;
    esac
  done <"$work/ips"
} >"$work/cluster.local.zone"
cat >"$work/knot.conf" <<CONF
server:
    rundir: "$work"
    pidfile: "$work/knot.pid"
    listen: $KNOT@53
database:
    storage: "$work/db"
template:
  - id: default
    storage: "$work"
    semantic-checks: off
zone:
  - domain: cluster.local
    file: "cluster.local.zone"
CONF
if [[ " $PEERS " == *" knot "* ]]; then
  nice -n "$NICE" taskset -c 0 knotd -c "$work/knot.conf" -d
  for i in $(seq 1 100); do dig +short +tries=1 +time=1 @$KNOT svc-1.bench.svc.cluster.local A | grep -q . && break; sleep 0.1; done
fi

# CoreDNS as kubeadm v1.32 configures it (its Corefile template), bound to its own address, forwarding nowhere.
start_coredns() { # name cache-block
  local name=$1 cache=$2 a=${ADDRESS[$1]}
  cat >"$work/Corefile.$name" <<COREFILE
.:53 {
    bind $a
    errors
    health $a:8080 {
       lameduck 5s
    }
    ready $a:8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       kubeconfig $BENCH_KUBECONFIG
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus $a:9153
    forward . 127.0.0.1:9 {
       max_concurrent 1000
    }
    $cache
    loop
    reload
    loadbalance
}
COREFILE
  nice -n "$NICE" taskset -c 0 "$coredns_bin" -conf "$work/Corefile.$name" >"$work/$name.log" 2>&1 &
  coredns_pids+=($!)
  for i in $(seq 1 300); do
    dig +short +tries=1 +time=1 @"$a" h-99.bench.svc.cluster.local A | grep -q . && return 0
    sleep 0.2
  done
  echo "bench: $name did not answer; its log:" >&2; cat "$work/$name.log" >&2; exit 1
}
for peer in $PEERS; do
  case $peer in
    coredns) start_coredns coredns 'cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }' ;;
    coredns-cache30) start_coredns coredns-cache30 'cache 30' ;;
  esac
done

# Queries: 80% existing A, 10% headless, 10% NXDOMAIN, shuffled.
{
  for i in $(seq 1 800); do echo "svc-$((RANDOM % 1000)).bench.svc.cluster.local A"; done
  for i in $(seq 1 100); do echo "h-$((RANDOM % 100)).bench.svc.cluster.local A"; done
  for i in $(seq 1 100); do echo "nosuch-$i.bench.svc.cluster.local A"; done
} | shuf >"$work/queries"

# Pin our server (every thread of the JVM) to CPU 0, like Knot.
taskset -apc 0 "$OURS_PID" >/dev/null

peak() { # server -> qps
  nice -n "$NICE" taskset -c 1 dnsperf -s "$1" -d "$work/queries" -l "$DURATION" -c 4 -q 200 2>/dev/null \
    | awk '/Queries per second/ {print $4}'
}
p99() { # server qps -> p99 latency in ms ("lost" if more than 1% got no answer); p50/p90/lost to stderr
  nice -n "$NICE" taskset -c 1 dnsperf -s "$1" -d "$work/queries" -l "$DURATION" -c 4 -Q "$2" -v \
    >"$work/latency" 2>/dev/null
  awk '$1 == ">" { if ($2 == "T") lost++; else print $NF } END { print lost + 0 >"/dev/stderr" }' \
    "$work/latency" 2>"$work/lost" | sort -g >"$work/sorted"
  awk -v lost="$(cat "$work/lost")" -v who="$1" -v q="$2" '{a[NR]=$1} END {
      n = NR + lost
      split("50 90 99", ps, " ")
      for (k = 1; k <= 3; k++) { i = int(n * ps[k] / 100 + 0.999999); v[k] = i > NR ? "lost" : sprintf("%.3f", a[i] * 1000) }
      printf "  %s at %d qps: %d answers, %d lost, p50 %s ms, p90 %s ms, p99 %s ms\n", who, q, NR, lost, v[1], v[2], v[3] >"/dev/stderr"
      printf "%s", v[3] }' "$work/sorted"
}

for srv in "${SERVERS[@]}"; do peak "${ADDRESS[$srv]}" >/dev/null; done  # warm-up (JIT, caches)
gc_from=$( [ -f "$work/gc.log" ] && wc -l <"$work/gc.log" || echo 0)  # GC lines of start-up and warm-up
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs, shared)"
echo "peak qps, and p99 at half of the server's own peak (ms), per round; servers measured in a rotating order"
declare -A qps p99s same
for r in $(seq 1 "$ROUNDS"); do
  n=${#SERVERS[@]}; order=()
  for i in $(seq 0 $((n - 1))); do order+=("${SERVERS[$(( (i + r - 1) % n ))]}"); done
  for srv in "${order[@]}"; do q=$(peak "${ADDRESS[$srv]}"); qps[$srv]+="$q "; done
  for srv in "${order[@]}"; do
    last=$(echo "${qps[$srv]}" | awk '{print $NF}')
    p=$(p99 "${ADDRESS[$srv]}" "$(awk -v q="$last" 'BEGIN {printf "%d", q/2}')")
    p99s[$srv]+="$p "
  done
  # and ours at the same rate as each CoreDNS, half of that CoreDNS's peak: latency at equal load
  for srv in "${SERVERS[@]}"; do
    [[ $srv == coredns* ]] || continue
    last=$(echo "${qps[$srv]}" | awk '{print $NF}')
    same[$srv]+="$(p99 "$OURS" "$(awk -v q="$last" 'BEGIN {printf "%d", q/2}')") "
  done
  line="round $r:"
  for srv in "${SERVERS[@]}"; do
    line+=" $srv $(echo "${qps[$srv]}" | awk '{printf "%.0f", $NF}') qps $(echo "${p99s[$srv]}" | awk '{print $NF}') ms;"
  done
  echo "$line"
done
median() { # "lost" (more than 1% unanswered) and "-" sort above every number
  printf '%s\n' "$@" | sed 's/^lost$/inf/; s/^-$/inf/' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
for srv in "${SERVERS[@]}"; do
  # shellcheck disable=SC2086
  echo "median $srv: $(median ${qps[$srv]}) qps, p99 $(median ${p99s[$srv]}) ms"
done
for srv in "${SERVERS[@]:1}"; do
  ratios=(); lats=()
  read -r -a oq <<<"${qps[ours]}"; read -r -a pq <<<"${qps[$srv]}"
  read -r -a ol <<<"${p99s[ours]}"; read -r -a pl <<<"${p99s[$srv]}"
  for i in "${!oq[@]}"; do
    ratios+=("$(awk -v a="${oq[$i]}" -v b="${pq[$i]}" 'BEGIN {printf "%.2f", a/b}')")
    lats+=("$(awk -v a="${ol[$i]}" -v b="${pl[$i]}" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a/b; else print "-"}')")
  done
  target=""
  case $srv in knot) target=" (target >= 0.6)" ;; coredns*) target=" (target >= 2)" ;; esac
  echo "ours/$srv: qps ratio per round ${ratios[*]}, median $(median "${ratios[@]}")$target; p99 ratio (each at half its own peak) per round ${lats[*]}, median $(median "${lats[@]}")"
  if [[ $srv == coredns* ]]; then
    read -r -a sl <<<"${same[$srv]}"
    eq=()
    for i in "${!sl[@]}"; do
      eq+=("$(awk -v a="${sl[$i]}" -v b="${pl[$i]}" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a/b; else print "-"}')")
    done
    echo "ours at $srv's rate (half its peak): p99 per round ${sl[*]} ms against ${pl[*]} ms; ratio median $(median "${eq[@]}") (target <= 1)"
  fi
done
echo "dns RSS: $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$OURS_PID/status)"
if [ -f "$work/gc.log" ]; then
  tail -n +"$((gc_from + 1))" "$work/gc.log" | awk '/Pause/ { n++; ms = $NF; sub("ms", "", ms); ms += 0; sum += ms
      if (ms > 1) over++; if (ms > max) { max = ms; what = $0 } }
    END { printf "dns GC during the rounds: %d pauses, %d over 1 ms, total %.0f ms, longest %.1f ms\n  %s\n", n, over, sum, max, what }'
fi
if $with_coredns; then
  servers="ours=$OURS"
  for peer in $PEERS; do [[ $peer == coredns* ]] && servers+=",$peer=${ADDRESS[$peer]}"; done
  echo "freshness: an EndpointSlice change at the API -> each server's first answer with it (target p99 <= 100 ms)"
  PEER_SERVERS=$servers CHANGES=${FRESH_CHANGES:-10} timeout 900 java -cp "dns/target/test-classes:$(cat "$work/cp")" \
    io.kexpose.dns.bench.DnsBench peer-freshness 2>&1 | grep RESULT
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
