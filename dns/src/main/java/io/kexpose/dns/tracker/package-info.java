/**
 * The cluster index: the current slim record per Service, EndpointSlice and Namespace, indexed by name and by IP
 * ({@code AddressIndex}, flat, for PTR), and in pod mode {@code verified} the Pods holding each address
 * ({@code PodAddresses}). Updates compare the new record with the current one and cancel no-op
 * changes; each Service and each slice is replaced whole, so a reader never sees half of one (atomic-updates).
 */
package io.kexpose.dns.tracker;
