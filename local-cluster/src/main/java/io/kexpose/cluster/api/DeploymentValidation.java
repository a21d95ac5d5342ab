package io.kexpose.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What kube-apiserver checks of a Deployment's spec before storing it, with its messages: replicas not negative, a
 * selector that the template's labels match, at least one container, each with a DNS-1123 label as its name and an
 * image. Pure: the {@code field: detail} of the first problem, or null.
 */
public final class DeploymentValidation {

    private DeploymentValidation() {
    }

    /** The first problem with a Deployment (its JSON), or null. */
    public static String problem(JsonNode deployment) {
        JsonNode spec = deployment.path("spec");
        JsonNode replicas = spec.path("replicas");
        if (replicas.isNumber() && replicas.asLong() < 0) {
            return "spec.replicas: Invalid value: " + replicas.asLong() + ": must be greater than or equal to 0";
        }
        JsonNode selector = spec.path("selector");
        if (selector.isMissingNode() || selector.isNull()
                || (selector.path("matchLabels").size() == 0 && selector.path("matchExpressions").size() == 0)) {
            return "spec.selector: Required value";
        }
        Map<String, String> labels = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = spec.path("template").path("metadata").path("labels").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            labels.put(e.getKey(), e.getValue().asText());
        }
        Iterator<Map.Entry<String, JsonNode>> wanted = selector.path("matchLabels").fields();
        while (wanted.hasNext()) {
            Map.Entry<String, JsonNode> w = wanted.next();
            if (!w.getValue().asText().equals(labels.get(w.getKey()))) {
                return "spec.template.metadata.labels: Invalid value: " + goMap(labels)
                        + ": `selector` does not match template `labels`";
            }
        }
        String strategy = strategy(spec.path("strategy"));
        if (strategy != null) {
            return strategy;
        }
        JsonNode containers = spec.path("template").path("spec").path("containers");
        if (containers.size() == 0) {
            return "spec.template.spec.containers: Required value";
        }
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.get(i);
            String name = c.path("name").asText("");
            String field = "spec.template.spec.containers[" + i + "]";
            if (name.isEmpty()) {
                return field + ".name: Required value";
            }
            String nameProblem = ObjectMetaValidation.dns1123Label(name);
            if (nameProblem != null) {
                return field + ".name: Invalid value: \"" + name + "\": " + nameProblem;
            }
            if (c.path("image").asText("").isBlank()) {
                return field + ".image: Required value";
            }
        }
        return null;
    }

    /** The first problem with {@code spec.strategy}, in kube-apiserver's words, or null. */
    static String strategy(JsonNode strategy) {
        String type = strategy.path("type").asText("RollingUpdate");
        if (!type.equals("RollingUpdate") && !type.equals("Recreate")) {
            return "spec.strategy.type: Unsupported value: \"" + type + "\": supported values: \"Recreate\", "
                    + "\"RollingUpdate\"";
        }
        JsonNode rolling = strategy.path("rollingUpdate");
        if (type.equals("Recreate")) {
            return rolling.isMissingNode() || rolling.isNull() ? null : "spec.strategy.rollingUpdate: Forbidden: may "
                    + "not be specified when strategy `type` is 'Recreate'";
        }
        String surge = intOrPercent("spec.strategy.rollingUpdate.maxSurge", rolling.path("maxSurge"));
        if (surge != null) {
            return surge;
        }
        String unavailable = intOrPercent("spec.strategy.rollingUpdate.maxUnavailable", rolling.path("maxUnavailable"));
        if (unavailable != null) {
            return unavailable;
        }
        JsonNode u = rolling.path("maxUnavailable");
        if (u.isTextual() && u.asText().endsWith("%") && Integer.parseInt(u.asText().replace("%", "")) > 100) {
            return "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"" + u.asText() + "\": must not be "
                    + "greater than 100%";
        }
        if (isZero(rolling.path("maxSurge")) && isZero(u)) {
            return "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: " + (u.isTextual() ? "\"" + u.asText()
                    + "\"" : u.asText()) + ": may not be 0 when `maxSurge` is 0";
        }
        return null;
    }

    private static String intOrPercent(String field, JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.asLong() < 0 ? field + ": Invalid value: " + value.asLong() + ": must be greater than or "
                    + "equal to 0" : null;
        }
        if (!value.isTextual() || !value.asText().matches("[0-9]+%")) {
            return field + ": Invalid value: \"" + value.asText() + "\": a valid percent string must be a numeric "
                    + "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
        }
        return null;
    }

    private static boolean isZero(JsonNode v) {
        return (v.isIntegralNumber() && v.asLong() == 0) || (v.isTextual() && v.asText().equals("0%"));
    }

    /** A label map as Go's %#v prints it: {@code map[string]string{"app":"web"}}. */
    static String goMap(Map<String, String> labels) {
        StringBuilder b = new StringBuilder("map[string]string{");
        boolean first = true;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            b.append(first ? "" : ", ").append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
            first = false;
        }
        return b.append('}').toString();
    }
}
