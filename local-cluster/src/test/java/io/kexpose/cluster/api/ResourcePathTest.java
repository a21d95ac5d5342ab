package io.kexpose.cluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ResourcePathTest {

    record Case(String path, ResourcePath expected) {
        @Override
        public String toString() {
            return path;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("/api/v1/namespaces/default/services", new ResourcePath("", "v1", "default", "services", null, null)),
                new Case("/api/v1/namespaces/default/services/web", new ResourcePath("", "v1", "default", "services", "web", null)),
                new Case("/api/v1/namespaces/default/services/web/status",
                        new ResourcePath("", "v1", "default", "services", "web", "status")),
                new Case("/api/v1/services", new ResourcePath("", "v1", null, "services", null, null)),
                new Case("/api/v1/namespaces", new ResourcePath("", "v1", null, "namespaces", null, null)),
                new Case("/api/v1/namespaces/default", new ResourcePath("", "v1", null, "namespaces", "default", null)),
                new Case("/api/v1/nodes/node-1", new ResourcePath("", "v1", null, "nodes", "node-1", null)),
                new Case("/apis/apps/v1/namespaces/default/deployments/httpenv/scale",
                        new ResourcePath("apps", "v1", "default", "deployments", "httpenv", "scale")),
                new Case("/apis/discovery.k8s.io/v1/endpointslices",
                        new ResourcePath("discovery.k8s.io", "v1", null, "endpointslices", null, null)),
                new Case("/version", null),
                new Case("/api/v1/namespaces/default/services/web/status/extra", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parses(Case c) {
        if (c.expected() == null) {
            assertNull(ResourcePath.parse(c.path()));
        } else {
            assertEquals(c.expected(), ResourcePath.parse(c.path()));
        }
    }
}
