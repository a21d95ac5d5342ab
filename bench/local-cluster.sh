#!/usr/bin/env bash
# The local cluster as a user meets it, with the workshop's httpenv scaled the way attendees try it:
#   1. `./kexpose up -d` until the cluster and its components are Ready;
#   2. `kubectl create deployment httpenv` (1 replica) until it is Ready, then the memory of everything the cluster
#      runs (the sum of the RSS of the cluster process and all its descendants: components, pod hosts);
#   3. `kubectl scale --replicas=50` until 50 are Ready, and the memory again;
#   4. `kubectl scale --replicas=51`: the time from the 51st pod's creation (the local scheduler places a pod as it
#      creates it) to its being Ready, as a `kubectl get pods -w` sees them.
# Printed per round, then the medians, each beside its target. The end-to-end tests assert that this happens
# (WorkshopFirstStepsTest, WorkshopAcceptanceTest, ClusterRestartTest); this script says how long it takes.
#
#   bench/local-cluster.sh                  # 3 rounds
#   ROUNDS=5 bench/local-cluster.sh
#
# Targets: 50 Ready within 10 s of the scale from 1; one more pod Ready within 500 ms; at most 10 MiB
# added per pod ((RSS at 50 pods - RSS at 1 pod) / 49). kind, the peer, needs a Docker engine, which these machines
# do not have: a kind pod with a cached image is Ready in about a second, and the original Go httpenv uses about
# 10 MiB per process.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
if ./kexpose status >/dev/null 2>&1; then
  echo "bench/local-cluster.sh: a local cluster is running; ./kexpose down first (this script starts its own)" >&2
  exit 1
fi
if [ -d .kexpose/state ]; then
  echo "bench/local-cluster.sh: .kexpose/state holds a cluster's objects; ./kexpose down --purge first (each round" \
    "starts an empty cluster and removes it)" >&2
  exit 1
fi
./mvnw -q -B -pl httpenv,service-proxy,dns,cloud-lb-mock,local-cluster -am package -DskipTests >/dev/null
touch local-cluster/target/local-cluster-*.jar # built now: ./kexpose up must not build again inside the measured time
export KUBECONFIG=$PWD/.kexpose/kubeconfig
trap './kexpose down --purge >/dev/null 2>&1 || true' EXIT

now() { date +%s.%N; }
since() { awk "BEGIN {printf \"%.2f\", $(now) - $1}"; }
ready() { kubectl get deploy httpenv -o jsonpath='{.status.readyReplicas}' 2>/dev/null; }
wait_ready() { # bounded: 300 s
  for _ in $(seq 1 15000); do [ "$(ready)" = "$1" ] && return 0; sleep 0.02; done
  echo "bench/local-cluster.sh: $1 replicas not Ready within 300 s" >&2; exit 1
}
# RSS (KiB) of the cluster process and every process below it
rss() {
  local root pids
  root=$(cat .kexpose/cluster.pid)
  pids=$(ps -e -o pid=,ppid= | awk -v root="$root" '
    { parent[$1] = $2 } END {
      keep[root] = 1; changed = 1
      while (changed) { changed = 0; for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } }
      for (p in keep) print p }')
  for p in $pids; do awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || true; done | awk '{s += $1} END {print s}'
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

ups=() fifties=() ones=() perpod=()
for round in $(seq 1 "$ROUNDS"); do
  t0=$(now)
  ./kexpose up -d >/dev/null
  up=$(since "$t0")
  kubectl create deployment httpenv --image=jpetazzo/httpenv >/dev/null
  wait_ready 1
  sleep 2 # let the first pod's host settle before its memory is read
  rss1=$(rss)
  t0=$(now)
  kubectl scale deployment httpenv --replicas=50 >/dev/null
  wait_ready 50
  fifty=$(since "$t0")
  sleep 2
  rss50=$(rss)
  # the 51st pod through a watch, each line stamped when it arrives: from its first appearance (created with its
  # node: scheduled) to its first line Ready
  watchlog=$(mktemp)
  ( kubectl get pods -l app=httpenv -w --no-headers 2>/dev/null | while read -r line; do echo "$(now) $line"; done \
      > "$watchlog" ) &
  watcher=$!
  sleep 1
  before=$(kubectl get pods -l app=httpenv -o name | sed 's|pod/||' | sort)
  kubectl scale deployment httpenv --replicas=51 >/dev/null
  wait_ready 51
  sleep 0.5
  kill "$watcher" 2>/dev/null || true
  pkill -P "$watcher" 2>/dev/null || true
  newpod=$(kubectl get pods -l app=httpenv -o name | sed 's|pod/||' | sort | comm -13 <(echo "$before") - | head -1)
  one=$(awk -v pod="$newpod" '$2 == pod { if (!first) first = $1; if ($3 == "1/1" && !ready) ready = $1 }
    END { printf "%.3f", ready - first }' "$watchlog")
  rm -f "$watchlog"
  ./kexpose down --purge >/dev/null
  mib=$(awk "BEGIN {printf \"%.2f\", ($rss50 - $rss1) / 49 / 1024}")
  ups+=("$up") fifties+=("$fifty") ones+=("$one") perpod+=("$mib")
  printf 'round %d: cluster up %s s; 1 -> 50 Ready %s s; one more pod Ready %s s after it was scheduled; RSS %d MiB at 1 pod, %d MiB at 50: %s MiB per pod\n' \
    "$round" "$up" "$fifty" "$one" $((rss1 / 1024)) $((rss50 / 1024)) "$mib"
done
printf 'medians of %d rounds: cluster up %s s; 1 -> 50 Ready %s s (target <= 10 s); one more pod %s s (target <= 0.5 s); %s MiB per pod (target <= 10)\n' \
  "$ROUNDS" "$(median "${ups[@]}")" "$(median "${fifties[@]}")" "$(median "${ones[@]}")" "$(median "${perpod[@]}")"
