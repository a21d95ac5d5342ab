#!/usr/bin/env bash
# kexpose's container images beside the images they replace, side by side in one run: size, and time from
# `podman run` to ready.
#
#   bench/images.sh                 # RUNS=5 starts of each image, interleaved
#   RUNS=9 bench/images.sh
#
# Images: kexpose's four, as k8s-manifests/scripts/build-images.sh --local-base builds them (run it first). Peers,
# built here from the originals at their pinned releases (bench/originals/build.sh: CoreDNS v1.12.1, kube-proxy
# v1.32.4) the way their projects package them: CoreDNS's binary alone on an empty base as nonroot (upstream: on
# distroless/static, which adds CA certificates and time zones), kube-proxy's on a Debian base with iptables,
# nftables and conntrack (upstream: distroless-iptables) made by debian-rootfs.sh.
#
# Size: podman's (uncompressed) and `podman save | gzip -6` (about what a registry transfers).
# Start: from `podman run` to the readiness endpoint's first 200, each container under its manifest's security
# context, with a pod's in-cluster configuration (a token from `kubectl create token`, the CA, KUBERNETES_SERVICE_*)
# against a fresh local cluster of its own (state in a temporary directory; none may be running: the nodes' addresses
# are the same), stopped at the end.
#   httpenv          GET / on 8888 answers (in a network namespace of its own: --network none, curl via nsenter)
#   dns / CoreDNS    /ready (8181) answers 200: both serve only once their caches of the API are synced
#   service-proxy    /healthz (10256) answers 200: after its first sync
#   cloud-lb-mock    /readyz (10258) answers 200
# kube-proxy's start is not measured: on the host network it would rewrite this machine's nftables.
# Needs root, podman, curl, nsenter, kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
# shellcheck source=../k8s-manifests/scripts/images.sh
. k8s-manifests/scripts/images.sh
docker=$(container_tool)
for tool in curl nsenter kubectl; do
  command -v "$tool" >/dev/null || { echo "bench/images.sh: $tool is missing" >&2; exit 1; }
done
for m in "${KEXPOSE_MODULES[@]}"; do
  "$docker" image inspect "$(image_of "$m")" >/dev/null 2>&1 \
    || { echo "bench/images.sh: $(image_of "$m") is missing: k8s-manifests/scripts/build-images.sh --local-base" >&2; exit 1; }
done
originals=$(bash bench/originals/build.sh coredns kube-proxy | tail -1)

work=$(mktemp -d)
started_cluster=0
cleanup() {
  "$docker" rm -f -t 0 bench-img >/dev/null 2>&1 || true
  [ "$started_cluster" = 0 ] || KEXPOSE_STATE="$work/cluster" ./kexpose down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# ---- the peers' images ------------------------------------------------------------------------------------------
mkdir -p "$work/coredns" "$work/kube-proxy"
cp "$originals/coredns" "$work/coredns/coredns"
printf 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$work/coredns/passwd"
cat > "$work/coredns/Containerfile" <<'EOF'
FROM scratch
COPY passwd /etc/passwd
COPY coredns /coredns
USER 65532:65532
ENTRYPOINT ["/coredns"]
EOF
"$docker" build -q -t kexpose-peer/coredns:v1.12.1 "$work/coredns" >/dev/null
k8s-manifests/scripts/debian-rootfs.sh "$work/kube-proxy/rootfs.tar" base-files netbase libc6 iptables nftables \
  conntrack libbsd0 libedit2 libgmp10 libjansson4 libmd0 libmnl0 libnetfilter-conntrack3 libnfnetlink0 \
  libnftables1 libnftnl11 libtinfo6 libxtables12
cp "$originals/kube-proxy" "$work/kube-proxy/kube-proxy"
cat > "$work/kube-proxy/Containerfile" <<'EOF'
FROM scratch
ADD rootfs.tar /
COPY kube-proxy /usr/local/bin/kube-proxy
ENTRYPOINT ["/usr/local/bin/kube-proxy"]
EOF
"$docker" build -q -t kexpose-peer/kube-proxy:v1.32.4 "$work/kube-proxy" >/dev/null

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000000 }'; }
size_row() { # name image replaces
  local raw gz
  raw=$("$docker" image inspect --format '{{.Size}}' "$2")
  gz=$("$docker" save --format docker-archive "$2" 2>/dev/null | gzip -6 | wc -c)
  echo "| $1 | \`$2\` | $(mb "$raw") | $(mb "$gz") | $3 |"
}

echo "## Sizes (MB, 10^6 bytes)"
echo
echo "| component | image | podman size | podman save, gzip -6 | peer |"
echo "|---|---|---|---|---|"
size_row httpenv "$(image_of httpenv)" "jpetazzo/httpenv"
size_row service-proxy "$(image_of service-proxy)" "kube-proxy"
size_row kube-proxy kexpose-peer/kube-proxy:v1.32.4 ""
size_row dns "$(image_of dns)" "CoreDNS"
size_row CoreDNS kexpose-peer/coredns:v1.12.1 ""
size_row cloud-lb-mock "$(image_of cloud-lb-mock)" "cloud-provider-kind (not built here)"
echo

# ---- a cluster to start against ----------------------------------------------------------------------------------
if ./kexpose status >/dev/null 2>&1; then
  echo "bench/images.sh: a local cluster is running; ./kexpose down first (this one uses the same node addresses)" >&2
  exit 1
fi
started_cluster=1
KEXPOSE_STATE="$work/cluster" ./kexpose up -d >/dev/null
export KUBECONFIG=$work/cluster/kubeconfig
api=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
api_host=$(echo "$api" | sed -E 's#https://([^:/]+):([0-9]+).*#\1#')
api_port=$(echo "$api" | sed -E 's#https://([^:/]+):([0-9]+).*#\2#')
# ServiceAccount files for each component, as a pod's kubelet mounts them (readable by any user)
for sa in kexpose-dns service-proxy cloud-lb-mock; do
  mkdir -p "$work/sa-$sa"
  kubectl -n kube-system create token "$sa" --duration 2h > "$work/sa-$sa/token"
  kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' \
    | base64 -d > "$work/sa-$sa/ca.crt"
  echo -n kube-system > "$work/sa-$sa/namespace"
  chmod 755 "$work/sa-$sa"; chmod 644 "$work/sa-$sa"/*
done
POD=127.244.250.1   # an address no node of the local cluster hands out
cat > "$work/Corefile" <<EOF
.:1053 {
    bind $POD
    kubernetes cluster.local in-addr.arpa ip6.arpa
    ready $POD:8181
    health $POD:8080
}
EOF
chmod 644 "$work/Corefile"
secure=(--read-only --read-only-tmpfs=false --security-opt no-new-privileges --cap-drop ALL
  --tmpfs /tmp:rw,exec,nosuid,nodev,mode=1777,size=16777216)
in_cluster() { # sa
  echo --network host --volume "$work/sa-$1:/var/run/secrets/kubernetes.io/serviceaccount:ro" \
    --env "KUBERNETES_SERVICE_HOST=$api_host" --env "KUBERNETES_SERVICE_PORT=$api_port"
}

# start NAME URL|nsenter ARGS...: seconds from `podman run -d` to the first 200 of URL (at most 60 s)
start() {
  local url=$1; shift
  "$docker" rm -f -t 0 bench-img >/dev/null 2>&1 || true
  local t0 t1 pid
  t0=$(date +%s%N)
  "$docker" run -d --name bench-img --pull never "$@" >/dev/null
  for _ in $(seq 1 3000); do
    if [ "$url" = nsenter ]; then
      pid=$("$docker" inspect --format '{{.State.Pid}}' bench-img)
      nsenter --target "$pid" --net curl -fs -o /dev/null --max-time 1 http://127.0.0.1:8888/ 2>/dev/null && break
    else
      curl -fs -o /dev/null --max-time 1 "$url" 2>/dev/null && break
    fi
    sleep 0.02
  done
  t1=$(date +%s%N)
  curl -fs -o /dev/null --max-time 1 "$url" 2>/dev/null || [ "$url" = nsenter ] \
    || { echo "bench/images.sh: $* did not become ready:" >&2; "$docker" logs bench-img 2>&1 | tail -5 >&2; exit 1; }
  "$docker" rm -f -t 0 bench-img >/dev/null
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'
}

declare -A runs
# shellcheck disable=SC2046
for round in $(seq 1 "$RUNS"); do
  runs[httpenv]+="$(start nsenter --network none --user 65534:65534 "${secure[@]}" "$(image_of httpenv)") "
  runs[dns]+="$(start "http://$POD:8181/ready" $(in_cluster kexpose-dns) --user 65532:65532 "${secure[@]}" \
    --env "JDK_JAVA_OPTIONS=-Ddns.bind-address=$POD -Ddns.management-address=$POD -Ddns.dns-port=1053 -Ddns.pod-ip=$POD -Xmx96m -XX:+UseSerialGC -XX:-UsePerfData" \
    "$(image_of dns)") "
  runs[CoreDNS]+="$(start "http://$POD:8181/ready" $(in_cluster kexpose-dns) --user 65532:65532 "${secure[@]}" \
    --volume "$work/Corefile:/Corefile:ro" kexpose-peer/coredns:v1.12.1 -conf /Corefile) "
  runs[service-proxy]+="$(start "http://127.1.0.9:10256/healthz" $(in_cluster service-proxy) --user 0 "${secure[@]}" \
    --cap-add NET_ADMIN --cap-add NET_BIND_SERVICE \
    --env "JDK_JAVA_OPTIONS=-Dservice-proxy.node-name=node-9 -Dservice-proxy.healthz-bind-address=127.1.0.9:10256 -Dservice-proxy.metrics-bind-address=127.1.0.9:10249 -Dservice-proxy.cluster-cidrs=127.244.0.0/16 -Xmx256m -XX:+UseSerialGC -XX:-UsePerfData" \
    "$(image_of service-proxy)") "
  runs[cloud-lb-mock]+="$(start "http://$POD:10258/readyz" $(in_cluster cloud-lb-mock) --user 185 "${secure[@]}" \
    --env "JDK_JAVA_OPTIONS=-Dlbmock.pools.bench.addresses=127.201.0.0/24 -Dlbmock.management-address=$POD:10258 -Xmx128m -XX:+UseSerialGC -XX:-UsePerfData" \
    "$(image_of cloud-lb-mock)") "
  echo "round $round/$RUNS done" >&2
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "## From podman run to ready (s), $RUNS starts each, interleaved"
echo
echo "| image | median | every run |"
echo "|---|---|---|"
for name in httpenv dns CoreDNS service-proxy cloud-lb-mock; do
  echo "| $name | $(echo "${runs[$name]}" | median) | ${runs[$name]% } |"
done
