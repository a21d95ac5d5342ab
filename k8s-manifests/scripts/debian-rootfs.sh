#!/usr/bin/env bash
# A minimal root file system made of Debian packages, as a tarball for `podman import` or a Containerfile's ADD.
#
#   k8s-manifests/scripts/debian-rootfs.sh OUT.tar PACKAGE...
#
# The files (not the directories) the packages list, nothing else: name the libraries the programs you keep load,
# and check the result by running them (a package's full dependencies would bring its maintainer scripts' tools and
# every library any of its programs loads); docs, man pages, locales and gconv modules left out; Debian's
# merged-/usr links; /etc/passwd and /etc/group with root, 185, nonroot (65532) and nobody (65534, home / as in
# alpine); /tmp. No shell or package manager unless a package brings one.
#
# The packages come from debootstrap --variant=minbase (Debian bookworm, from DEBIAN_MIRROR, default the mirror apt
# uses), cached as a tarball in ${KEXPOSE_CACHE:-~/.cache/kexpose}/images by package list. Needs root (chroot).
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
out=$1; shift
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${KEXPOSE_CACHE:-$HOME/.cache/kexpose}/images
for tool in debootstrap tar chroot; do
  command -v "$tool" >/dev/null || { echo "debian-rootfs.sh: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache"

key=$(printf '%s\n' "$suite" "$@" | sort | sha256sum | cut -c1-12)
buildroot_tar="$cache/debootstrap-$suite-$key.tar"
root="$work/buildroot"
if [ ! -f "$buildroot_tar" ]; then
  echo "debian-rootfs.sh: debootstrap --variant=minbase $suite ($mirror) with $*" >&2
  debootstrap --variant=minbase --include="$(IFS=,; echo "$*")" "$suite" "$root" "$mirror" \
    > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$root" -cf "$buildroot_tar.tmp" . && mv "$buildroot_tar.tmp" "$buildroot_tar"
else
  mkdir -p "$root"
  tar -C "$root" -xf "$buildroot_tar"
fi

for p in "$@"; do chroot "$root" dpkg-query -L "$p"; done | sort -u > "$work/all"

dir="$work/rootfs"
mkdir -p "$dir/usr/bin" "$dir/usr/lib" "$dir/usr/lib64" "$dir/usr/sbin"
for link in bin lib lib64 sbin; do
  [ -L "$root/$link" ] && cp -P "$root/$link" "$dir/$link"
done
while read -r f; do
  case "$f" in
    /usr/share/doc/*|/usr/share/man/*|/usr/share/info/*|/usr/share/locale/*|/usr/share/lintian/*) continue ;;
    */gconv/*) continue ;;
  esac
  [ -d "$root$f" ] && [ ! -L "$root$f" ] && continue
  [ -e "$root$f" ] || [ -L "$root$f" ] || continue
  echo ".$f"
done < "$work/all" > "$work/files"
tar -C "$root" -cf - --no-recursion -T "$work/files" | tar -C "$dir" -xf -
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
tar -C "$dir" -cf "$out" .
