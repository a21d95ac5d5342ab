package io.kexpose.cluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Deployment specs → kube-apiserver's verdict, word for word (null: accepted). */
class DeploymentValidationTest {

    record Case(String desc, String spec, String expected) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static final String TEMPLATE = "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":"
            + "[{\"name\":\"web\",\"image\":\"jpetazzo/httpenv\"}]}}";

    static Stream<Case> cases() {
        return Stream.of(
                new Case("what kubectl create deployment sends", "{\"replicas\":1,\"selector\":{\"matchLabels\":"
                        + "{\"app\":\"web\"}}," + TEMPLATE + "}", null),
                new Case("negative replicas", "{\"replicas\":-1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                        + TEMPLATE + "}", "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
                new Case("no selector", "{" + TEMPLATE + "}", "spec.selector: Required value"),
                new Case("a selector the template does not match", "{\"selector\":{\"matchLabels\":{\"app\":\"db\"}},"
                        + TEMPLATE + "}", "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":"
                        + "\"web\"}: `selector` does not match template `labels`"),
                new Case("no containers", "{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":"
                        + "{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[]}}}",
                        "spec.template.spec.containers: Required value"),
                new Case("a container name with an underscore", "{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                        + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":"
                        + "\"my_web\",\"image\":\"x\"}]}}}", "spec.template.spec.containers[0].name: Invalid value: "
                        + "\"my_web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                        + "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                        + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
                new Case("a container without an image", "{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                        + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":"
                        + "\"web\"}]}}}", "spec.template.spec.containers[0].image: Required value"),
                strategy("a percent that is not one", "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":"
                        + "\"1.5\"}}", "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"1.5\": a valid percent "
                        + "string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for "
                        + "validation is '[0-9]+%')"),
                strategy("a negative surge", "{\"rollingUpdate\":{\"maxSurge\":-1}}",
                        "spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0"),
                strategy("nothing may surge and nothing may be unavailable", "{\"rollingUpdate\":{\"maxSurge\":0,"
                        + "\"maxUnavailable\":0}}", "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may "
                        + "not be 0 when `maxSurge` is 0"),
                strategy("more than all unavailable", "{\"rollingUpdate\":{\"maxUnavailable\":\"150%\"}}",
                        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than "
                        + "100%"),
                strategy("an unknown type", "{\"type\":\"BlueGreen\"}", "spec.strategy.type: Unsupported value: "
                        + "\"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\""),
                strategy("Recreate with rolling parameters", "{\"type\":\"Recreate\",\"rollingUpdate\":"
                        + "{\"maxSurge\":1}}", "spec.strategy.rollingUpdate: Forbidden: may not be specified when "
                        + "strategy `type` is 'Recreate'"),
                strategy("Recreate", "{\"type\":\"Recreate\"}", null));
    }

    private static Case strategy(String desc, String strategy, String expected) {
        return new Case(desc, "{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"strategy\":" + strategy + ","
                + TEMPLATE + "}", expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verdict(Case c) throws Exception {
        var deployment = JsonMapper.builder().build().readTree("{\"spec\":" + c.spec() + "}");
        assertEquals(c.expected(), DeploymentValidation.problem(deployment));
    }
}
