package io.kexpose.cluster.security;

/** A certificate and its private key, both PEM (the key in the SEC 1 form), as kubeconfigs and TLS servers take them. */
public record Credential(String certificatePem, String keyPem) {
}
