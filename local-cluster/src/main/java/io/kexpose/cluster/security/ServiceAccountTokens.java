package io.kexpose.cluster.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ServiceAccount tokens as kube-apiserver issues them: ES256-signed JWTs with the issuer and audience
 * {@value #ISSUER}, the subject {@code system:serviceaccount:<namespace>:<name>}, and a {@code kubernetes.io} claim
 * naming the namespace, the ServiceAccount and, for a token bound to a pod, the pod (name and uid). A pod's
 * containers read one from {@code /var/run/secrets/kubernetes.io/serviceaccount/token}; {@link #verify} turns a
 * bearer token back into who it speaks for, or null when the signature, issuer, audience or lifetime is wrong.
 * Whether the ServiceAccount and the pod still exist is the API server's check, against its store.
 */
public final class ServiceAccountTokens {

    /** The issuer and audience of every token (kube-apiserver's default, {@code --service-account-issuer}). */
    public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";

    /** What a verified token says: the ServiceAccount, with its uid, and the pod it is bound to (or nulls). */
    public record Subject(String namespace, String serviceAccount, String serviceAccountUid, String pod,
            String podUid) {

        public Identity identity() {
            return Identity.serviceAccount(namespace, serviceAccount);
        }
    }

    private final ECDSASigner signer;
    private final ECDSAVerifier verifier;
    private final String keyId;
    private final Clock clock;

    public ServiceAccountTokens(KeyPair key, Clock clock) {
        try {
            this.signer = new ECDSASigner((ECPrivateKey) key.getPrivate());
            this.verifier = new ECDSAVerifier((ECPublicKey) key.getPublic());
            // kube-apiserver's key id: the SHA-256 of the public key's DER form, base64url.
            this.keyId = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(key.getPublic().getEncoded()));
        } catch (JOSEException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot use the ServiceAccount signing key", e);
        }
        this.clock = clock;
    }

    /** A token for {@code subject} (pod and podUid may be null: a token bound to no pod), valid for {@code ttl}. */
    public String issue(Subject subject, Duration ttl) {
        return issue(subject, ttl, List.of(ISSUER));
    }

    /**
     * A token for {@code audiences}: only one that names {@value #ISSUER} is a credential for this API server; other
     * audiences are for whoever else the token is shown to.
     */
    public String issue(Subject subject, Duration ttl, List<String> audiences) {
        Instant now = clock.instant();
        Map<String, Object> k8s = new LinkedHashMap<>();
        k8s.put("namespace", subject.namespace());
        if (subject.pod() != null) {
            k8s.put("pod", Map.of("name", subject.pod(), "uid", nullToEmpty(subject.podUid())));
        }
        k8s.put("serviceaccount", Map.of("name", subject.serviceAccount(), "uid",
                nullToEmpty(subject.serviceAccountUid())));
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(audiences)
                .subject(subject.identity().username()).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl))).claim("kubernetes.io", k8s).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(keyId).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a ServiceAccount token", e);
        }
        return jwt.serialize();
    }

    /** Who a bearer token speaks for, or null when it is not a valid token of this cluster. */
    public Subject verify(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return null;
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            if (!ISSUER.equals(c.getIssuer()) || c.getAudience() == null || !c.getAudience().contains(ISSUER)
                    || c.getExpirationTime() == null || !now.isBefore(c.getExpirationTime().toInstant())
                    || (c.getNotBeforeTime() != null && now.isBefore(c.getNotBeforeTime().toInstant()))) {
                return null;
            }
            Map<String, Object> k8s = c.getJSONObjectClaim("kubernetes.io");
            if (k8s == null || !(k8s.get("namespace") instanceof String ns)
                    || !(k8s.get("serviceaccount") instanceof Map<?, ?> sa) || !(sa.get("name") instanceof String name)
                    || !("system:serviceaccount:" + ns + ":" + name).equals(c.getSubject())) {
                return null;
            }
            String pod = null;
            String podUid = null;
            if (k8s.get("pod") instanceof Map<?, ?> p) {
                pod = p.get("name") instanceof String s ? s : null;
                podUid = p.get("uid") instanceof String s ? s : null;
            }
            return new Subject(ns, name, emptyToNull(sa.get("uid")), pod, emptyToNull(podUid));
        } catch (ParseException | JOSEException | RuntimeException e) {
            return null;
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(Object o) {
        return o instanceof String s && !s.isEmpty() ? s : null;
    }
}
