/*
 * The three Linux calls service-proxy's TCP loops need and Netty does not export publicly: epoll_wait with its own
 * millisecond timeout, IP_TRANSPARENT and IP_BIND_ADDRESS_NO_PORT. Everything else (sockets, epoll_ctl, eventfd,
 * reads and writes) goes through Netty's public native classes.
 *
 * Errors come back as -errno; the Java side turns them into IOExceptions (strerror below), so nothing here calls
 * back into the JVM, and a native image needs no JNI configuration for it.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define NATIVE(name) Java_io_kexpose_proxy_dataplane_tcp_LinuxCalls_##name

/* epoll_wait into the array at `events` (room for `max` entries); an interrupted wait counts as no event. */
JNIEXPORT jint JNICALL NATIVE(epollWait0)(JNIEnv *env, jclass cls, jint epfd, jlong events, jint max, jint timeout) {
    int n = epoll_wait(epfd, (struct epoll_event *) (intptr_t) events, max, timeout);
    if (n < 0) {
        return errno == EINTR ? 0 : -errno;
    }
    return n;
}

/* The array's layout, which the Java side reads: the size of one entry and where its data word starts. */
JNIEXPORT jint JNICALL NATIVE(eventSize0)(JNIEnv *env, jclass cls) {
    return (jint) sizeof(struct epoll_event);
}

JNIEXPORT jint JNICALL NATIVE(eventDataOffset0)(JNIEnv *env, jclass cls) {
    return (jint) offsetof(struct epoll_event, data);
}

static jint set_ip_option(int fd, int option) {
    int on = 1;
    return setsockopt(fd, SOL_IP, option, &on, sizeof(on)) < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL NATIVE(setIpTransparent0)(JNIEnv *env, jclass cls, jint fd) {
    return set_ip_option(fd, IP_TRANSPARENT);
}

JNIEXPORT jint JNICALL NATIVE(setIpBindAddressNoPort0)(JNIEnv *env, jclass cls, jint fd) {
    return set_ip_option(fd, IP_BIND_ADDRESS_NO_PORT);
}

JNIEXPORT jstring JNICALL NATIVE(strerror0)(JNIEnv *env, jclass cls, jint error) {
    char buffer[256];
    const char *text = strerror_r(error, buffer, sizeof(buffer));
    return (*env)->NewStringUTF(env, text);
}
