#!/usr/bin/env bash
# Loads kexpose's images into a kind cluster (nodes have no registry access to them: imagePullPolicy IfNotPresent).
#
#   k8s-manifests/scripts/load-kind.sh [--build] [--native] [--name CLUSTER]
#
#   --build        run build-images.sh first (./mvnw package + docker build); without it, images missing from the
#                  local Docker are built, the others loaded as they are
#   --native       with a build: native images (see build-images.sh)
#   --name NAME    the kind cluster (default: kexpose, the name in k8s-manifests/kind/cluster.yaml)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=images.sh
. k8s-manifests/scripts/images.sh

build=0 name=kexpose build_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=1; shift ;;
    --native) build_args+=(--native); shift ;;
    --name) name=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "load-kind.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
# kind loads images from Docker's store: build there too, even where podman is installed
export DOCKER=${DOCKER:-docker}
docker=$DOCKER

missing=()
for m in "${KEXPOSE_MODULES[@]}"; do
  "$docker" image inspect "$(image_of "$m")" >/dev/null 2>&1 || missing+=("$m")
done
if [ "$build" = 1 ]; then
  k8s-manifests/scripts/build-images.sh "${build_args[@]}"
elif [ ${#missing[@]} -gt 0 ]; then
  k8s-manifests/scripts/build-images.sh "${build_args[@]}" "${missing[@]}"
fi

images=()
for m in "${KEXPOSE_MODULES[@]}"; do
  images+=("$(image_of "$m")")
done
echo "load-kind.sh: kind load docker-image --name $name ${images[*]}" >&2
kind load docker-image --name "$name" "${images[@]}"
