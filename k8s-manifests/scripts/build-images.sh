#!/usr/bin/env bash
# Builds kexpose's container images: httpenv, service-proxy, dns, cloud-lb-mock.
#
#   k8s-manifests/scripts/build-images.sh [--native] [--skip-maven] [MODULE...]
#
#   (default)      JVM images: ./mvnw package, then docker build -f <module>/src/main/docker/Dockerfile.jvm
#   --native       native executables (./mvnw package -Dnative; the Mandrel builder runs in a container, so only
#                  Docker is needed), then Dockerfile.native. Same image names: the JVM images are the fallback.
#   --skip-maven   use what target/ already holds
#   MODULE...      only these modules (default: all four)
#
# Image names come from kexpose.image in each module's application.properties (kexpose/<module>:0.1.0), the names
# k8s-manifests deploys. DOCKER=podman works too.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=images.sh
. k8s-manifests/scripts/images.sh

native=0 maven=1 modules=()
while [ $# -gt 0 ]; do
  case "$1" in
    --native) native=1; shift ;;
    --skip-maven) maven=0; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-images.sh: unknown option $1" >&2; exit 2 ;;
    *) modules+=("$1"); shift ;;
  esac
done
[ ${#modules[@]} -gt 0 ] || modules=("${KEXPOSE_MODULES[@]}")
docker=${DOCKER:-docker}

if [ "$maven" = 1 ]; then
  list=$(IFS=,; echo "${modules[*]}")
  if [ "$native" = 1 ]; then
    echo "build-images.sh: ./mvnw -pl $list -am package -Dnative -DskipTests" >&2
    ./mvnw -B -ntp -pl "$list" -am package -Dnative -DskipTests
  else
    echo "build-images.sh: ./mvnw -pl $list -am package -DskipTests" >&2
    ./mvnw -B -ntp -pl "$list" -am package -DskipTests
  fi
fi

dockerfile=Dockerfile.jvm
[ "$native" = 1 ] && dockerfile=Dockerfile.native
for m in "${modules[@]}"; do
  image=$(image_of "$m")
  echo "build-images.sh: $image from $m/src/main/docker/$dockerfile" >&2
  "$docker" build -f "$m/src/main/docker/$dockerfile" -t "$image" "$m"
done
