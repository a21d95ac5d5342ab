#!/usr/bin/env bash
# dns at its edges, each figure beside its target (the tests say what happens; how soon is measured here, where a
# loaded machine cannot fail a test): lame-duck shutdown, unreachable upstreams, malformed datagrams.
#
#   bench/dns-resilience.sh                        # all three parts
#   PARTS=lameduck ROUNDS=10 bench/dns-resilience.sh
#   LAMEDUCK_MS=1500 PARTS=lameduck bench/dns-resilience.sh
#
# The packaged dns server runs as a process (DNS_JAVA_OPTS, default -Xmx96m -XX:+UseSerialGC) against the fabric8
# mock API held by the driver io.kexpose.dns.bench.ResilienceBench (dns test classes), data set of bench/dns.sh.
#   lameduck  SIGTERM while a client queries without pause (ROUNDS, default 5, fresh servers; dns.lameduck
#             LAMEDUCK_MS, default 5000): /ready 503 (target at once, <= 100 ms), queries lost before the period's
#             last 400 ms (target 0), last answer and DNS port refused (target: not before the period, closed
#             within it + 1,000 ms), process exit (target: within the period + 2,000 ms). What LameDuckTest asserts
#             as order only.
#   servfail  the only upstream unreachable: time to SERVFAIL (target <= 5,500 ms: the 5 s forwarding deadline).
#             What DnsSocketTest q27 asserts without a clock.
#   fuzz      FuzzTest's 100,000 seeded malformed datagrams, a real query answered every 500: total time and
#             packets/s (target: 100,000 within 90 s). What FuzzTest asserts without a clock.
# No peer: Knot (bench/dns.sh) is authoritative-only and has no API to follow.
set -euo pipefail
cd "$(dirname "$0")/.."
PARTS=${PARTS:-lameduck servfail fuzz}
work=$(mktemp -d /tmp/dns-resilience.XXXXXX)
trap 'rm -rf "$work"' EXIT
[ -f dns/target/quarkus-app/quarkus-run.jar ] || ./mvnw -q -B -pl dns -am package -DskipTests >/dev/null
./mvnw -q -B -pl dns test-compile >/dev/null
./mvnw -q -B -pl dns dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp" >/dev/null
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs, shared)"
for part in $PARTS; do
  case "$part" in
    lameduck|servfail|fuzz) ;;
    *) echo "bench: unknown part $part (lameduck, servfail, fuzz)" >&2; exit 2 ;;
  esac
  echo "== $part"
  timeout 1200 java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -cp "dns/target/test-classes:$(cat "$work/cp")" io.kexpose.dns.bench.ResilienceBench "$part"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
