package io.kexpose.cluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Names and labels → kube-apiserver's verdict, word for word (null: accepted). */
class ObjectMetaValidationTest {

    record Case(String desc, String resource, String name, Map<String, String> labels, String expected) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static final String DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
            + "with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
            + "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    static final String SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
            + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
            + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    static Stream<Case> cases() {
        return Stream.of(
                new Case("a Service name", "services", "web", Map.of(), null),
                new Case("a Service name with an underscore", "services", "Bad_Name", Map.of(),
                        "metadata.name: Invalid value: \"Bad_Name\": " + DNS1035),
                new Case("a Service name starting with a digit", "services", "1web", Map.of(),
                        "metadata.name: Invalid value: \"1web\": " + DNS1035),
                new Case("a Service name of 64 characters", "services", "a".repeat(64), Map.of(),
                        "metadata.name: Invalid value: \"" + "a".repeat(64) + "\": must be no more than 63 characters"),
                new Case("a Deployment name with dots", "deployments", "web.v2", Map.of(), null),
                new Case("a Deployment name with capitals", "deployments", "Web", Map.of(),
                        "metadata.name: Invalid value: \"Web\": " + SUBDOMAIN),
                new Case("a Pod name starting with a digit", "pods", "1-web", Map.of(), null),
                new Case("a Namespace name with a dot", "namespaces", "team.a", Map.of(),
                        "metadata.name: Invalid value: \"team.a\": a lowercase RFC 1123 label must consist of lower "
                                + "case alphanumeric characters or '-', and must start and end with an alphanumeric "
                                + "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                                + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
                new Case("labels with a prefix and an empty value", "services", "web",
                        Map.of("app.kubernetes.io/name", "web", "empty", ""), null),
                new Case("a label value with a space", "services", "web", Map.of("tier", "not valid!"),
                        "metadata.labels: Invalid value: \"not valid!\": a valid label must be an empty string or "
                                + "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                                + "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
                                + "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
                new Case("a label key with a space", "services", "web", Map.of("bad key", "v"),
                        "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric "
                                + "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                                + "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                                + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
                new Case("a label value of 64 characters", "services", "web", Map.of("v", "x".repeat(64)),
                        "metadata.labels: Invalid value: \"" + "x".repeat(64) + "\": must be no more than 63 "
                                + "characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verdict(Case c) {
        var meta = JsonMapper.builder().build().createObjectNode().put("name", c.name());
        c.labels().forEach((k, v) -> meta.with("labels").put(k, v));
        assertEquals(c.expected(), ObjectMetaValidation.problem(c.resource(), meta));
    }
}
