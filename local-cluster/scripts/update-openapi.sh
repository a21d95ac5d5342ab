#!/usr/bin/env bash
# Copies the OpenAPI v3 documents of the group versions the local cluster serves, as kube-apiserver serves them,
# from the published k8s.io/kubernetes Go module (api/openapi-spec/v3), gzipped, into the resources that back
# `kubectl explain`. Run it when the Kubernetes release the local cluster claims changes (ApiServer.GIT_VERSION).
# Needs Go and the Go module proxy; the result is committed, so a build needs neither.
set -euo pipefail
release=${1:-v1.32.4}
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/src/main/resources/io/kexpose/cluster/api/openapi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
dir=$(go mod download -json "k8s.io/kubernetes@$release" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
mkdir -p "$out"
rm -f "$out"/*.json.gz
for f in api__v1 apis__apps__v1 apis__discovery.k8s.io__v1 apis__coordination.k8s.io__v1 \
    apis__authentication.k8s.io__v1 apis__authorization.k8s.io__v1 apis__events.k8s.io__v1; do
  gzip -9 -n -c "$dir/api/openapi-spec/v3/${f}_openapi.json" > "$out/$f.json.gz"
done
echo "$release" > "$out/RELEASE"
ls -la "$out"
