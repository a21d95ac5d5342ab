#!/usr/bin/env bash
# Makes the base images kexpose's container files build on, from Debian's packages, for machines that cannot pull
# from a registry (the container files' default bases, eclipse-temurin, are for machines that can).
#
#   k8s-manifests/scripts/base-images.sh [--rebuild]
#
#   kexpose/base-jre:local   the files of Debian bookworm's libc6, libgcc-s1, libstdc++6, zlib1g, base-files and
#                            netbase, users root, 185, 65532 (nonroot) and 65534 (nobody), and a Java 17 runtime
#                            jlinked from the build's JDK into /opt/java/openjdk (where the temurin images have it).
#                            No shell, no package manager: what a JVM application needs and nothing else.
#   kexpose/base-net:local   the same plus iproute2, nftables and busybox's sh, sed and tr: service-proxy adds
#                            addresses and keeps nftables rules, and cloud-lb-mock's init container runs a script.
#
# The packages come from debootstrap (the Debian mirror apt uses), cached in ~/.cache/kexpose/images by package set;
# then only the files those packages list are copied (no docs, man pages, locales or gconv modules). Each image is
# checked by running what it is for (java -version; ip, nft, sh) before the script says it is ready. An image made
# from the same script, packages and JDK is kept (label io.kexpose.base-key); --rebuild makes both again (to take
# Debian's latest security updates, say). nobody's home is / as in alpine, the base of the image httpenv replaces.
#
# Environment: DOCKER (podman or docker; default: whichever the machine has), DEBIAN_MIRROR, JAVA_HOME (a JDK 17
# with jmods; default: the one java on PATH belongs to), KEXPOSE_CACHE (default ~/.cache/kexpose).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=images.sh
. "$root/k8s-manifests/scripts/images.sh"
docker=$(container_tool)

suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${KEXPOSE_CACHE:-$HOME/.cache/kexpose}/images
jre_packages=(libc6 libgcc-s1 libstdc++6 zlib1g base-files netbase)
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

for tool in debootstrap tar; do
  command -v "$tool" >/dev/null || { echo "base-images.sh: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
if [ ! -x "$java_home/bin/jlink" ] || [ ! -f "$java_home/jmods/java.base.jmod" ]; then
  echo "base-images.sh: $java_home is not a JDK with jmods (Debian: openjdk-17-jdk-headless); set JAVA_HOME" >&2
  exit 2
fi
if ! "$java_home/bin/java" -version 2>&1 | grep -q 'version "17'; then
  echo "base-images.sh: $java_home is not Java 17, the version kexpose targets; set JAVA_HOME" >&2
  exit 2
fi

# What the images are made of: this script (packages, modules, files), the suite and the JDK.
base_key=$( { cat "$0"; echo "$suite"; "$java_home/bin/java" -version 2>&1; } | sha256sum | cut -c1-16)
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
mkdir -p "$cache"

# The build root: a minbase Debian with every package either image takes, kept as a tarball.
all=("${jre_packages[@]}" "${net_packages[@]}")
key=$(printf '%s\n' "$suite" "${all[@]}" | sha256sum | cut -c1-12)
buildroot_tar="$cache/debootstrap-$suite-$key.tar"
if [ ! -f "$buildroot_tar" ]; then
  echo "base-images.sh: debootstrap --variant=minbase $suite ($mirror)" >&2
  debootstrap --variant=minbase --include="$(IFS=,; echo "${all[*]}")" "$suite" "$work/buildroot" "$mirror" \
    > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$work/buildroot" -cf "$buildroot_tar.tmp" . && mv "$buildroot_tar.tmp" "$buildroot_tar"
else
  mkdir -p "$work/buildroot"
  tar -C "$work/buildroot" -xf "$buildroot_tar"
fi

echo "base-images.sh: jlink --add-modules $jre_modules ($java_home)" >&2
"$java_home/bin/jlink" --add-modules "$jre_modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$work/jre"

# rootfs DIR PACKAGE...: the files (not directories) the packages list, the merged-/usr links, /etc/passwd and
# /etc/group, /tmp; docs, man pages, locales and gconv modules left out.
rootfs() {
  local dir=$1; shift
  mkdir -p "$dir/usr/bin" "$dir/usr/lib" "$dir/usr/lib64" "$dir/usr/sbin"
  for link in bin lib lib64 sbin; do
    [ -L "$work/buildroot/$link" ] && cp -P "$work/buildroot/$link" "$dir/$link"
  done
  for p in "$@"; do chroot "$work/buildroot" dpkg-query -L "$p"; done | sort -u | while read -r f; do
    case "$f" in
      /usr/share/doc/*|/usr/share/man/*|/usr/share/info/*|/usr/share/locale/*|/usr/share/lintian/*) continue ;;
      */gconv/*) continue ;;
    esac
    [ -d "$work/buildroot$f" ] && [ ! -L "$work/buildroot$f" ] && continue
    [ -e "$work/buildroot$f" ] || [ -L "$work/buildroot$f" ] || continue
    echo ".$f"
  done > "$work/files"
  tar -C "$work/buildroot" -cf - --no-recursion -T "$work/files" | tar -C "$dir" -xf -
  mkdir -p "$dir/etc" "$dir/tmp" "$dir/root" "$dir/home/nonroot"
  chmod 1777 "$dir/tmp"
  chown 65532:65532 "$dir/home/nonroot"
  cat > "$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
kexpose:x:185:185:kexpose:/tmp:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
EOF
  cat > "$dir/etc/group" <<'EOF'
root:x:0:
kexpose:x:185:
nonroot:x:65532:
nogroup:x:65534:
EOF
  mkdir -p "$dir/opt/java"
  cp -a "$work/jre" "$dir/opt/java/openjdk"
}

# image NAME DIR CHECK...: imports DIR as NAME (no ENV, no USER, no CMD: the container files set what they need;
# one LABEL, the key), then runs each CHECK command in it.
image() {
  local name=$1 dir=$2; shift 2
  local old
  old=$("$docker" image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)
  tar -C "$dir" -cf - . | "$docker" import -q --change "LABEL io.kexpose.base-key=$base_key" - "$name" >/dev/null
  # the image it replaces, unless a kexpose image still builds on it
  [ -z "$old" ] || "$docker" rmi "$old" >/dev/null 2>&1 || true
  local check
  for check in "$@"; do
    # shellcheck disable=SC2086
    if ! out=$(run_container --rm --network none "$name" $check 2>&1); then
      echo "base-images.sh: $name cannot run '$check':" >&2
      echo "$out" >&2
      exit 1
    fi
  done
  echo "base-images.sh: $name ($(du -sh "$dir" | cut -f1))" >&2
}

rootfs "$work/jre-root" "${jre_packages[@]}"
image kexpose/base-jre:local "$work/jre-root" "/opt/java/openjdk/bin/java -version"

rootfs "$work/net-root" "${jre_packages[@]}" "${net_packages[@]}"
for applet in sh sed tr; do
  ln -sf /usr/bin/busybox "$work/net-root/usr/bin/$applet"
done
image kexpose/base-net:local "$work/net-root" "/opt/java/openjdk/bin/java -version" "/usr/bin/ip -V" \
  "/usr/sbin/nft --version" "/bin/sh -c true"
