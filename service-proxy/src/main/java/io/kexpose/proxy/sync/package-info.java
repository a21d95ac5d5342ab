/** The coalescing sync runner: minimum interval, periodic full resync, retry after failure, injectable clock. */
package io.kexpose.proxy.sync;
