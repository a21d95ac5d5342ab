#!/usr/bin/env bash
# service-proxy timing: how promptly the TCP dataplane refuses, propagates a backend's reset, cuts a drained
# connection at the drain grace and resets an idle one at the idle timeout. The tests assert that each happens
# (TcpDataplaneTest); this prints when, with the target beside each figure and the kernel's own behaviour (a closed
# port, a direct connection) measured in the same run where there is one.
#
#   bench/service-proxy-timing.sh                    # 200 samples, 10 for drain and idle
#   SAMPLES=1000 SLOW_SAMPLES=20 bench/service-proxy-timing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -pl service-proxy -am install -DskipTests >/dev/null
cp_file=service-proxy/target/bench.classpath
./mvnw -q -pl service-proxy dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
./mvnw -q -pl service-proxy test-compile >/dev/null
timeout 600 java -Xmx512m -cp "service-proxy/target/test-classes:service-proxy/target/classes:$(cat "$cp_file")" \
  io.kexpose.proxy.bench.TimingBench
