#!/usr/bin/env bash
# service-proxy at scale: cold start, RSS and programming latency with 10,000 Services and 50,000 endpoints.
#
#   bench/service-proxy-scale.sh                     # 10,000 Services x 5 endpoints, 100 latency samples
#   SERVICES=1000 SAMPLES=20 bench/service-proxy-scale.sh
#   PEERS=kube-proxy bench/service-proxy-scale.sh    # beside kube-proxy v1.32.4 (nftables, iptables) on a real API:
#                                                    # bench/service-proxy-kube-proxy.sh's scale part alone
#
# A fabric8 mock API server (CRUD) holds the objects; the packaged service-proxy (local mode, default settings:
# min-sync-period 1s) runs against it as a process. Programming latency = EndpointSlice update at the API → first new
# connection through the ClusterIP that reaches the new endpoint (probed every millisecond). Targets:
# p99 <= 100 ms, cold start <= 5 s, RSS <= 512 MiB. Side by side with kube-proxy: PEERS=kube-proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${PEERS:-}" = kube-proxy ]; then SCENARIOS= UDP=0 exec bash bench/service-proxy-kube-proxy.sh; fi
./mvnw -q -pl service-proxy -am package -DskipTests >/dev/null
cp_file=service-proxy/target/bench.classpath
./mvnw -q -pl service-proxy dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
./mvnw -q -pl service-proxy test-compile >/dev/null
# The proxy runs with the JVM options of its container image (service-proxy/src/main/docker/Dockerfile.jvm).
export PROXY_JAVA_OPTS="${PROXY_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled}"
java -Xmx2g -cp "service-proxy/target/test-classes:$(cat "$cp_file")" io.kexpose.proxy.bench.ScaleBench \
  "$PWD/service-proxy/target/quarkus-app/quarkus-run.jar"
