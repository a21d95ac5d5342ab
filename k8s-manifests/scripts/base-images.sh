#!/usr/bin/env bash
# Makes the base images kexpose's container files build on, from Debian's packages, for machines that cannot pull
# from a registry (the container files' default bases, eclipse-temurin, are for machines that can).
#
#   k8s-manifests/scripts/base-images.sh [--rebuild]
#
#   kexpose/base-jre:local   Debian bookworm's libc6, libgcc-s1, libstdc++6, zlib1g, base-files and netbase, and a
#                            Java 17 runtime jlinked from the build's JDK into /opt/java/openjdk (where the temurin
#                            images have it). No shell, no package manager: what a JVM application needs.
#   kexpose/base-net:local   the same plus iproute2, nftables and busybox's sh, sed and tr: service-proxy adds
#                            addresses and keeps nftables rules, and cloud-lb-mock's init container runs a script.
#
# The file systems come from debian-rootfs.sh (the packages' files, users root, 185, 65532 and 65534). Each image is checked by running what it is for (java -version; ip, nft, sh) before the script
# says it is ready. An image made from the same scripts and JDK is kept (label io.kexpose.base-key); --rebuild makes
# both again (to take Debian's latest security updates, say).
#
# Environment: DOCKER (podman or docker; default: whichever the machine has), DEBIAN_MIRROR, JAVA_HOME (a JDK 17
# with jmods; default: the one java on PATH belongs to), KEXPOSE_CACHE (default ~/.cache/kexpose).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=images.sh
. "$here/images.sh"
docker=$(container_tool)

jre_packages=(libc6 libgcc-s1 libstdc++6 zlib1g base-files netbase)
# ip's and nft's libraries (ldd), named: iproute2's other programs (tc, arpd, rdma...) would bring more
net_packages=(iproute2 nftables busybox libbpf1 libbsd0 libcap2 libedit2 libelf1 libgmp10 libjansson4 libmd0
  libmnl0 libnftables1 libnftnl11 libtinfo6 libxtables12)
# The modules kexpose's Quarkus applications use (jdeps over their jars, plus what they load by name: jdk.zipfs
# for Quarkus's jar file system, jdk.crypto.ec for TLS to the API server, jdk.management for its JVM metrics).
jre_modules=java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.crypto.ec,jdk.unsupported,jdk.management,jdk.zipfs

rebuild=0
case "${1:-}" in
  --rebuild) rebuild=1 ;;
  "") ;;
  *) echo "base-images.sh: unknown option $1" >&2; exit 2 ;;
esac

java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
if [ ! -x "$java_home/bin/jlink" ] || [ ! -f "$java_home/jmods/java.base.jmod" ]; then
  echo "base-images.sh: $java_home is not a JDK with jmods (Debian: openjdk-17-jdk-headless); set JAVA_HOME" >&2
  exit 2
fi
if ! "$java_home/bin/java" -version 2>&1 | grep -q 'version "17'; then
  echo "base-images.sh: $java_home is not Java 17, the version kexpose targets; set JAVA_HOME" >&2
  exit 2
fi

# What the images are made of: these scripts (packages, modules, files) and the JDK.
base_key=$( { cat "$0" "$here/debian-rootfs.sh"; "$java_home/bin/java" -version 2>&1; } | sha256sum | cut -c1-16)
current() {
  [ "$("$docker" image inspect --format '{{index .Config.Labels "io.kexpose.base-key"}}' "$1" 2>/dev/null)" \
    = "$base_key" ]
}
if [ "$rebuild" = 0 ] && current kexpose/base-jre:local && current kexpose/base-net:local; then
  echo "base-images.sh: kexpose/base-jre:local and kexpose/base-net:local are current" >&2
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "base-images.sh: jlink --add-modules $jre_modules ($java_home)" >&2
"$java_home/bin/jlink" --add-modules "$jre_modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$work/jre"

# image NAME CHECK... < ROOTFS.tar: imports the file system with the JRE added as NAME (no ENV, no USER, no CMD:
# the container files set what they need; one LABEL, the key), then runs each CHECK command in it.
image() {
  local name=$1 old check; shift
  mkdir "$work/root"
  tar -C "$work/root" -xf -
  mkdir -p "$work/root/opt/java"
  cp -a "$work/jre" "$work/root/opt/java/openjdk"
  old=$("$docker" image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)
  tar -C "$work/root" -cf - . | "$docker" import -q --change "LABEL io.kexpose.base-key=$base_key" - "$name" \
    >/dev/null
  # the image it replaces, unless a kexpose image still builds on it
  [ -z "$old" ] || "$docker" rmi "$old" >/dev/null 2>&1 || true
  for check in "$@"; do
    # shellcheck disable=SC2086
    if ! out=$(run_container --rm --network none "$name" $check 2>&1); then
      echo "base-images.sh: $name cannot run '$check':" >&2
      echo "$out" >&2
      exit 1
    fi
  done
  echo "base-images.sh: $name ($(du -sh "$work/root" | cut -f1))" >&2
  rm -rf "$work/root"
}

"$here/debian-rootfs.sh" "$work/jre.tar" "${jre_packages[@]}"
image kexpose/base-jre:local "/opt/java/openjdk/bin/java -version" < "$work/jre.tar"

"$here/debian-rootfs.sh" "$work/net.tar" "${jre_packages[@]}" "${net_packages[@]}"
mkdir "$work/net"
tar -C "$work/net" -xf "$work/net.tar"
for applet in sh sed tr; do
  ln -sf /usr/bin/busybox "$work/net/usr/bin/$applet"
done
tar -C "$work/net" -cf - . | image kexpose/base-net:local "/opt/java/openjdk/bin/java -version" "/usr/bin/ip -V" \
  "/usr/sbin/nft --version" "/bin/sh -c true"
