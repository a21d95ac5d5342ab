package io.kexpose.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What kube-apiserver checks of every object's metadata before storing it, with its messages word for word: the name
 * (a DNS-1035 label for Services, a DNS-1123 label for Namespaces, a DNS-1123 subdomain for the rest) and the
 * labels (qualified-name keys, values of at most 63 characters of a restricted alphabet). Pure: the
 * {@code field: detail} of the first problem, or null.
 */
public final class ObjectMetaValidation {

    static final String DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";
    static final String DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    static final String DNS1123_SUBDOMAIN = DNS1123_LABEL + "(\\." + DNS1123_LABEL + ")*";
    static final String LABEL_VALUE = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
    static final String QUALIFIED_NAME_PART = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

    private static final Map<String, Pattern> PATTERNS = Map.of(DNS1035_LABEL, Pattern.compile(DNS1035_LABEL),
            DNS1123_LABEL, Pattern.compile(DNS1123_LABEL), DNS1123_SUBDOMAIN, Pattern.compile(DNS1123_SUBDOMAIN),
            LABEL_VALUE, Pattern.compile(LABEL_VALUE), QUALIFIED_NAME_PART, Pattern.compile(QUALIFIED_NAME_PART));

    private ObjectMetaValidation() {
    }

    /** The first problem with {@code metadata} of an object of {@code resource} (plural, no group), or null. */
    public static String problem(String resource, JsonNode metadata) {
        String name = metadata.path("name").asText("");
        String nameProblem = switch (resource) {
            case "services" -> dns1035Label(name);
            case "namespaces" -> dns1123Label(name);
            default -> dns1123Subdomain(name);
        };
        if (nameProblem != null) {
            return "metadata.name: Invalid value: " + quote(name) + ": " + nameProblem;
        }
        Iterator<Map.Entry<String, JsonNode>> labels = metadata.path("labels").fields();
        while (labels.hasNext()) {
            Map.Entry<String, JsonNode> label = labels.next();
            String keyProblem = qualifiedName(label.getKey());
            if (keyProblem != null) {
                return "metadata.labels: Invalid value: " + quote(label.getKey()) + ": " + keyProblem;
            }
            String value = label.getValue().asText();
            String valueProblem = labelValue(value);
            if (valueProblem != null) {
                return "metadata.labels: Invalid value: " + quote(value) + ": " + valueProblem;
            }
        }
        return null;
    }

    static String dns1035Label(String v) {
        if (v.length() > 63) {
            return "must be no more than 63 characters";
        }
        return matches(DNS1035_LABEL, v) ? null : "a DNS-1035 label must consist of lower case alphanumeric "
                + "characters or '-', start with an alphabetic character, and end with an alphanumeric character "
                + "(e.g. 'my-name',  or 'abc-123', regex used for validation is '" + DNS1035_LABEL + "')";
    }

    static String dns1123Label(String v) {
        if (v.length() > 63) {
            return "must be no more than 63 characters";
        }
        return matches(DNS1123_LABEL, v) ? null : "a lowercase RFC 1123 label must consist of lower case alphanumeric "
                + "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
                + "'123-abc', regex used for validation is '" + DNS1123_LABEL + "')";
    }

    static String dns1123Subdomain(String v) {
        if (v.length() > 253) {
            return "must be no more than 253 characters";
        }
        return matches(DNS1123_SUBDOMAIN, v) ? null : "a lowercase RFC 1123 subdomain must consist of lower case "
                + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                + "'example.com', regex used for validation is '" + DNS1123_SUBDOMAIN + "')";
    }

    /** A named port (IANA service name): every rule it breaks, in kube-apiserver's order and words. */
    static java.util.List<String> portName(String v) {
        java.util.List<String> errors = new java.util.ArrayList<>();
        if (v.length() > 15) {
            errors.add("must be no more than 15 characters");
        }
        if (!v.matches("[-a-z0-9]+")) {
            errors.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        } else if (!v.matches(".*[a-z].*")) {
            errors.add("must contain at least one letter (a-z)");
        }
        if (v.contains("--")) {
            errors.add("must not contain consecutive hyphens");
        }
        if (!v.isEmpty() && (v.startsWith("-") || v.endsWith("-"))) {
            errors.add("must not begin or end with a hyphen");
        }
        return errors;
    }

    /** A label key: an optional DNS-1123 subdomain prefix and a slash, then a name part of at most 63 characters. */
    static String qualifiedName(String key) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty()) {
                return "prefix part must be non-empty";
            }
            String p = dns1123Subdomain(prefix);
            if (p != null) {
                return "prefix part " + p;
            }
        }
        if (name.isEmpty()) {
            return "name part must be non-empty";
        }
        if (name.length() > 63) {
            return "name part must be no more than 63 characters";
        }
        return matches(QUALIFIED_NAME_PART, name) ? null : "name part must consist of alphanumeric characters, '-', "
                + "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
                + "or '123-abc', regex used for validation is '" + QUALIFIED_NAME_PART + "')";
    }

    static String labelValue(String v) {
        if (v.length() > 63) {
            return "must be no more than 63 characters";
        }
        return matches(LABEL_VALUE, v) ? null : "a valid label must be an empty string or consist of alphanumeric "
                + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                + "'MyValue',  or 'my_value',  or '12345', regex used for validation is '" + LABEL_VALUE + "')";
    }

    private static boolean matches(String regex, String v) {
        return PATTERNS.get(regex).matcher(v).matches();
    }

    private static String quote(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
