/**
 * Tests of {@code k8s-manifests/}: every overlay rendered with {@code kubectl kustomize}, parsed with the fabric8
 * model, and checked against the security and RBAC rules of k8s-manifests/README.md and against the components' configuration
 * defaults, read from their sources so that a drift on either side fails the build.
 */
package io.kexpose.e2e.manifests;
