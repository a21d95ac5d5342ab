package io.kexpose.e2e.manifests;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration defaults of one component, read from its sources: the {@code @WithDefault} values of its
 * {@code @ConfigMapping} interface (by method name) and its {@code application.properties}. The e2e module does not
 * depend on the component modules, so the sources are the single place both the components and this test read.
 */
record ComponentDefaults(String module, Map<String, String> withDefaults, Properties properties) {

    /** {@code @WithDefault("v")}, optional further annotations, a return type, then the method name. */
    private static final Pattern WITH_DEFAULT = Pattern.compile(
            "@WithDefault\\(\"([^\"]*)\"\\)\\s*(?:@\\w+(?:\\([^)]*\\))?\\s*)*[\\w.<>, ]+?\\s+(\\w+)\\(\\)");

    /** Reads {@code <repo>/<module>/src/main/java/<configClass>} and the module's application.properties. */
    static ComponentDefaults read(Path repo, String module, String configClass) throws IOException {
        Path moduleDir = repo.resolve(module);
        String source = Files.readString(moduleDir.resolve("src/main/java").resolve(configClass));
        Map<String, String> defaults = new HashMap<>();
        Matcher m = WITH_DEFAULT.matcher(source);
        while (m.find()) {
            defaults.put(m.group(2), m.group(1));
        }
        Properties properties = new Properties();
        properties.load(new StringReader(
                Files.readString(moduleDir.resolve("src/main/resources/application.properties"))));
        return new ComponentDefaults(module, defaults, properties);
    }

    /** The default of a config method, e.g. {@code healthzBindAddress}; fails if the interface has none. */
    String withDefault(String method) {
        String v = withDefaults.get(method);
        if (v == null) {
            throw new AssertionError(module + ": no @WithDefault on " + method + "() (read: " + withDefaults.keySet()
                    + ")");
        }
        return v;
    }

    /** The port of a {@code host:port} default. */
    int portOf(String method) {
        String address = withDefault(method);
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    int intDefault(String method) {
        return Integer.parseInt(withDefault(method));
    }

    /** A key of application.properties; fails if absent. */
    String property(String key) {
        String v = properties.getProperty(key);
        if (v == null) {
            throw new AssertionError(module + ": no " + key + " in application.properties");
        }
        return v;
    }

    /** The image k8s-manifests deploys ({@code kexpose.image}). */
    String image() {
        return property("kexpose.image");
    }
}
