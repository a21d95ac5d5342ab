package io.kexpose.cluster.security;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who a request comes from, as kube-apiserver's x509 authenticator says it: the client certificate the TLS handshake
 * verified against the cluster's CA (the server asks for one and checks it, so a certificate seen here is the CA's)
 * names the user in its CN and the groups in its O values. A request without one is anonymous, which this cluster
 * refuses (401).
 */
public final class Authenticator {

    private Authenticator() {
    }

    /** The identity of the verified client certificate chain, or null when there is none. */
    public static Identity fromCertificates(List<Certificate> chain) {
        if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
            return null;
        }
        String user = null;
        List<String> groups = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    user = rdn.getValue().toString();
                } else if (rdn.getType().equalsIgnoreCase("O")) {
                    groups.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        java.util.Collections.reverse(groups); // the RDNs are listed last first
        return user == null || user.isEmpty() ? null : new Identity(user, List.copyOf(groups));
    }
}
