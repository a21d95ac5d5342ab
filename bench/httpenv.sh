#!/usr/bin/env bash
# httpenv vs nginx, side by side in one run (ratios, not absolute figures: these machines are shared and noisy).
#
#   bench/httpenv.sh                  # 5 interleaved rounds, 10 s per measurement
#   ROUNDS=7 DURATION=15 bench/httpenv.sh
#   PIN=0 bench/httpenv.sh            # no CPU pinning: client and servers share both cores
#
# Both servers get one thread to serve with: nginx one worker, httpenv one event loop (HTTPENV_THREADS=1).
# By default (PIN=1, on a machine with 2 or more cores) wrk runs on CPU 0 and both servers on CPU 1, so the client
# never steals the server's core. Unpinned, client and server threads share two cores and the tails measure the
# scheduler more than the servers.
#
# nginx (one worker, tuned: sendfile, open_file_cache, access_log off, unlimited keep-alive requests) serves the
# identical body bytes as a static file with the same Content-Type. For each scenario (32 and 256 keep-alive
# connections, and a new connection per request) the two servers are measured alternately, round after round,
# and the table shows medians. It also reports httpenv's RSS after the load and, over STARTS fresh starts, the
# median time from exec to the first 200.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
STARTS=${STARTS:-5}
HTTPENV_PORT=${HTTPENV_PORT:-18888}
MGMT_PORT=${MGMT_PORT:-19000}
NGINX_PORT=${NGINX_PORT:-18889}
ENV_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PIN=${PIN:-1}
HTTPENV_THREADS=${HTTPENV_THREADS:-1}   # event loops: one, like nginx's one worker
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  CLIENT=(taskset -c 0); SERVER=(taskset -c 1); WRK_THREADS=${WRK_THREADS:-1}
else
  CLIENT=(); SERVER=(); PIN=0; WRK_THREADS=${WRK_THREADS:-2}
fi

for tool in wrk nginx curl java; do
  command -v "$tool" >/dev/null || { echo "bench/httpenv.sh: $tool is missing (apt-get install -y wrk nginx-light curl)" >&2; exit 1; }
done
NGINX=$(command -v nginx)

JAR=httpenv/target/quarkus-app/quarkus-run.jar
[ -f "$JAR" ] || ./mvnw -q -pl httpenv -am package -DskipTests
JVM_OPTS=httpenv/src/main/jvm/jvm.options

work=$(mktemp -d /tmp/httpenv-bench.XXXXXX)
chmod 755 "$work"  # the nginx worker runs unprivileged and must read the body file
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# Starts httpenv the way the container does (clean environment, the shared JVM options file); sets HTTPENV_PID.
start_httpenv() {
  "${SERVER[@]}" env -i HOSTNAME=httpenv-bench PATH="$ENV_PATH" "$(command -v java)" @"$JVM_OPTS" \
    -Dhttpenv.port="$HTTPENV_PORT" -Dhttpenv.host=127.0.0.1 -Dhttpenv.instances="$HTTPENV_THREADS" \
    -Dquarkus.management.port="$MGMT_PORT" -Dquarkus.management.host=127.0.0.1 \
    -jar "$JAR" >"$work/httpenv.out" 2>"$work/httpenv.err" &
  HTTPENV_PID=$!
  pids+=("$HTTPENV_PID")
}

# Sets FIRST_MS to the milliseconds from exec to the first 200 (polls every 5 ms, gives up after 20 s).
first_200_ms() {
  local t0 t1 i
  t0=$(now_ms)
  start_httpenv
  for i in $(seq 1 4000); do
    if curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTPENV_PORT/" 2>/dev/null | grep -q 200; then
      t1=$(now_ms); FIRST_MS=$((t1 - t0)); return 0
    fi
    kill -0 "$HTTPENV_PID" 2>/dev/null || { cat "$work/httpenv.err" >&2; return 1; }
    sleep 0.005
  done
  echo "httpenv did not answer within 20 s" >&2; return 1
}

stop_httpenv() {
  kill "$HTTPENV_PID" 2>/dev/null || true
  wait "$HTTPENV_PID" 2>/dev/null || true
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }

# wrk latency to milliseconds: 812.00us, 1.20ms, 2.01s
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v}'; }

for p in "$HTTPENV_PORT" "$MGMT_PORT" "$NGINX_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "bench/httpenv.sh: port $p is already in use; stop what listens there (or set HTTPENV_PORT/MGMT_PORT/NGINX_PORT)" >&2
    exit 1
  fi
done

echo "== startup: exec to first 200, $STARTS fresh starts"
starts=()
for i in $(seq 1 "$STARTS"); do
  first_200_ms
  starts+=("$FIRST_MS")
  stop_httpenv
done
startup_median=$(printf '%s\n' "${starts[@]}" | median)
echo "   runs (ms): ${starts[*]}   median: $startup_median ms (target <= 1500 ms)"

start_httpenv
for i in $(seq 1 2000); do curl -s -o /dev/null "http://127.0.0.1:$HTTPENV_PORT/" && break; sleep 0.01; done
curl -s "http://127.0.0.1:$HTTPENV_PORT/" -o "$work/body"
mkdir -p "$work/www"
cp "$work/body" "$work/www/env"
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  server_tokens off;
  etag off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 100000000;
  open_file_cache max=16 inactive=60s;
  open_file_cache_valid 60s;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    root $work/www;
    default_type "text/plain; charset=utf-8";
    location / { try_files /env =404; }
  }
}
NGINX
"${SERVER[@]}" "$NGINX" -c "$work/nginx.conf"
cmp -s <(curl -s "http://127.0.0.1:$NGINX_PORT/") "$work/body" || { echo "nginx does not serve the same bytes" >&2; exit 1; }
echo "== body: $(wc -c <"$work/body") bytes, identical from both servers"

# One wrk measurement: prints "req_per_s p50_ms p99_ms". Mode "close" sends Connection: close (a new connection
# per request); errors (non-2xx, socket errors) abort the benchmark rather than inflate a rate.
measure() {
  local url=$1 conns=$2 mode=$3 out
  local args=(-t"$WRK_THREADS" -c"$conns" -d"${DURATION}s" --latency)
  [ "$mode" = close ] && args+=(-H "Connection: close")
  out=$("${CLIENT[@]}" wrk "${args[@]}" "$url")
  if grep -qE 'Non-2xx|Socket errors: connect [1-9]|read [1-9]|timeout [1-9]' <<<"$out"; then
    echo "wrk reported errors against $url:" >&2; echo "$out" >&2; exit 1
  fi
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)
  echo "$rps $p50 $p99"
}

echo "== warm-up (JIT): ${DURATION}s on each server"
measure "http://127.0.0.1:$HTTPENV_PORT/" 32 keepalive >/dev/null
measure "http://127.0.0.1:$NGINX_PORT/" 32 keepalive >/dev/null

scenarios=("keepalive-32|32|keepalive" "keepalive-256|256|keepalive" "close-32|32|close")
declare -A results ratios
for round in $(seq 1 "$ROUNDS"); do
  for sc in "${scenarios[@]}"; do
    IFS='|' read -r name conns mode <<<"$sc"
    if (( round % 2 )); then order="httpenv nginx"; else order="nginx httpenv"; fi
    declare -A round_result=()
    for target in $order; do
      if [ "$target" = httpenv ]; then port=$HTTPENV_PORT; else port=$NGINX_PORT; fi
      r=$(measure "http://127.0.0.1:$port/" "$conns" "$mode")
      results["$name/$target"]+="$r"$'\n'
      round_result["$target"]=$r
      printf '   round %d %-14s %-8s %s\n' "$round" "$name" "$target" "$r"
    done
    # Paired ratios: the two measurements of a round ran back to back, so drift of the machine cancels out.
    read -r hr _ h99 <<<"${round_result[httpenv]}"; read -r nr _ n99 <<<"${round_result[nginx]}"
    ratios["$name"]+="$(awk -v a="$hr" -v b="$nr" -v c="$h99" -v d="$n99" 'BEGIN {print a/b, (d>0)?c/d:0}')"$'\n'

  done
done

rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$HTTPENV_PID/status")
sleep 10
rss_idle_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$HTTPENV_PID/status")

col() { printf '%s' "${results[$1]}" | awk -v c="$2" 'NF {print $c}' | median; }
echo
if [ "$PIN" = 1 ]; then placement="wrk on CPU 0, servers on CPU 1"; else placement="unpinned, $(nproc) cores shared"; fi
echo "== medians of $ROUNDS rounds, ${DURATION}s each, wrk -t$WRK_THREADS ($placement)"
echo "   (r/s and latencies: median of each column; ratios: median of the per-round httpenv/nginx ratios)"
printf '%-14s %12s %12s %8s %10s %10s %10s %10s %9s\n' scenario "httpenv r/s" "nginx r/s" "r/s ratio" "h p50 ms" "n p50 ms" "h p99 ms" "n p99 ms" "p99 ratio"
for sc in "${scenarios[@]}"; do
  IFS='|' read -r name _ _ <<<"$sc"
  hr=$(col "$name/httpenv" 1); nr=$(col "$name/nginx" 1)
  h50=$(col "$name/httpenv" 2); n50=$(col "$name/nginx" 2)
  h99=$(col "$name/httpenv" 3); n99=$(col "$name/nginx" 3)
  rr=$(printf '%s' "${ratios[$name]}" | awk 'NF {print $1}' | median)
  pr=$(printf '%s' "${ratios[$name]}" | awk 'NF {print $2}' | median)
  printf '%-14s %12.0f %12.0f %8.2f %10.3f %10.3f %10.3f %10.3f %9.2f\n' "$name" "$hr" "$nr" "$rr" \
    "$h50" "$n50" "$h99" "$n99" "$pr"
done
echo
printf 'httpenv RSS after load: %.1f MiB right after the last run, %.1f MiB 10 s later (JVM options: %s)\n' \
  "$(awk -v k="$rss_kib" 'BEGIN {print k/1024}')" "$(awk -v k="$rss_idle_kib" 'BEGIN {print k/1024}')" "$JVM_OPTS"
echo "httpenv exec to first 200: median $startup_median ms over $STARTS starts (target <= 1500 ms;" \
  "stop times, and nginx's, in bench/httpenv-start.sh)"
