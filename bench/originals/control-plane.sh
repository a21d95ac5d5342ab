# A real control plane for the benchmarks that compare kexpose with the originals on the same API: etcd and
# kube-apiserver (Kubernetes v1.32.4, bench/originals/build.sh), a CA made with openssl for the run, an admin client
# certificate (system:masters). No controller manager: the benchmarks write their EndpointSlices themselves.
# Sourced, not run:
#
#   . bench/originals/control-plane.sh
#   cp_start DIR [BIND_ADDRESS [SERVICE_CIDR]]   # writes DIR/admin.kubeconfig; returns when /readyz is ok
#   cp_stop                                      # (also on the caller's EXIT trap)
#
# CP_CPUS (default 1) pins etcd and kube-apiserver, so they stay off the CPU a benchmark gives the server it measures.

cp_pids=()

cp_start() {
  local dir=$1 bind=${2:-127.0.0.1} cidr=${3:-10.96.0.0/12}
  local bin
  bin=$(bash "$(dirname "${BASH_SOURCE[0]}")/build.sh" etcd kube-apiserver)
  mkdir -p "$dir/etcd"
  (
    cd "$dir"
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key
    openssl req -x509 -new -key ca.key -subj /CN=bench-ca -days 2 -out ca.crt
    printf 'subjectAltName=IP:%s,IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' "$bind" >server.ext
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl ecparam -name prime256v1 -genkey -noout -out server.key
    openssl req -new -key server.key -subj /CN=kube-apiserver -out server.csr
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext \
      -out server.crt
    openssl ecparam -name prime256v1 -genkey -noout -out admin.key
    openssl req -new -key admin.key -subj "/O=system:masters/CN=bench-admin" -out admin.csr
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile client.ext \
      -out admin.crt
    openssl ecparam -name prime256v1 -genkey -noout -out sa.key
  ) >/dev/null 2>&1
  local port etcd_port peer_port
  read -r port etcd_port peer_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
  taskset -c "${CP_CPUS:-1}" "$bin/etcd" --data-dir "$dir/etcd" --unsafe-no-fsync --log-level warn \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "default=http://127.0.0.1:$peer_port" >"$dir/etcd.log" 2>&1 &
  cp_pids+=($!)
  disown $! # cp_stop ends it; the shell need not report how
  taskset -c "${CP_CPUS:-1}" "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address "$bind" --secure-port "$port" --advertise-address 192.0.2.1 --cert-dir "$dir/certs" \
    --tls-cert-file "$dir/server.crt" --tls-private-key-file "$dir/server.key" --client-ca-file "$dir/ca.crt" \
    --service-account-key-file "$dir/sa.key" --service-account-signing-key-file "$dir/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local --service-cluster-ip-range "$cidr" \
    --authorization-mode Node,RBAC --enable-priority-and-fairness=false >"$dir/kube-apiserver.log" 2>&1 &
  cp_pids+=($!)
  disown $!
  cat >"$dir/admin.kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: bench
  cluster:
    server: https://$bind:$port
    certificate-authority: $dir/ca.crt
users:
- name: admin
  user:
    client-certificate: $dir/admin.crt
    client-key: $dir/admin.key
contexts:
- name: bench
  context: {cluster: bench, user: admin}
current-context: bench
KUBECONFIG
  local i
  for i in $(seq 1 600); do
    curl -sf --cacert "$dir/ca.crt" --cert "$dir/admin.crt" --key "$dir/admin.key" \
      "https://$bind:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "control plane: kube-apiserver not ready in 60 s; see $dir/kube-apiserver.log" >&2
  return 1
}

cp_stop() {
  local pid
  for pid in "${cp_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${cp_pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  cp_pids=()
}
