#!/usr/bin/env bash
# dns at scale: freshness over 1,000 EndpointSlice changes, and memory with 10,000 Services and 50,000
# endpoints. Both run the packaged dns server as a process against a fabric8 mock API server (CRUD) held by the bench
# driver io.kexpose.dns.bench.DnsBench, with the local cluster's JVM options (-Xmx96m -XX:+UseSerialGC; override
# with DNS_JAVA_OPTS).
#
#   bench/dns-scale.sh                       # freshness, then memory
#   MODES=freshness CHANGES=200 bench/dns-scale.sh
#   MODES=memory SERVICES=2000 bench/dns-scale.sh
#
# freshness: the data set of bench/dns.sh plus a headless Service "probe" with one endpoint; CHANGES times, the
# endpoint moves to a new address through the API and a UDP query for probe.bench.svc.cluster.local is repeated
# until it answers the new address. Latency = update sent to the API -> first answer with the new address (so it
# includes the mock API's own processing and the watch delivery). Target: p99 <= 100 ms.
# memory: SERVICES ClusterIP Services, each with an EndpointSlice of ENDPOINTS_PER_SERVICE (5) endpoints; after the
# last Service answers, two full GCs (jcmd GC.run), then the heap in use (jcmd GC.heap_info) and the RSS; the same
# for an empty cluster first, as the baseline. Targets: <= 1 KiB of heap per object, RSS <= 384 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
MODES=${MODES:-freshness memory}
work=$(mktemp -d /tmp/dns-scale.XXXXXX)
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -pl dns -am package -DskipTests >/dev/null
./mvnw -q -B -pl dns test-compile >/dev/null
./mvnw -q -B -pl dns dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp" >/dev/null
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
for mode in $MODES; do
  timeout 1200 java -Xmx2g -cp "dns/target/test-classes:$(cat "$work/cp")" io.kexpose.dns.bench.DnsBench "$mode"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
