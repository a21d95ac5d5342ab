#!/usr/bin/env bash
# What transparent mode (service-proxy.transparent, rule transparent-source) costs the forwarding: alternating runs of
# bench/service-proxy-forwarding.sh with the mode off and on, each on a cluster of its own, each measuring the proxy
# against HAProxy back to back. HAProxy is the yardstick that cancels the machine's drift between runs; the figure per
# setting is the median of all its rounds' proxy / HAProxy ratios.
#
#   bench/service-proxy-transparent.sh                      # 3 runs per setting, 6 rounds of 4 s each
#   SETS="off on" ROUNDS=3 bench/service-proxy-transparent.sh
#
# In local mode the mode binds each socket to an endpoint to the client's address before it connects (two system
# calls more per connection, none per request): a connection per request is where it can show; keep-alive shows
# how far two settings that do the same work per request drift apart on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."

SETS=${SETS:-off on off on off on}
ROUNDS=${ROUNDS:-6}
DURATION=${DURATION:-4}
SCENARIOS=${SCENARIOS:-close-32 keepalive-32}

out=$(mktemp /tmp/proxy-transparent.XXXXXX)
trap 'rm -f "$out"' EXIT
for s in $SETS; do
  echo "== transparent mode $s" >&2
  TRANSPARENT=$([ "$s" = on ] && echo 1 || echo 0) UDP=0 ROUNDS=$ROUNDS DURATION=$DURATION SCENARIOS=$SCENARIOS \
    bench/service-proxy-forwarding.sh | awk -v s="$s" '$1 == "round" {print s, $2, $3, $4, $5, $6}' | tee -a "$out" >&2
done

# Per round, proxy / HAProxy for requests/s and p99 (the i-th proxy row of a setting and scenario was measured back to
# back with its i-th HAProxy row); per setting and scenario, the medians of those ratios and how many rounds count.
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ratios() { # setting scenario column -> one ratio per round
  paste <(awk -v s="$1" -v sc="$2" -v c="$3" '$1 == s && $3 == sc && $4 == "proxy" {print $c}' "$out") \
    <(awk -v s="$1" -v sc="$2" -v c="$3" '$1 == s && $3 == sc && $4 == "haproxy" {print $c}' "$out") \
    | awk 'NF == 2 {print $1 / $2}'
}
echo
printf '%-14s %-12s %7s %14s %14s\n' scenario transparent rounds "proxy/haproxy" "p99 prx/hap"
for sc in $SCENARIOS; do
  for s in off on; do
    printf '%-14s %-12s %7d %14.2f %14.2f\n' "$sc" "$s" "$(ratios "$s" "$sc" 5 | wc -l)" \
      "$(ratios "$s" "$sc" 5 | median)" "$(ratios "$s" "$sc" 6 | median)"
  done
done
