package io.kexpose.cluster.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ServiceAccount tokens: what a valid one says, and each way a token fails to be one. */
class ServiceAccountTokensTest {

    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final ServiceAccountTokens.Subject DNS = new ServiceAccountTokens.Subject("kube-system", "kexpose-dns",
            "sa-uid", "kexpose-dns-abc", "pod-uid");

    static ServiceAccountTokens tokens(java.security.KeyPair key, Instant at) {
        return new ServiceAccountTokens(key, Clock.fixed(at, ZoneOffset.UTC));
    }

    static java.security.KeyPair key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    @Test
    void aTokenSaysTheAccountAndThePodItIsBoundToAndIsTheAccountsIdentity() throws Exception {
        var key = key();
        String token = tokens(key, NOW).issue(DNS, Duration.ofHours(1));
        assertEquals(DNS, tokens(key, NOW.plusSeconds(3599)).verify(token));
        assertEquals(new Identity("system:serviceaccount:kube-system:kexpose-dns", List.of("system:serviceaccounts",
                "system:serviceaccounts:kube-system")), DNS.identity());
        var unbound = new ServiceAccountTokens.Subject("default", "robot", null, null, null);
        assertEquals(unbound, tokens(key, NOW).verify(tokens(key, NOW).issue(unbound, Duration.ofMinutes(10))));
    }

    @Test
    void expiredNotYetValidForeignForAnotherAudienceOrAlteredTokensAreNotTokens() throws Exception {
        var key = key();
        var issuer = tokens(key, NOW);
        String token = issuer.issue(DNS, Duration.ofHours(1));
        String[] parts = token.split("\\.");
        String otherClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(new String(
                Base64.getUrlDecoder().decode(parts[1])).replace("kexpose-dns\"", "cloud-lb-mock\"").getBytes());
        record Case(String what, String token, Instant at) {
        }
        for (Case c : List.of(
                new Case("expired", token, NOW.plusSeconds(3600)),
                new Case("before its time", token, NOW.minusSeconds(1)),
                new Case("signed by another cluster", tokens(key(), NOW).issue(DNS, Duration.ofHours(1)), NOW),
                new Case("for another audience", issuer.issue(DNS, Duration.ofHours(1), List.of("vault")), NOW),
                new Case("claims altered", parts[0] + "." + otherClaims + "." + parts[2], NOW),
                new Case("unsigned", parts[0] + "." + parts[1] + ".", NOW),
                new Case("not a JWT", "abc", NOW),
                new Case("empty", "", NOW))) {
            assertNull(tokens(key, c.at()).verify(c.token()), c.what());
        }
    }
}
