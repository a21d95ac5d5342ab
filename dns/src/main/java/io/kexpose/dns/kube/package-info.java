/**
 * Informers on Services, EndpointSlices and Namespaces, and on Pods in pod mode {@code verified}: the only code that
 * imports the fabric8 client. Callbacks translate and update the index, nothing else (atomic-updates).
 */
package io.kexpose.dns.kube;
