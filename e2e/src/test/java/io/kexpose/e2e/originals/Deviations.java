package io.kexpose.e2e.originals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deliberate deviations of the local cluster's API from kube-apiserver, as docs/local-cluster.md lists them: the
 * table under the heading "Deliberate deviations from kube-apiserver", one row per case, {@code | case id | reason |}.
 */
final class Deviations {

    static final String HEADING = "## Deliberate deviations from kube-apiserver";

    private Deviations() {
    }

    /** Case id → reason. */
    static Map<String, String> read(Path doc) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        boolean in = false;
        for (String line : Files.readAllLines(doc)) {
            if (line.startsWith("## ")) {
                in = line.trim().equals(HEADING);
                continue;
            }
            if (in && line.startsWith("| `")) {
                String[] cells = line.split("\\|");
                out.put(cells[1].trim().replace("`", ""), cells[2].trim());
            }
        }
        if (out.isEmpty() && !Files.readString(doc).contains(HEADING)) {
            throw new IOException(doc + " has no section \"" + HEADING + "\"");
        }
        return out;
    }
}
