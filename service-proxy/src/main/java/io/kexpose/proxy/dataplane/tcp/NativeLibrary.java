package io.kexpose.proxy.dataplane.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads the JNI layer the build compiles from {@code src/main/c} into the jar as
 * {@code META-INF/native/libkexpose-net-linux-<os.arch>.so}. The library is copied to a file in {@code java.io.tmpdir}
 * (Netty loads its own epoll library the same way, so a pod's writable /tmp serves both), loaded, and the file removed
 * at once: the mapping stays, nothing is left behind.
 */
final class NativeLibrary {

    private NativeLibrary() {
    }

    /** Loads the library or throws an {@link UnsatisfiedLinkError} that says what is missing. */
    static void load(String name) {
        String arch = System.getProperty("os.arch");
        String os = System.getProperty("os.name");
        if (!os.toLowerCase(java.util.Locale.ROOT).startsWith("linux")) {
            throw new UnsatisfiedLinkError("service-proxy forwards TCP with Linux's epoll; this is " + os);
        }
        String resource = "META-INF/native/lib" + name + "-linux-" + arch + ".so";
        try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError(resource + " is not in this build: the JNI layer is compiled for the "
                        + "architecture of the machine that built the jar, and this one is " + arch);
            }
            Path file = Files.createTempFile("lib" + name + "-", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                System.load(file.toAbsolutePath().toString());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UnsatisfiedLinkError("cannot copy " + resource + " to " + System.getProperty("java.io.tmpdir")
                    + " to load it: " + e.getMessage());
        }
    }
}
