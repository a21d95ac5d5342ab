#!/usr/bin/env bash
# httpenv's start and stop beside nginx's: exec to the first 200, SIGTERM to the process's exit, and whether the
# port is free once it has exited (what HttpenvProcessIT asserts without a clock: a loaded machine must not fail a
# test, so the budgets live here).
#
#   bench/httpenv-start.sh              # 10 starts of each, interleaved
#   STARTS=20 bench/httpenv-start.sh
#
# httpenv is started the way the container starts it (clean environment, the shared JVM options file, one event
# loop); nginx (Debian nginx-light: one worker, in the foreground) serves a static file on another port. Both are
# pinned to CPU 1 where there are 2 or more cores (PIN=0: not pinned). Each start: the process is exec'd, curl asks
# every 5 ms until a 200 (at most 20 s), then SIGTERM and the time until the process has exited (at most 30 s),
# then one connection attempt to the port. Targets (httpenv): first 200 at most 1,500 ms after exec; exit at most
# 5,000 ms after SIGTERM; the port free after every exit.
set -euo pipefail
cd "$(dirname "$0")/.."

STARTS=${STARTS:-10}
HTTPENV_PORT=${HTTPENV_PORT:-18898}
MGMT_PORT=${MGMT_PORT:-19010}
NGINX_PORT=${NGINX_PORT:-18899}
ENV_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PIN=${PIN:-1}
SERVER=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then SERVER=(taskset -c 1); fi
for tool in nginx curl java; do
  command -v "$tool" >/dev/null \
    || { echo "bench/httpenv-start.sh: $tool is missing (apt-get install -y nginx-light curl)" >&2; exit 1; }
done
NGINX=$(command -v nginx)
JAR=httpenv/target/quarkus-app/quarkus-run.jar
[ -f "$JAR" ] || ./mvnw -q -pl httpenv -am package -DskipTests
JVM_OPTS=httpenv/src/main/jvm/jvm.options

work=$(mktemp -d /tmp/httpenv-start.XXXXXX)
chmod 755 "$work" # the nginx worker runs unprivileged and must read the body file
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for p in "$HTTPENV_PORT" "$MGMT_PORT" "$NGINX_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "bench/httpenv-start.sh: port $p is already in use (set HTTPENV_PORT/MGMT_PORT/NGINX_PORT)" >&2; exit 1
  fi
done

mkdir -p "$work/www"
printf '{"HOSTNAME":"httpenv-bench"}' >"$work/www/env"
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $work/www;
    default_type "text/plain; charset=utf-8";
    location / { try_files /env =404; }
  }
}
NGINX

now_ns() { date +%s%N; }

# Starts $1 (httpenv or nginx) in the background; sets PID and PORT.
start() {
  if [ "$1" = httpenv ]; then
    "${SERVER[@]}" env -i HOSTNAME=httpenv-bench PATH="$ENV_PATH" "$(command -v java)" @"$JVM_OPTS" \
      -Dhttpenv.port="$HTTPENV_PORT" -Dhttpenv.host=127.0.0.1 -Dhttpenv.instances=1 \
      -Dquarkus.management.port="$MGMT_PORT" -Dquarkus.management.host=127.0.0.1 \
      -jar "$JAR" >"$work/httpenv.out" 2>"$work/httpenv.err" &
    PORT=$HTTPENV_PORT
  else
    "${SERVER[@]}" "$NGINX" -c "$work/nginx.conf" 2>"$work/nginx.err" &
    PORT=$NGINX_PORT
  fi
  PID=$!
}

# One start and stop of $1: prints "first_200_ms exit_ms port_free(1|0)".
cycle() {
  local t0 t1 t2 i ok=0 free=1
  t0=$(now_ns)
  start "$1"
  for i in $(seq 1 4000); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/" 2>/dev/null)" = 200 ]; then ok=1; break; fi
    kill -0 "$PID" 2>/dev/null || { echo "$1 exited before answering" >&2; cat "$work/$1.err" >&2; return 1; }
    sleep 0.005
  done
  t1=$(now_ns)
  [ "$ok" = 1 ] || { echo "$1 did not answer within 20 s" >&2; return 1; }
  kill -TERM "$PID"
  for i in $(seq 1 30000); do kill -0 "$PID" 2>/dev/null || break; sleep 0.001; done
  t2=$(now_ns)
  kill -0 "$PID" 2>/dev/null && { echo "$1 still running 30 s after SIGTERM" >&2; return 1; }
  wait "$PID" 2>/dev/null || true
  PID=
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then free=0; fi
  echo "$(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 )) $free"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
maxof() { sort -g | tail -1; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs, shared)"
declare -A R
for i in $(seq 1 "$STARTS"); do
  if (( i % 2 )); then order="httpenv nginx"; else order="nginx httpenv"; fi
  for who in $order; do
    r=$(cycle "$who")
    R[$who]+="$r"$'\n'
    printf '   start %2d %-8s first 200 %5s ms, exit %5s ms after SIGTERM, port free: %s\n' "$i" "$who" $r
  done
done
col() { printf '%s' "${R[$1]}" | awk -v c="$2" 'NF {print $c}'; }
echo
echo "== $STARTS starts each (median / max)"
for who in httpenv nginx; do
  printf '%-8s exec -> first 200: %6s / %6s ms   SIGTERM -> exit: %5s / %5s ms   port free after exit: %s of %s\n' \
    "$who" "$(col "$who" 1 | median)" "$(col "$who" 1 | maxof)" "$(col "$who" 2 | median)" "$(col "$who" 2 | maxof)" \
    "$(col "$who" 3 | awk '{s+=$1} END {print s}')" "$STARTS"
done
echo "targets (httpenv): exec -> first 200 <= 1500 ms; SIGTERM -> exit <= 5000 ms; port free after every exit"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
