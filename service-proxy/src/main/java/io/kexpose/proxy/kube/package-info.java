/** Informers and API access: the only package that uses the fabric8 client. */
package io.kexpose.proxy.kube;
