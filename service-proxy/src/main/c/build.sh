#!/bin/sh
# Compiles the JNI layer into OUT_DIR/libkexpose-net-linux-ARCH.so (the name NativeLibrary looks for).
# Called by the Maven build (exec-maven-plugin, generate-resources) with the build's JDK for jni.h.
set -eu
[ $# -eq 3 ] || { echo "usage: build.sh JAVA_HOME OS_ARCH OUT_DIR" >&2; exit 64; }
java_home=$1 arch=$2 out=$3
command -v "${CC:-gcc}" >/dev/null || { echo "service-proxy needs a C compiler for its JNI layer: install gcc (Debian: apt-get install gcc libc6-dev)" >&2; exit 1; }
mkdir -p "$out"
exec "${CC:-gcc}" -std=gnu11 -O2 -fPIC -shared -Wall -Wextra -Werror -Wno-unused-parameter \
    -I"$java_home/include" -I"$java_home/include/linux" \
    -o "$out/libkexpose-net-linux-$arch.so" "$(dirname "$0")/kexpose_net.c"
