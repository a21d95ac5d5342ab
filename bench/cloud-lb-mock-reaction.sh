#!/usr/bin/env bash
# cloud-lb-mock: how fast it reacts, each figure beside its target (the tests say that these things happen, not how
# fast; a loaded machine must not fail them, so the budgets live here).
#
#   bench/cloud-lb-mock-reaction.sh                 # all three parts
#   PARTS="health" ROUNDS=10 bench/cloud-lb-mock-reaction.sh
#
#   sync     io.kexpose.lb.bench.SyncBench: the controller and its runner as wired in production, over a store whose
#            every write is answered 50 ms later; 64 LoadBalancer Services at once, 16 in flight; time from the first
#            create to the last address shown. Target: at most 3,000 ms (one write at a time: 6,400 ms).
#   health   io.kexpose.lb.bench.HealthBench: two fake nodes behind cloud-lb-mock's forwarding with the production
#            health settings and, as the peer, HAProxy with the same ones (Debian haproxy; skipped when missing);
#            time until a node whose /healthz fails (503) or hangs is out of rotation, and back once it answers 200.
#            Targets: out at most 2,000 ms, back at most 1,000 ms.
#   release  io.kexpose.lb.bench.ReleaseBench: the packaged cloud-lb-mock (pool of one address, 127.203.0.1) against
#            the fabric8 mock API; time from the API answering a type change of the Service holding the address to
#            the watch event showing it on the pending one. Target: at most 1,000 ms.
#
# ROUNDS (default 20 for sync and release, 5 per failure kind for health). Needs no cluster; the driver classes are
# cloud-lb-mock's test classes.
set -euo pipefail
cd "$(dirname "$0")/.."

PARTS=${PARTS:-sync health release}
for tool in java curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
if [ ! -f cloud-lb-mock/target/quarkus-app/quarkus-run.jar ]; then
  ./mvnw -q -B -pl cloud-lb-mock -am package -DskipTests
fi
./mvnw -q -B -pl cloud-lb-mock test-compile
work=$(mktemp -d /tmp/lb-reaction.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
./mvnw -q -B -pl cloud-lb-mock dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp" \
  >/dev/null
CP="cloud-lb-mock/target/test-classes:cloud-lb-mock/target/classes:$(cat "$work/cp")"
DRIVER=(java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CP") # JBoss Logging, as in the app


echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs, shared)"
for part in $PARTS; do
  case "$part" in
    sync)
      echo "== sync: 64 Services, writes answered 50 ms later, 16 in flight"
      timeout 600 "${DRIVER[@]}" io.kexpose.lb.bench.SyncBench "${ROUNDS:-20}"
      ;;
    health)
      echo "== health: a failing node out of rotation and back (production health settings; peer: HAProxy)"
      timeout 900 "${DRIVER[@]}" io.kexpose.lb.bench.HealthBench "${ROUNDS:-5}"
      ;;
    release)
      echo "== release: a freed address to the pending Service (packaged cloud-lb-mock, mock API)"
      rm -f "$work/kubeconfig"
      timeout 900 "${DRIVER[@]}" io.kexpose.lb.bench.ReleaseBench "$work/kubeconfig" 127.0.0.1:10294 "${ROUNDS:-20}" &
      driver=$!
      pids+=("$driver")
      for _ in $(seq 1 600); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
      [ -s "$work/kubeconfig" ] || { echo "bench: the driver wrote no kubeconfig" >&2; exit 1; }
      KUBECONFIG="$work/kubeconfig" java -Dlbmock.management-address=127.0.0.1:10294 -Dlbmock.threads=1 \
        -Dlbmock.pools.bench.addresses=127.203.0.1/32 -Dquarkus.log.level=WARN \
        -jar cloud-lb-mock/target/quarkus-app/quarkus-run.jar >"$work/lbmock.log" 2>&1 &
      pids+=($!)
      if ! wait "$driver"; then
        echo "bench: release failed; cloud-lb-mock's log:" >&2; tail -20 "$work/lbmock.log" >&2; exit 1
      fi
      ;;
    *) echo "bench: unknown part $part (sync, health, release)" >&2; exit 2 ;;
  esac
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
