#!/usr/bin/env bash
# dns freshness per kind of change: how soon after the API answers a change the DNS answers show it (the figure
# DnsWiringTest no longer bounds: a loaded machine must not fail a test, so the budget lives here).
#
#   bench/dns-freshness.sh                  # 200 rounds of the five changes after 20 unmeasured ones
#   ROUNDS=50 bench/dns-freshness.sh
#
# The packaged dns server runs as a process (the local cluster's JVM options, -Xmx96m -XX:+UseSerialGC; override
# with DNS_JAVA_OPTS) against the fabric8 mock API held by the driver io.kexpose.dns.bench.FreshnessBench (dns test
# classes), with the data set of bench/dns.sh (1,000 ClusterIP and 100 headless Services). One change at a time: a
# ClusterIP Service created, its port changed (SRV), a headless Service's EndpointSlice created, its endpoint moved
# to another address, the ClusterIP Service deleted; each timed from the API's answer to the first UDP answer that
# shows it. Target: p99 <= 100 ms for every kind. (bench/dns-scale.sh times endpoint moves alone, 1,000 of them,
# from the update being sent.) A kexpose-only figure: no peer runs against the same API here.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/dns-freshness.XXXXXX)
trap 'rm -rf "$work"' EXIT
[ -f dns/target/quarkus-app/quarkus-run.jar ] || ./mvnw -q -B -pl dns -am package -DskipTests >/dev/null
./mvnw -q -B -pl dns test-compile >/dev/null
./mvnw -q -B -pl dns dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp" >/dev/null
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs, shared)"
timeout 1200 java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "dns/target/test-classes:$(cat "$work/cp")" io.kexpose.dns.bench.FreshnessBench
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
