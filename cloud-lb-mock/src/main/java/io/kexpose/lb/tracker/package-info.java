/** Pending changes per key, with no-op changes cancelled; informer callbacks record here and only signal. */
package io.kexpose.lb.tracker;
