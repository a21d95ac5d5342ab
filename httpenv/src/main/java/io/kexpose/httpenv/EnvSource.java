package io.kexpose.httpenv;

import java.util.List;

/** Where the environment comes from: the process's own in production, a test vector in tests. */
@FunctionalInterface
public interface EnvSource {

    /** Returns the raw {@code NAME=value} entries, as bytes, in the order the process received them. */
    List<byte[]> entries();
}
