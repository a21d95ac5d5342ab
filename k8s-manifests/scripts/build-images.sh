#!/usr/bin/env bash
# Builds kexpose's container images: httpenv, service-proxy, dns, cloud-lb-mock.
#
#   k8s-manifests/scripts/build-images.sh [--local-base] [--native] [--skip-maven] [MODULE...]
#
#   (default)      JVM images: ./mvnw package, then <tool> build -f <module>/src/main/docker/Dockerfile.jvm, on the
#                  base image the container file names (eclipse-temurin, from a registry)
#   --local-base   on base images made here from Debian's packages instead (base-images.sh: a jlinked Java 17
#                  runtime on glibc, iproute2 and nftables for service-proxy): for machines without a registry
#   --native       native executables (./mvnw package -Dnative; the Mandrel builder runs in a container, so only
#                  Docker is needed), then Dockerfile.native. Same image names: the JVM images are the fallback.
#   --skip-maven   use what target/ already holds
#   MODULE...      only these modules (default: all four)
#
# Image names come from kexpose.image in each module's application.properties (kexpose/<module>:0.1.0), the names
# k8s-manifests deploys. The tool is podman or docker, whichever the machine has (DOCKER=... chooses).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=images.sh
. k8s-manifests/scripts/images.sh

native=0 maven=1 local_base=0 modules=()
while [ $# -gt 0 ]; do
  case "$1" in
    --native) native=1; shift ;;
    --skip-maven) maven=0; shift ;;
    --local-base) local_base=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-images.sh: unknown option $1" >&2; exit 2 ;;
    *) modules+=("$1"); shift ;;
  esac
done
[ ${#modules[@]} -gt 0 ] || modules=("${KEXPOSE_MODULES[@]}")
docker=$(container_tool)
if [ "$local_base" = 1 ] && [ "$native" = 1 ]; then
  echo "build-images.sh: --local-base is for the JVM images (the native ones need a registry's builder)" >&2
  exit 2
fi

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

[ "$local_base" = 1 ] && k8s-manifests/scripts/base-images.sh

dockerfile=Dockerfile.jvm
[ "$native" = 1 ] && dockerfile=Dockerfile.native
for m in "${modules[@]}"; do
  image=$(image_of "$m")
  args=()
  [ "$local_base" = 1 ] && args=(--build-arg "BASE_IMAGE=$(local_base_of "$m")")
  echo "build-images.sh: $image from $m/src/main/docker/$dockerfile ${args[*]}" >&2
  old=$("$docker" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  "$docker" build -q -f "$m/src/main/docker/$dockerfile" "${args[@]}" -t "$image" "$m" >/dev/null
  # the build it replaces, unless a container still runs it
  [ -z "$old" ] || [ "$old" = "$("$docker" image inspect --format '{{.Id}}' "$image")" ] \
    || "$docker" rmi "$old" >/dev/null 2>&1 || true
done
