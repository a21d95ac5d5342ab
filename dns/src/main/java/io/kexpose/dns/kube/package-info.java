/**
 * Informers on Services, EndpointSlices and Namespaces: the only code that imports the fabric8 client. Callbacks
 * translate and update the index, nothing else (S5).
 */
package io.kexpose.dns.kube;
