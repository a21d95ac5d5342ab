/**
 * httpenv: the environment as JSON, for any request. A pure pipeline from bytes to bytes:
 * {@link io.kexpose.httpenv.EnvSource} (raw {@code NAME=value} entries) → {@link io.kexpose.httpenv.GoJsonEnv}
 * (Go's encoding, byte for byte) → {@code EnvBody} (framing) → {@code EnvResponses} (whole responses, precomputed
 * but for the Date) → {@link io.kexpose.httpenv.EnvServer} (a two-handler Netty pipeline). Quarkus supplies the
 * command line, configuration and the management interface; nothing from it is on the request path.
 */
package io.kexpose.httpenv;
