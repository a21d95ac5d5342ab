/**
 * Informers and API writes: the only package that uses the fabric8 client. Callbacks only record in the tracker and
 * signal the runner; writes are JSON patches guarded by the object's uid, status through the status subresource.
 */
package io.kexpose.lb.kube;
