#!/usr/bin/env bash
# Builds the originals kexpose is measured against, from their published Go modules at the releases pinned in
# kubernetes/go.mod and coredns/go.mod, into a cache outside the repository, reusing what is already built there:
#   etcd, kube-apiserver, kube-controller-manager, kube-proxy (Kubernetes v1.32.4, etcd server v3.5.16: the one that
#   release's own integration tests run) and coredns (v1.12.1, its default plugins).
# Needs Go (1.23+) and the Go module proxy; binaries are never committed.
#
#   bench/originals/build.sh            # all five; prints the directory that holds the binaries
#   bench/originals/build.sh etcd kube-apiserver kube-controller-manager   # only these (what the e2e tests run)
#   KEXPOSE_ORIGINALS=/some/dir bench/originals/build.sh
#
# A cold build on this 2-core machine: see "Cold build" in bench/originals/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
k8s=v1.32.4
etcd=v3.5.16
coredns=v1.12.1
out=${KEXPOSE_ORIGINALS:-$HOME/.cache/kexpose/originals/k8s-$k8s-etcd-$etcd-coredns-$coredns}
mkdir -p "$out"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
version="-X k8s.io/component-base/version.gitVersion=$k8s -X k8s.io/component-base/version.gitMajor=1"
version="$version -X k8s.io/component-base/version.gitMinor=32 -X k8s.io/component-base/version.gitTreeState=clean"
version="$version -X k8s.io/client-go/pkg/version.gitVersion=$k8s"

wanted=" ${*:-etcd kube-apiserver kube-controller-manager kube-proxy coredns} "
for name in $wanted; do
  case $name in
    etcd | kube-apiserver | kube-controller-manager | kube-proxy | coredns) ;;
    *) echo "build.sh: no original named $name (etcd, kube-apiserver, kube-controller-manager, kube-proxy, coredns)" >&2
       exit 2 ;;
  esac
done

build() { # name module-dir package [ldflags]
  local name=$1 dir=$2 pkg=$3 flags=${4:-}
  case $wanted in *" $name "*) ;; *) return ;; esac
  if [ -x "$out/$name" ]; then
    echo "$name: cached" >&2
    return
  fi
  command -v go >/dev/null 2>&1 || { echo "build.sh: $name is not built and needs Go 1.23 or newer on PATH" >&2; exit 3; }
  local start
  start=$(date +%s)
  (cd "$here/$dir" && go build -trimpath -ldflags "-s -w $flags" -o "$out/$name.partial" "$pkg")
  mv "$out/$name.partial" "$out/$name"
  echo "$name: built in $(( $(date +%s) - start )) s" >&2
}

build etcd kubernetes ./cmd/etcd
build kube-apiserver kubernetes k8s.io/kubernetes/cmd/kube-apiserver "$version"
build kube-controller-manager kubernetes k8s.io/kubernetes/cmd/kube-controller-manager "$version"
build kube-proxy kubernetes k8s.io/kubernetes/cmd/kube-proxy "$version"
build coredns coredns .
echo "$out"
