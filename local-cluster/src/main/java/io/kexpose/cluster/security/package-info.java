/**
 * Who may talk to the local cluster's API, and how it proves it: the cluster's certificate authority, the API's
 * serving certificate, a client certificate per user (the admin of the kubeconfig, each component, the cluster's own
 * controllers), and the identity a request carries. Certificates are made with BouncyCastle.
 */
package io.kexpose.cluster.security;
