# Sourced by the scripts beside it: the components and the image each is deployed as, read from the kexpose.image key
# of the module's application.properties (the same name k8s-manifests' manifests use; the manifest test checks that
# they agree), and the container tool.
KEXPOSE_MODULES=(httpenv service-proxy dns cloud-lb-mock)

# image_of MODULE: prints the image name and tag, e.g. kexpose/dns:0.1.0
image_of() {
  local image
  image=$(sed -n 's/^kexpose\.image=//p' "$1/src/main/resources/application.properties")
  if [ -z "$image" ]; then
    echo "no kexpose.image in $1/src/main/resources/application.properties" >&2
    return 1
  fi
  echo "$image"
}

# local_base_of MODULE: the base image base-images.sh makes for it (service-proxy's has iproute2 and nftables).
local_base_of() {
  case "$1" in
    service-proxy) echo kexpose/base-net:local ;;
    *) echo kexpose/base-jre:local ;;
  esac
}

# container_tool: prints the tool that builds and runs images: $DOCKER if set, else podman or docker, whichever the
# machine has (podman first: it needs no daemon).
container_tool() {
  local tool=${DOCKER:-}
  if [ -z "$tool" ]; then
    if command -v podman >/dev/null; then tool=podman
    elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then tool=docker
    else
      echo "neither podman nor a running Docker engine (apt-get install podman runc)" >&2
      return 1
    fi
  fi
  echo "$tool"
}

# podman's settings for these scripts (Docker ignores the variable).
if [ -z "${CONTAINERS_CONF:-}" ]; then
  export CONTAINERS_CONF
  CONTAINERS_CONF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf
fi

# run_container ARG...: $docker run ARG... (for checks; the caller set docker=$(container_tool)).
run_container() {
  "$docker" run "$@"
}
