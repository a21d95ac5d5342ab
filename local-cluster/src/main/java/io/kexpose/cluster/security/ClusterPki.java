package io.kexpose.cluster.security;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The local cluster's certificate authority and the certificates it signs: the API's serving certificate and a client
 * certificate per identity. Keys are ECDSA P-256 (quick to make; kubectl, fabric8 and Vert.x all take them). The CA
 * of a cluster with a state directory is made once and kept there ({@code ca.crt}, {@code ca.key}), so kubeconfigs
 * written before a restart stay valid; a cluster without one (a test's) uses a CA made once per JVM.
 */
public final class ClusterPki {

    /** How long what this CA signs is valid: the local cluster is remade long before. */
    static final Duration VALIDITY = Duration.ofDays(365);
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static volatile ClusterPki inMemory;

    private final X509Certificate ca;
    private final PrivateKey caKey;
    private final String caKeyPem;
    private final String caPem;
    private final Map<String, Credential> issued = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    private final KeyPair serviceAccountKey;

    private ClusterPki(X509Certificate ca, PrivateKey caKey, String caKeyPem, KeyPair serviceAccountKey) {
        this.serviceAccountKey = serviceAccountKey;
        this.ca = ca;
        this.caKey = caKey;
        this.caKeyPem = caKeyPem;
        this.caPem = pem(ca);
    }

    /**
     * The CA and the ServiceAccount signing key kept in {@code dir} ({@code ca.crt}, {@code ca.key}, {@code sa.key}),
     * made and kept there if there are none yet.
     */
    public static ClusterPki loadOrCreate(Path dir) {
        Path crt = dir.resolve("ca.crt");
        Path key = dir.resolve("ca.key");
        Path saKey = dir.resolve("sa.key");
        try {
            Files.createDirectories(dir);
            if (!Files.isRegularFile(saKey)) {
                writePrivate(saKey, keyPem(keyPair()));
            }
            KeyPair serviceAccountKey = readKeyPair(Files.readString(saKey));
            if (Files.isRegularFile(crt) && Files.isRegularFile(key)) {
                String keyPem = Files.readString(key);
                return new ClusterPki(readCertificate(Files.readString(crt)), readKey(keyPem), keyPem,
                        serviceAccountKey);
            }
            ClusterPki made = create(serviceAccountKey);
            Files.writeString(crt, made.caPem);
            writePrivate(key, made.caKeyPem);
            return made;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the local cluster's certificate authority in " + dir + " cannot be read ("
                    + e.getMessage() + "); ./kexpose down --purge removes it with the rest of the state", e);
        }
    }

    /** A CA that lives as long as this JVM (the same for every cluster the JVM starts). */
    public static ClusterPki inMemory() {
        ClusterPki pki = inMemory;
        if (pki == null) {
            synchronized (ClusterPki.class) {
                if (inMemory == null) {
                    try {
                        inMemory = create(keyPair());
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException("cannot make the ServiceAccount signing key", e);
                    }
                }
                pki = inMemory;
            }
        }
        return pki;
    }

    private static void writePrivate(Path file, String pem) throws IOException {
        Files.writeString(file, pem);
        file.toFile().setReadable(false, false);
        file.toFile().setReadable(true, true);
    }

    private static ClusterPki create(KeyPair serviceAccountKey) {
        try {
            KeyPair kp = keyPair();
            X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "kexpose-ca").build();
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(CA_VALIDITY)), name, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign
                    | KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new ClusterPki(cert, kp.getPrivate(), keyPem(kp), serviceAccountKey);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make the local cluster's certificate authority", e);
        }
    }

    /** The CA certificate, PEM: what clients trust. */
    public String caPem() {
        return caPem;
    }

    public X509Certificate ca() {
        return ca;
    }

    /** The key ServiceAccount tokens are signed with (kube-apiserver's {@code sa.key}): EC P-256. */
    public KeyPair serviceAccountKey() {
        return serviceAccountKey;
    }

    /** A serving certificate for the given DNS names and IP addresses (made once per set of names). */
    public Credential serving(List<String> dnsNames, List<String> ips) {
        return issued.computeIfAbsent("serving " + dnsNames + " " + ips, k -> issue(
                new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "kube-apiserver").build(),
                KeyPurposeId.id_kp_serverAuth, names(dnsNames, ips)));
    }

    /** A client certificate for {@code identity}: CN the user name, one O per group (made once per identity). */
    public Credential client(Identity identity) {
        return issued.computeIfAbsent("client " + identity, k -> {
            X500NameBuilder n = new X500NameBuilder(BCStyle.INSTANCE);
            for (String group : identity.groups()) {
                n.addRDN(BCStyle.O, group);
            }
            n.addRDN(BCStyle.CN, identity.username());
            return issue(n.build(), KeyPurposeId.id_kp_clientAuth, null);
        });
    }

    private static GeneralNames names(List<String> dnsNames, List<String> ips) {
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private Credential issue(X500Name subject, KeyPurposeId purpose, GeneralNames altNames) {
        try {
            KeyPair kp = keyPair();
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, new BigInteger(63, random),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            if (altNames != null) {
                b.addExtension(Extension.subjectAlternativeName, false, altNames);
            }
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
            return new Credential(pem(cert), keyPem(kp));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + subject, e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /**
     * PEM of a key pair's private key in the SEC 1 form ({@code BEGIN EC PRIVATE KEY}) with its curve and public key:
     * the form every client reads (fabric8 takes a PKCS#8 key for RSA, and parses SEC 1 with both optional fields).
     */
    static String keyPem(KeyPair kp) throws IOException {
        java.security.interfaces.ECPrivateKey key = (java.security.interfaces.ECPrivateKey) kp.getPrivate();
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(
                key.getEncoded());
        org.bouncycastle.asn1.x9.X962Parameters curve = org.bouncycastle.asn1.x9.X962Parameters.getInstance(
                info.getPrivateKeyAlgorithm().getParameters());
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo pub = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo
                .getInstance(kp.getPublic().getEncoded());
        byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(key.getParams().getOrder().bitLength(), key.getS(),
                pub.getPublicKeyData(), curve).getEncoded();
        return "-----BEGIN EC PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(sec1) + "\n-----END EC PRIVATE KEY-----\n";
    }

    /** PEM of a certificate. */
    static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static X509Certificate readCertificate(String pem) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    static KeyPair readKeyPair(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new java.io.StringReader(pem))) {
            if (parser.readObject() instanceof PEMKeyPair pair) {
                return new JcaPEMKeyConverter().getKeyPair(pair);
            }
            throw new IOException("not an EC key pair");
        }
    }

    static PrivateKey readKey(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new java.io.StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IOException("not a private key: " + (o == null ? "nothing" : o.getClass().getSimpleName()));
        }
    }
}
