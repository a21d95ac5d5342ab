# Sourced by build-images.sh and load-kind.sh: the components and the image each is deployed as, read from the
# kexpose.image key of the module's application.properties (the same name k8s-manifests' manifests use; the
# manifest test checks that they agree).
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
